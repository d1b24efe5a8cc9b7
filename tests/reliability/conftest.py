"""Fixtures for the reliability tests."""

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from tests.reliability.helpers import populate
from tests.support import Clock, drop_postgres_schema, fresh_postgres_schema
from tracker.db import Database
from tracker.schemas import Actor


@pytest.fixture
def world(db: Database, admin: Actor, alice: Actor, viewer: Actor) -> Database:
    """A database with questions in every state (open, closed, upcoming, resolved, annulled)."""
    populate(db, admin, alice)
    return db


@pytest.fixture
def other_database_url(postgres_url: str | None, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A second, empty database with the full schema (to restore a backup into)."""
    base = os.environ.get("DATABASE_URL", "")
    if postgres_url is None or not base.startswith("postgresql"):
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        engine = create_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    schema, url = fresh_postgres_schema(base)
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield url
    drop_postgres_schema(base, schema)


@pytest.fixture
def other_db(other_database_url: str, clock: Clock) -> Iterator[Database]:
    database = Database(other_database_url, clock=clock)
    yield database
    database.dispose()


@pytest.fixture
def blank_database_url(postgres_url: str | None, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A second database with no tables at all (`tracker import` creates them)."""
    base = os.environ.get("DATABASE_URL", "")
    if postgres_url is None or not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    schema, url = fresh_postgres_schema(base)
    yield url
    drop_postgres_schema(base, schema)
