"""Per-request dependencies: one yields the database, one the verified actor from the token."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tracker.db import Database
from tracker.schemas import Actor
from tracker.services import tokens

_bearer = HTTPBearer(auto_error=False, description="a personal token from `tracker tokens create`")


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_actor(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The token's user with its role narrowed by the scope; counted against its rate limit."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise tokens.Unauthorized(tokens.UNAUTHORIZED)
    actor, token_id = tokens.authenticate(db, credentials.credentials)
    request.app.state.limiter.hit(token_id)
    return actor


DB = Annotated[Database, Depends(get_db)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
