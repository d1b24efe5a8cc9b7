"""The API under test: FastAPI's TestClient over the test database, and tokens per member."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.notifications.conftest import hook, mailbox, team_hook  # noqa: F401  (fixtures)
from tracker.api import create_app
from tracker.config import Settings
from tracker.db import Database
from tracker.schemas import Actor
from tracker.services import tokens


@pytest.fixture
def api(db: Database) -> Iterator[TestClient]:
    settings = Settings(api_rate_limit=1000, api_max_body_bytes=1_000_000)
    with TestClient(create_app(db, settings), raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def token_for(db: Database) -> Callable[..., dict[str, str]]:
    """`token_for(actor, scope)`: the Authorization header of a fresh token."""

    def make(actor: Actor, scope: str = "forecast", **fields: object) -> dict[str, str]:
        secret = tokens.create_token(db, actor, {"name": "test", "scope": scope, **fields}).secret
        return {"Authorization": f"Bearer {secret}"}

    return make
