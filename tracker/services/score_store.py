"""Score tables persisted in the database (`ScoreSnapshot`), valid for one write version.

Only a cache: reading a stale or missing row returns None and the caller recomputes; failing
to store one (e.g. two processes storing at once) loses nothing.
"""

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import delete

from tracker.db import Database
from tracker.errors import TrackerError
from tracker.models import ScoreSnapshot

log = logging.getLogger(__name__)


def load(db: Database, name: str, version: int) -> bytes | None:
    """The stored payload of `name` if it was computed at `version`."""
    with db.read() as session:
        row = session.get(ScoreSnapshot, name)
        return row.payload if row is not None and row.version == version else None


def save(db: Database, name: str, version: int, payload: bytes) -> None:
    """Replace the stored `name` (not audited: it changes no record, only a cache)."""
    try:
        with db.write() as session:
            session.exec(delete(ScoreSnapshot).where(ScoreSnapshot.name == name))  # type: ignore[arg-type]
            session.add(
                ScoreSnapshot(name=name, version=version, payload=payload, created_at=db.now())
            )
    except (SQLAlchemyError, TrackerError) as exc:  # a concurrent store won: theirs is as good
        log.info("score table %s not stored: %s", name, exc)
