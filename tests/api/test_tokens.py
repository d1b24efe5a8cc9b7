"""API tokens: shown once, stored hashed, expiring, revocable, and narrowed by their scope."""

import hashlib

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from tests.support import make_user
from tracker.cli import app
from tracker.db import Database
from tracker.errors import InvalidInput, PermissionDenied
from tracker.models import ApiToken
from tracker.schemas import Actor
from tracker.services import tokens, users


def test_token_secret_is_shown_once_and_stored_only_hashed(db: Database, alice: Actor):
    created = tokens.create_token(db, alice, {"name": "sheet", "scope": "forecast"})
    assert created.secret.startswith(tokens.PREFIX) and len(created.secret) > 40
    with db.read() as session:
        [row] = session.exec(select(ApiToken)).all()
    assert row.secret_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in repr(row.model_dump())
    listed = tokens.list_tokens(db, alice)
    assert [t.name for t in listed] == ["sheet"]
    assert created.secret not in repr([t.model_dump() for t in listed])


@pytest.mark.parametrize(
    ("role", "scope", "acts_as"),
    [
        ("forecaster", "read", "viewer"),
        ("forecaster", "forecast", "forecaster"),
        ("forecaster", "admin", "forecaster"),
        ("admin", "forecast", "forecaster"),
        ("admin", "admin", "admin"),
        ("viewer", "forecast", "viewer"),
    ],
)
def test_token_acts_with_the_lower_of_role_and_scope(db: Database, role, scope, acts_as):
    member = make_user(db, "member", role)
    secret = tokens.create_token(db, member, {"name": "t", "scope": scope}).secret
    actor, _ = tokens.authenticate(db, secret)
    assert (actor.user_id, actor.name, actor.role) == (member.user_id, "member", acts_as)


def test_expired_revoked_unknown_and_deactivated_tokens_are_refused(db: Database, clock, alice):
    expiring = tokens.create_token(db, alice, {"name": "a", "expires_days": 1}).secret
    revoked = tokens.create_token(db, alice, {"name": "b"})
    tokens.authenticate(db, expiring)
    tokens.revoke_token(db, alice, revoked.token.id)
    with pytest.raises(tokens.Unauthorized):
        tokens.authenticate(db, revoked.secret)
    with pytest.raises(tokens.Unauthorized):
        tokens.authenticate(db, tokens.PREFIX + "not-a-token")
    clock.advance(days=1)
    with pytest.raises(tokens.Unauthorized):
        tokens.authenticate(db, expiring)
    fresh = tokens.create_token(db, alice, {"name": "c"}).secret
    users.set_active(db, Actor.system(), "alice", False)
    with pytest.raises(tokens.Unauthorized):
        tokens.authenticate(db, fresh)


def test_a_member_cannot_revoke_or_list_someone_elses_token(db: Database, alice, bob, admin):
    secret = tokens.create_token(db, alice, {"name": "mine"})
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(db, bob, secret.token.id)
    assert tokens.list_tokens(db, bob) == []
    assert [t.user for t in tokens.list_tokens(db, admin)] == ["alice"]
    assert tokens.revoke_token(db, admin, secret.token.id).revoked_at is not None


def test_bad_token_requests_change_nothing(db: Database, alice):
    with pytest.raises(InvalidInput):
        tokens.create_token(db, alice, {"name": "", "scope": "read"})
    with pytest.raises(InvalidInput):
        tokens.create_token(db, alice, {"name": "x", "scope": "root"})
    with pytest.raises(PermissionDenied):
        tokens.create_token(db, Actor.system(), {"name": "x"})
    assert tokens.list_tokens(db, Actor.system()) == []


def test_tokens_from_the_command_line(env_db):
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    db = Database(env_db)
    make_user(db, "alice")
    made = runner.invoke(app, ["tokens", "create", "bot", "--user", "alice", "--scope", "forecast"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert tokens.authenticate(db, secret)[0].role == "forecaster"
    listed = runner.invoke(app, ["tokens", "list"])
    assert "bot" in listed.stdout and "active" in listed.stdout and secret not in listed.stdout
    token_id = tokens.list_tokens(db, Actor.system())[0].id
    assert runner.invoke(app, ["tokens", "revoke", str(token_id)]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["tokens", "list"]).stdout
    with pytest.raises(tokens.Unauthorized):
        tokens.authenticate(db, secret)
    bad = runner.invoke(app, ["tokens", "create", "x", "--user", "nobody"])
    assert bad.exit_code == 1 and "error:" in bad.stderr
    db.dispose()
