"""Web sign-in sessions: whether a signed-in browser tab may go on acting as its user.

Passwords and lockout live in `users.py`. Here: a login is good for `session_timeout_minutes`,
and the account must still exist, be active and keep its role, checked on every script run so a
deactivation or role change takes effect on the user's next click. Single sign-on (OIDC) maps a
verified email to an existing account; it never creates one.
"""

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.db import Database
from tracker.errors import NotFound, PermissionDenied
from tracker.models import User
from tracker.schemas import Actor, UserRead
from tracker.services import audit, users


class SessionExpired(PermissionDenied):
    """The login is older than the session timeout."""


@dataclass(frozen=True)
class LoginSession:
    user_id: int
    name: str
    login_at: datetime
    method: str = "password"


def sign_in(db: Database, name: str, password: str) -> LoginSession:
    """Check the password (with lockout) and open a session stamped by the server clock."""
    user = users.authenticate(db, name.strip(), password)
    return _open(db, user, "password")


def sign_in_oidc(
    db: Database,
    email: str | None,
    *,
    mapping: Mapping[str, str] | None = None,
    allowed_domains: Iterable[str] = (),
) -> LoginSession:
    """Map a provider-verified email to an existing, active account.

    An explicit `mapping` (email → user name) wins; otherwise an email in one of the
    `allowed_domains` maps to the user whose name is its local part.
    """
    if not email or "@" not in email:
        raise PermissionDenied("the sign-in provider did not give an email address")
    email = email.strip().lower()
    lookup = {k.strip().lower(): v for k, v in (mapping or {}).items()}
    local, _, domain = email.partition("@")
    name = lookup.get(email)
    if name is None and domain in {d.strip().lower() for d in allowed_domains}:
        name = local
    if name is None:
        raise PermissionDenied(f"{email} is not linked to an account here; ask an admin")
    try:
        user = users.get_user(db, name)
    except NotFound:
        raise PermissionDenied(f"{email} is not linked to an account here; ask an admin") from None
    if not user.is_active:
        raise PermissionDenied("this account is deactivated; ask an admin")
    return _open(db, user, "oidc")


def _open(db: Database, user: UserRead, method: str) -> LoginSession:
    now = db.now()
    with db.write() as session:
        audit.record(
            session,
            users.actor_for(user),
            "user.login",
            "user",
            user.name,
            at=now,
            after={"method": method},
        )
    return LoginSession(user_id=user.id, name=user.name, login_at=now, method=method)


def check_session(db: Database, login: LoginSession, *, timeout_minutes: int) -> UserRead:
    """The session's user as stored now, or an error saying why they must sign in again."""
    age = db.now() - login.login_at
    if age > timedelta(minutes=timeout_minutes):
        raise SessionExpired("your session has expired; please sign in again")
    try:
        user = users.get_user_by_id(db, login.user_id)
    except NotFound:
        raise PermissionDenied("this account no longer exists") from None
    if not user.is_active:
        raise PermissionDenied("this account has been deactivated; ask an admin")
    return user


# ------------------------------------------------------------------ "keep me signed in" tokens


def session_token(db: Database, login: LoginSession, secret: bytes) -> str:
    """A signed token that lets this browser resume the session after a page reload.

    It binds the user, the login time and a fingerprint of the current password hash, so it
    expires with the session timeout and dies when the password changes (a reset signs every
    other device out). It is not stored server-side: the signature is the proof.
    """
    payload = f"{login.user_id}.{int(login.login_at.timestamp())}.{login.method}"
    return f"{payload}.{_signature(db, payload, login.user_id, secret)}"


def resume_session(db: Database, token: str, secret: bytes) -> LoginSession:
    """The session a token stands for, or PermissionDenied when it is forged or stale."""
    invalid = PermissionDenied("your saved sign-in is no longer valid; please sign in again")
    try:
        user_id, stamp, method, signature = token.split(".")
        payload = f"{user_id}.{stamp}.{method}"
        expected = _signature(db, payload, int(user_id), secret)
        login_at = datetime.fromtimestamp(int(stamp), tz=UTC)
    except (ValueError, NotFound):
        raise invalid from None
    if not hmac.compare_digest(signature, expected):
        raise invalid
    return LoginSession(user_id=int(user_id), name="", login_at=login_at, method=method)


def _signature(db: Database, payload: str, user_id: int, secret: bytes) -> str:
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        fingerprint = hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]
    message = f"{payload}.{fingerprint}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def load_or_create_secret(path: Path) -> bytes:
    """The signing key: read from `path`, or created there (mode 0600) on first use."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server process created it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def actor(user: UserRead) -> Actor:
    return users.actor_for(user)


def needs_first_admin(db: Database) -> bool:
    """True on a fresh install: the first visitor may create the first admin account."""
    return not users.has_users(db)
