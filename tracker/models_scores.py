"""Computed score tables kept in the database, so that a restart finds them (issue 11).

A row is valid only while the database's write version (`tracker.services.memo.write_version`,
the newest audited write that can change a score) is the one it was computed at; any later
forecast hide, resolution, annulment, edit or import makes it stale and it is recomputed.
"""

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel


class ScoreSnapshot(SQLModel, table=True):
    __tablename__ = "score_snapshot"

    name: str = Field(primary_key=True, max_length=32)
    version: int
    payload: bytes = Field(sa_type=LargeBinary)
    created_at: datetime
