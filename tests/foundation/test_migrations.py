"""Migrations: `tracker init` builds the same schema as the models, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

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
