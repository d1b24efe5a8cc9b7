"""Web sign-in sessions: whether a signed-in browser tab may go on acting as its user.

Passwords and lockout live in `users.py`. Here: a login is good for `session_timeout_minutes`,
and the account must still exist, be active and keep its role, checked on every script run so a
deactivation or role change takes effect on the user's next click. Single sign-on (OIDC) maps a
verified email to an existing account; it never creates one.
"""

import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from itsdangerous import BadData, URLSafeTimedSerializer

from tracker.db import Database
from tracker.errors import NotFound, PermissionDenied
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
    version: int = 0  # the account's token version at sign-in (see `User.token_version`)


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
    email_verified: object = None,
) -> LoginSession:
    """Map a provider-verified email to an existing, active account.

    The provider must say the email is verified (`email_verified` claim true): otherwise
    anyone who can register that address at the provider would sign in as its owner here.
    An explicit `mapping` (email → user name) wins; otherwise an email in one of the
    `allowed_domains` maps to the user whose name is its local part.
    """
    if email_verified is not True and str(email_verified).lower() != "true":
        raise PermissionDenied(
            "the sign-in provider did not confirm that this email address is verified"
        )
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
    version = users.token_version(db, user.id)
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
    return LoginSession(
        user_id=user.id, name=user.name, login_at=now, method=method, version=version
    )


def sign_out(db: Database, login: LoginSession) -> None:
    """Sign out: this session, every other one of the user and every saved sign-in end (a copied
    cookie replayed later is refused)."""
    users.revoke_sign_ins(db, login.user_id)


def renewed(db: Database, login: LoginSession) -> LoginSession:
    """This tab's session carried over the user's own password change (which signed out every
    other session and device): only for the session that just made the change."""
    return replace(login, version=users.token_version(db, login.user_id))


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
    if users.token_version(db, login.user_id) != login.version:
        raise PermissionDenied(
            "you were signed out (sign-out, or a password or role change); please sign in again"
        )
    return user


# ------------------------------------------------------------------ "keep me signed in" tokens


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="tracker.keep-signed-in")


MAX_TOKEN_CHARS = 512  # a real token is ~120; anything longer is not ours


def session_token(db: Database, login: LoginSession, secret: bytes) -> str:
    """A signed token (itsdangerous) that lets this browser resume the session after a reload.

    It binds the user, the login time, the method and the account's token version, so it
    expires with the session timeout and dies at sign-out or a password, role or active change
    (the version moves on). The signature proves it is ours; the version is the server side.
    """
    payload = [login.user_id, int(login.login_at.timestamp()), login.method, login.version]
    return _serializer(secret).dumps(payload)


def resume_session(db: Database, token: str, secret: bytes) -> LoginSession:
    """The session a token stands for, or PermissionDenied when it is forged, malformed or
    revoked (never another error, whatever the cookie holds)."""
    invalid = PermissionDenied("your saved sign-in is no longer valid; please sign in again")
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise invalid
    try:
        user_id, stamp, method, version = _serializer(secret).loads(token)
        if not all(_bounded(v) for v in (user_id, stamp, version)):
            raise ValueError("not small whole numbers")
        if method not in ("password", "oidc"):
            raise ValueError("unknown method")
        login_at = datetime.fromtimestamp(stamp, tz=UTC)
        current = users.token_version(db, user_id)
    except (BadData, ValueError, TypeError, OverflowError, OSError, NotFound):
        raise invalid from None
    if version != current:
        raise invalid
    return LoginSession(user_id=user_id, name="", login_at=login_at, method=method, version=version)


def _bounded(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**40


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
