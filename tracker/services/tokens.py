"""Personal API tokens: shown once, stored hashed, expiring, revocable, narrowed by a scope.

A token acts as its user with the lower of the user's role (as stored now) and its scope:
`read` acts as a viewer, `forecast` at most as a forecaster, `admin` with the user's own role.
The services judge permissions on the actor they are given before anything else, so the
narrowed actor is what every check sees.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from sqlmodel import col, select

from tracker.config import get_settings
from tracker.db import Database
from tracker.errors import NotFound, PermissionDenied, parse
from tracker.models import ApiToken, User
from tracker.schemas import Actor, Role, _line
from tracker.services import audit
from tracker.services.permissions import require_self
from tracker.services.users import verified_actor

Scope = Literal["read", "forecast", "admin"]
PREFIX = "ft_"
_RANK: dict[str, int] = {"viewer": 0, "forecaster": 1, "admin": 2}
_SCOPE_ROLE: dict[str, Role] = {"read": "viewer", "forecast": "forecaster", "admin": "admin"}
UNAUTHORIZED = "the API token is missing, unknown, revoked or expired"


class Unauthorized(PermissionDenied):
    """No valid credentials at all (HTTP 401), as opposed to a role that may not (403)."""


class TokenCreate(BaseModel):
    name: Annotated[str, _line(64, required=True)]
    scope: Scope = "read"
    expires_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    id: int
    user: str
    name: str
    scope: Scope
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


class NewToken(BaseModel):
    """The only time the secret exists outside the caller's hands."""

    token: TokenRead
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _read(row: ApiToken, user: str) -> TokenRead:
    assert row.id is not None
    return TokenRead(
        id=row.id,
        user=user,
        name=row.name,
        scope=row.scope,  # type: ignore[arg-type]
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def narrowed_role(role: str, scope: str) -> Role:
    """The lower of the account's role and the token's scope."""
    ceiling = _SCOPE_ROLE[scope]
    return ceiling if _RANK[ceiling] < _RANK[role] else role  # type: ignore[return-value]


def create_token(db: Database, actor: Actor, data: TokenCreate | dict) -> NewToken:
    """A new token for the acting member; the secret is in the result and nowhere else."""
    data = data if isinstance(data, TokenCreate) else parse(TokenCreate, data)
    if actor.user_id is None:
        raise PermissionDenied("tokens belong to a member; name one (tracker tokens --user)")
    now = db.now()
    days = data.expires_days or get_settings().api_token_days
    secret = PREFIX + secrets.token_urlsafe(32)
    with db.write() as session:
        verified_actor(session, actor)
        row = ApiToken(
            user_id=actor.user_id,
            name=data.name,
            scope=data.scope,
            prefix=secret[: len(PREFIX) + 6],
            secret_hash=_hash(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "token.create",
            "api_token",
            str(row.id),
            at=now,
            after={"name": data.name, "scope": data.scope, "expires_at": row.expires_at},
        )
        return NewToken(token=_read(row, actor.name), secret=secret)


def list_tokens(db: Database, actor: Actor, user: str | None = None) -> list[TokenRead]:
    """The member's own tokens (an admin or the operator may list anyone's, or everyone's)."""
    query = select(ApiToken, User.name).join(User, col(User.id) == ApiToken.user_id)
    if user is not None:
        query = query.where(User.name == user)
    if not actor.is_admin:
        query = query.where(ApiToken.user_id == actor.user_id)
    with db.read() as session:
        rows = session.exec(query.order_by(col(ApiToken.created_at).desc())).all()
    return [_read(row, name) for row, name in rows]


def revoke_token(db: Database, actor: Actor, token_id: int) -> TokenRead:
    """Revoke one token at once; its owner or an admin may. Revoking twice changes nothing."""
    now = db.now()
    with db.write() as session:
        checked = verified_actor(session, actor)
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"no API token with id {token_id}")
        if not (actor.is_admin and checked.is_admin):  # a narrowed token stays narrowed
            require_self(checked, row.user_id, "revoke tokens")
        owner = session.get(User, row.user_id)
        if row.revoked_at is None:
            row.revoked_at = now
            session.add(row)
            audit.record(session, actor, "token.revoke", "api_token", str(token_id), at=now)
        return _read(row, owner.name if owner else "")


def authenticate(db: Database, secret: str) -> tuple[Actor, int]:
    """The narrowed actor and the token id for a presented secret, or Unauthorized.

    The account is read as stored now: a deactivated member's tokens stop at once, and a
    demoted one's act with the new role. `last_used_at` is kept to the minute (one write per
    token per minute at most, so reads stay reads).
    """
    if not secret.startswith(PREFIX) or len(secret) > 200:
        raise Unauthorized(UNAUTHORIZED)
    now = db.now()
    with db.read() as session:
        found = session.exec(
            select(ApiToken, User)
            .join(User, col(User.id) == ApiToken.user_id)
            .where(ApiToken.secret_hash == _hash(secret))
        ).first()
    if found is None:
        raise Unauthorized(UNAUTHORIZED)
    row, user = found
    if not hmac.compare_digest(row.secret_hash, _hash(secret)):
        raise Unauthorized(UNAUTHORIZED)
    if row.revoked_at is not None or row.expires_at <= now or not user.is_active:
        raise Unauthorized(UNAUTHORIZED)
    if row.last_used_at is None or now - row.last_used_at >= timedelta(minutes=1):
        with db.write() as session:
            stored = session.get(ApiToken, row.id)
            if stored is not None:
                stored.last_used_at = now
                session.add(stored)
    assert row.id is not None and user.id is not None
    actor = Actor(user_id=user.id, name=user.name, role=narrowed_role(user.role, row.scope))
    return actor, row.id
