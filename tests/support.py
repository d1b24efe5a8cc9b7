"""Helpers shared by tests (fixtures live in conftest.py)."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.db import Database
from tracker.schemas import Actor, QuestionCreate, UserCreate
from tracker.services import users

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class Clock:
    """The server clock under the test's control."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def fresh_postgres_schema(base_url: str) -> tuple[str, str]:
    """Create an empty schema; return (schema name, URL whose search_path points at it)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def drop_postgres_schema(base_url: str, schema: str) -> None:
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def make_user(db: Database, name: str, role: str = "forecaster") -> Actor:
    user = users.create_user(
        db,
        Actor.system(),
        UserCreate(name=name, role=role, password="correct horse"),  # type: ignore[arg-type]
    )
    return users.actor_for(user)


def question_data(**overrides: object) -> QuestionCreate:
    fields: dict[str, object] = {
        "id": "us-strike",
        "title": "Will the US strike Iran before 2027-07-01?",
        "type": "binary",
        "description": "Background.",
        "resolution_criteria": "Two major wire services report a US strike on Iranian territory.",
        "open_time": "2026-02-06T00:00:00Z",
        "close_time": "2027-07-01T00:00:00Z",
        "tags": ["iran"],
    }
    fields.update(overrides)
    return QuestionCreate.model_validate(fields)
