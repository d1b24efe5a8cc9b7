"""Accounts and roles. Passwords are argon2id hashes with the library's recommended parameters."""

import contextlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, text
from sqlmodel import Session, select

from tracker.config import get_settings
from tracker.db import Database
from tracker.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracker.models import User
from tracker.schemas import Actor, Role, UserCreate, UserRead, check_password_strength
from tracker.services import audit
from tracker.services.permissions import require_admin

FIRST_ADMIN_LOCK = 0x7472_6163_6B01  # "track" + 1: the advisory lock of the first-run check
_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile


@dataclass(frozen=True)
class LockoutPolicy:
    """After `max_failures` wrong passwords in a row an account is locked for `duration`."""

    max_failures: int
    duration: timedelta


def lockout_policy() -> LockoutPolicy:
    """The policy the settings ask for (`LOGIN_MAX_FAILURES`, `LOGIN_LOCKOUT_MINUTES`)."""
    settings = get_settings()
    return LockoutPolicy(
        max_failures=settings.login_max_failures,
        duration=timedelta(minutes=settings.login_lockout_minutes),
    )


def _read(user: User) -> UserRead:
    assert user.id is not None
    return UserRead(
        id=user.id,
        name=user.name,
        display_name=user.display_name,
        role=user.role,  # type: ignore[arg-type]
        is_active=user.is_active,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
    )


def actor_for(user: UserRead) -> Actor:
    return Actor(user_id=user.id, name=user.name, role=user.role)


def verified_actor(session: Session, actor: Actor) -> Actor:
    """The actor as the database knows it now, inside the write's transaction.

    An Actor is built at sign-in; a page or script may hold it after an admin deactivated or
    demoted the account. Writes re-check it here: the account must exist under that name and be
    active, and permissions are judged on its stored role. The operator at the command line
    (`Actor.system()`, no user id) is trusted as is. The row stays locked until the write ends
    (FOR NO KEY UPDATE on PostgreSQL), so one account's writes happen one at a time.
    """
    if actor.user_id is None:
        return actor
    user = session.get(User, actor.user_id, with_for_update={"key_share": True})
    if user is None or user.name != actor.name:
        raise PermissionDenied("this account does not exist (any more); please sign in again")
    if not user.is_active:
        raise PermissionDenied("your account is not active; ask an admin")
    if user.role == actor.role:
        return actor
    return Actor(user_id=user.id, name=user.name, role=user.role)  # type: ignore[arg-type]


def _by_name(session: Session, name: str, *, lock: bool = False) -> User | None:
    """The account of this name, ignoring case (`Alice` is `alice`: user names are ASCII
    letters, digits and `._-`, so case is the only look-alike). `lock`: hold the row until the
    write ends (FOR NO KEY UPDATE on PostgreSQL)."""
    query = select(User).where(func.lower(User.name) == name.lower())
    return session.exec(query.with_for_update(key_share=True) if lock else query).first()


def has_users(db: Database) -> bool:
    with db.read() as session:
        return (session.exec(select(func.count()).select_from(User)).one() or 0) > 0


def create_user(db: Database, actor: Actor | None, data: UserCreate) -> UserRead:
    """Create an account. With no users at all, anyone may create the first admin (first run)."""
    now = db.now()
    with db.write() as session:
        if actor is None and not db.sqlite:
            # Two first-run sign-ups must not both see an empty table: on PostgreSQL the count
            # waits for this lock (held to the end of the transaction, so the other's admin is
            # committed and counted); SQLite's BEGIN IMMEDIATE already serialises writers.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FIRST_ADMIN_LOCK})
        first_run = session.exec(select(func.count()).select_from(User)).one() == 0
        if actor is None:
            if not first_run or data.role != "admin":
                raise PermissionDenied("only an admin can add users")
            actor = Actor.system()
        else:
            require_admin(verified_actor(session, actor), "add users")
        existing = _by_name(session, data.name)
        if existing is not None:
            same = "" if existing.name == data.name else " (user names ignore case)"
            raise Conflict(f"a user named '{existing.name}' already exists{same}")
        password = data.password.get_secret_value() if data.password else None
        user = User(
            name=data.name,
            display_name=data.display_name,
            role=data.role,
            password_hash=_hasher.hash(password) if password else None,
            created_at=now,
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            actor,
            "user.create",
            "user",
            data.name,
            at=now,
            after={"role": data.role, "has_password": password is not None},
        )
        return _read(user)


def ensure_forecasters(
    session: Session, names: Iterable[str], *, at: datetime, actor: Actor
) -> tuple[dict[str, User], int]:
    """The accounts for the names an imported file gives, creating password-less forecasters
    for the unknown ones in one flush; returns every named user and how many were created."""
    stored = {u.name.lower(): u for u in session.exec(select(User))}  # names ignore case
    users: dict[str, User] = {}
    missing: list[str] = []
    for name in sorted(set(names)):
        user = stored.get(name.lower())
        if user is None:
            user = stored[name.lower()] = User(name=name, role="forecaster", created_at=at)
            session.add(user)
            missing.append(name)
            audit.record(
                session,
                actor,
                "user.create",
                "user",
                name,
                at=at,
                after={"role": "forecaster", "has_password": False, "via": "import"},
            )
        users[name] = user
    session.flush()
    return users, len(missing)


