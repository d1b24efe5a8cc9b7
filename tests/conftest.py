"""Shared fixtures: a fresh database per test on SQLite, or on PostgreSQL when DATABASE_URL says so.

On PostgreSQL every test run gets its own schema (dropped at the end), so runs never see each
other's rows; tables are emptied between tests.
"""

import os
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import tracker.models  # noqa: F401
from tests.support import (
    Clock,
    drop_postgres_schema,
    fresh_postgres_schema,
    make_user,
    question_data,
)
from tracker.config import get_settings
from tracker.db import Database
from tracker.schemas import Actor
from tracker.services import questions
from tracker.services.summary_refresh import BackgroundRefresher


def _postgres_base_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    base = _postgres_base_url()
    if base is None:
        yield None
        return
    schema, url = fresh_postgres_schema(base)
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield url
    drop_postgres_schema(base, schema)


@pytest.fixture
def database_url(postgres_url: str | None, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A URL to an empty database with the full schema."""
    if postgres_url is None:
        url = f"sqlite:///{tmp_path / 'test.db'}"
        db = Database(url)
        SQLModel.metadata.create_all(db.engine)
        db.dispose()
        yield url
        return
    engine = create_engine(postgres_url)
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield postgres_url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(database_url: str, clock: Clock) -> Iterator[Database]:
    database = Database(database_url, clock=clock)
    yield database
    database.dispose()


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A URL to a database with no tables at all (for `tracker init` and migrations)."""
    base = _postgres_base_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema, url = fresh_postgres_schema(base)
    yield url
    drop_postgres_schema(base, schema)


@pytest.fixture
def env_db(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the settings (and so the CLI) at an empty, uninitialised database."""
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    get_settings.cache_clear()
    yield empty_database_url
    get_settings.cache_clear()


@pytest.fixture
def admin(db: Database) -> Actor:
    return make_user(db, "admin", "admin")


@pytest.fixture
def alice(db: Database) -> Actor:
    return make_user(db, "alice")


@pytest.fixture
def bob(db: Database) -> Actor:
    return make_user(db, "bob")


@pytest.fixture
def viewer(db: Database) -> Actor:
    return make_user(db, "vera", "viewer")


@pytest.fixture
def binary_question(db: Database, admin: Actor):  # type: ignore[no-untyped-def]
    return questions.create_question(db, admin, question_data())


@pytest.fixture
def mc_question(db: Database, admin: Actor):  # type: ignore[no-untyped-def]
    return questions.create_question(
        db,
        admin,
        question_data(
            id="deal-scope",
            title="What will a US–Iran agreement cover?",
            type="multiple_choice",
            options=["Nuclear only", "Nuclear and missiles", "No agreement"],
        ),
    )


@pytest.fixture
def held_refreshes(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Background summary refreshes start only when this event is set, so a test sees the
    queued state however fast the refresher thread would have been. Set at teardown too, so
    a failing test never leaves the thread waiting."""
    gate = threading.Event()
    run = BackgroundRefresher._run

    def held(self: BackgroundRefresher, *args):  # type: ignore[no-untyped-def]
        gate.wait()
        return run(self, *args)

    monkeypatch.setattr(BackgroundRefresher, "_run", held)
    yield gate
    gate.set()
