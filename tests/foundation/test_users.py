"""Accounts: roles, argon2id passwords, first-run admin, lockout after repeated failures."""

import pytest

from tracker.errors import Conflict, InvalidInput, PermissionDenied, parse
from tracker.schemas import Actor, UserCreate
from tracker.services import users


def test_first_user_can_only_be_an_admin_created_at_first_run(db):
    with pytest.raises(PermissionDenied):
        users.create_user(
            db, None, UserCreate(name="eve", role="forecaster", password="longenough")
        )
    first = users.create_user(
        db, None, UserCreate(name="root", role="admin", password="longenough")
    )
    assert first.role == "admin"
    with pytest.raises(PermissionDenied):
        users.create_user(db, None, UserCreate(name="eve2", role="admin", password="longenough"))


def test_only_admins_manage_users(db, admin, alice):
    with pytest.raises(PermissionDenied):
        users.create_user(
            db, alice, UserCreate(name="mallory", role="admin", password="longenough")
        )
    with pytest.raises(PermissionDenied):
        users.set_role(db, alice, "alice", "admin")
    assert users.set_role(db, admin, "alice", "viewer").role == "viewer"


def test_passwords_are_argon2id_hashes(db, alice):
    from sqlmodel import select

    from tracker.models import User

    with db.read() as session:
        stored = session.exec(select(User).where(User.name == "alice")).one().password_hash
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored


def test_authentication(db, alice):
    assert users.authenticate(db, "alice", "correct horse").name == "alice"
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        users.authenticate(db, "alice", "wrong")
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        users.authenticate(db, "nobody", "wrong")


def test_lockout_after_repeated_failures(db, alice, clock):
    for _ in range(users.lockout_policy().max_failures):
        with pytest.raises(PermissionDenied):
            users.authenticate(db, "alice", "guess")
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        users.authenticate(db, "alice", "correct horse")
    clock.advance(minutes=16)
    assert users.authenticate(db, "alice", "correct horse").name == "alice"


def test_user_name_and_password_rules(db, admin):
    with pytest.raises(InvalidInput, match="name"):
        parse(UserCreate, {"name": "bad name!", "password": "longenough"})
    with pytest.raises(InvalidInput, match="at least 8"):
        parse(UserCreate, {"name": "ok", "password": "short"})
    users.create_user(db, admin, UserCreate(name="dup", password="longenough"))
    with pytest.raises(Conflict):
        users.create_user(db, admin, UserCreate(name="dup", password="longenough"))


def test_the_last_admin_cannot_be_demoted(db, admin):
    with pytest.raises(Conflict, match="last admin"):
        users.set_role(db, Actor.system(), "admin", "forecaster")


def test_users_change_only_their_own_password(db, alice, bob):
    with pytest.raises(PermissionDenied):
        users.set_password(db, alice, "bob", "new password")
    users.set_password(db, alice, "alice", "new password")
    assert users.authenticate(db, "alice", "new password").name == "alice"