def set_role(db: Database, actor: Actor, name: str, role: Role) -> UserRead:
    require_admin(actor, "change roles")
    now = db.now()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "change roles")
        user = _require(session, name)
        if user.role == "admin" and role != "admin" and _admin_count(session) <= 1:
            raise Conflict("cannot remove the last admin")
        before = user.role
        if before != role:
            user.role = role
            user.token_version += 1  # signed in under the old role: sign in again
        session.add(user)
        audit.record(
            session,
            actor,
            "user.role",
            "user",
            name,
            at=now,
            before={"role": before},
            after={"role": role},
        )
        return _read(user)


def set_active(db: Database, actor: Actor, name: str, active: bool) -> UserRead:
    require_admin(actor, "deactivate users")
    now = db.now()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "deactivate users")
        user = _require(session, name)
        if not active and user.role == "admin" and _admin_count(session) <= 1:
            raise Conflict("cannot deactivate the last admin")
        if user.is_active != active:
            before = user.is_active
            user.is_active = active
            user.token_version += 1
            session.add(user)
            audit.record(
                session,
                actor,
                "user.active",
                "user",
                name,
                at=now,
                before={"active": before},
                after={"active": active},
            )
        return _read(user)


def set_password(db: Database, actor: Actor, name: str, password: str) -> None:
    """Admins set anyone's password; a user may change their own."""
    if not actor.is_admin and actor.name != name:
        raise PermissionDenied("you can only change your own password")
    try:
        check_password_strength(password)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    now = db.now()
    with db.write() as session:
        if not verified_actor(session, actor).is_admin and actor.name != name:
            raise PermissionDenied("you can only change your own password")
        user = _require(session, name)
        user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
        user.token_version += 1  # every open tab and saved sign-in of this user ends
        session.add(user)
        audit.record(session, actor, "user.password", "user", name, at=now)


def token_version(db: Database, user_id: int) -> int:
    """The account's current sign-in version (see `User.token_version`)."""
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return user.token_version


def revoke_sign_ins(db: Database, user_id: int) -> None:
    """Sign this account out everywhere: every session and saved sign-in made so far ends."""
    now = db.now()
    with db.write() as session:
        user = session.get(User, user_id, with_for_update={"key_share": True})
        if user is None:
            return
        user.token_version += 1
        session.add(user)
        actor = Actor(user_id=user.id, name=user.name, role=user.role)  # type: ignore[arg-type]
        audit.record(session, actor, "user.sign_out", "user", user.name, at=now)


def authenticate(db: Database, name: str, password: str) -> UserRead:
    """Check a password, with a per-user lockout after repeated failures.

    The account's row is locked for the whole check (FOR NO KEY UPDATE on PostgreSQL; SQLite's
    write transaction already holds the database), so concurrent attempts on one account are
    counted one after another: none reads a stale failure count or misses a fresh lock.
    """
    now = db.now()
    policy = lockout_policy()
    failure = PermissionDenied(FAILURE)
    with db.write() as session:
        user = _by_name(session, name, lock=True)
        if user is None or not user.is_active or user.password_hash is None:
            _spend_a_verify(_dummy_hash(), password)  # the same work as a real check
            raise failure
        if user.locked_until is not None and user.locked_until > now:
            # same answer and cost as a wrong password: the lockout must not tell an attacker
            # which names exist; the attempt is not counted and cannot unlock the account
            _spend_a_verify(user.password_hash, password)
            raise failure
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= policy.max_failures:
                user.locked_until = now + policy.duration
                user.failed_logins = 0
                audit.record(session, Actor.system(), "user.locked", "user", name, at=now)
            session.add(user)
            session.commit()
            raise failure from None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
        session.add(user)
        return _read(user)


FAILURE = "wrong user name or password"  # also for a locked account (see the README)
_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A hash made with the live parameters, verified for unknown names (argon2's cost is in
    the verify, so an unknown name costs what a known one does)."""
    if not _DUMMY:
        _DUMMY.append(_hasher.hash(secrets.token_hex(16)))
    return _DUMMY[0]


def _spend_a_verify(stored: str, password: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(stored, password)


def get_user(db: Database, name: str) -> UserRead:
    with db.read() as session:
        return _read(_require(session, name))


def get_user_by_id(db: Database, user_id: int) -> UserRead:
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return _read(user)


def list_users(db: Database) -> list[UserRead]:
    with db.read() as session:
        return [_read(u) for u in session.exec(select(User).order_by(User.name))]


def _require(session: Session, name: str) -> User:
    user = _by_name(session, name)
    if user is None:
        raise NotFound(f"no user named '{name}'")
    return user


def _admin_count(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin", User.is_active)
    return session.exec(query).one()
