"""Create or upgrade a database to the newest schema with Alembic (what `tracker init` runs)."""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from tracker.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Alembic's default version table (the migrations' env does not rename it).
VERSION_TABLE = "alembic_version"


def alembic_config(url: str) -> "Config":
    from alembic.config import Config  # Alembic (and Mako, Pygments) only where it is used

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(db: Database) -> None:
    from alembic import command

    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(db: Database) -> str | None:
    """The revision the database is stamped with, None before `tracker init`: Alembic's
    version table read directly, since every command asks and loading Alembic costs 0.3 s."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def head_revision(db: Database) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()


def is_up_to_date(db: Database) -> bool:
    return current_revision(db) == head_revision(db)
