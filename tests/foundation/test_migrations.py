"""Migrations: `tracker init` builds the same schema as the models, on SQLite and PostgreSQL."""

import os
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect
from sqlmodel import SQLModel

from tests.support import drop_postgres_schema, fresh_postgres_schema
from tracker.db import Database
from tracker.migrate import current_revision, head_revision, is_up_to_date, upgrade_to_head


@pytest.fixture
def empty_url(empty_database_url):
    return empty_database_url


def test_migrated_schema_equals_the_models(empty_url):
    db = Database(empty_url)
    assert current_revision(db) is None
    upgrade_to_head(db)
    assert is_up_to_date(db) and current_revision(db) == head_revision(db)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    db.dispose()


@pytest.fixture
def models_url(tmp_path) -> Iterator[str]:
    """A second database on the same backend, built straight from the models (create_all)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        url = f"sqlite:///{tmp_path / 'models.db'}"
        schema = None
    else:
        schema, url = fresh_postgres_schema(base)
    db = Database(url)
    SQLModel.metadata.create_all(db.engine)
    db.dispose()
    yield url
    if schema is not None:
        drop_postgres_schema(base, schema)


def _checks(url: str) -> dict[str, dict[str, str]]:
    """Per model table: check-constraint name -> SQL text, as the database reports it."""
    db = Database(url)
    inspector = inspect(db.engine)
    found = {
        table.name: {
            c["name"]: " ".join(c["sqltext"].split())
            for c in inspector.get_check_constraints(table.name)
        }
        for table in SQLModel.metadata.sorted_tables
    }
    db.dispose()
    return found


def _model_checks() -> dict[str, dict[str, str]]:
    return {
        table.name: {
            str(c.name): " ".join(str(c.sqltext).split())
            for c in table.constraints
            if isinstance(c, CheckConstraint)
        }
        for table in SQLModel.metadata.sorted_tables
    }


def test_migrated_check_constraints_equal_the_models(empty_url, models_url):
    """compare_metadata ignores CHECK constraints, so they are compared here.

    Names are compared with the models' CheckConstraint objects directly. The SQL text cannot
    be compared with the models' text on PostgreSQL, which stores a deparsed expression
    (`role IN ('admin', ...)` comes back as
    `role::text = ANY (ARRAY['admin'::character varying, ...]::text[])`), so it is compared
    with what the same server reports for a schema built from the models by create_all.
    SQLite keeps the text verbatim, so there the models' own text must come back as well.
    """
    db = Database(empty_url)
    upgrade_to_head(db)
    db.dispose()
    migrated, built, models = _checks(empty_url), _checks(models_url), _model_checks()

    assert {t: set(c) for t, c in migrated.items()} == {t: set(c) for t, c in models.items()}
    assert sum(len(c) for c in models.values()) >= 10  # the schema really has checks to compare
    assert migrated == built
    if empty_url.startswith("sqlite"):
        assert migrated == models


def test_upgrade_is_idempotent(empty_url):
    db = Database(empty_url)
    upgrade_to_head(db)
    upgrade_to_head(db)
    assert is_up_to_date(db)
    db.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    db.dispose()
