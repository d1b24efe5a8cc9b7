"""Discussion tables: a comment thread per question, with the edit history kept.

Separate from models.py only to keep that file short; `tracker.models` imports these so the
metadata (and Alembic) sees one schema."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

COMMENT_MAX_CHARS = 5000


class Comment(SQLModel, table=True):
    """A comment or a reply. A deleted comment stays as a tombstone (body emptied) so the
    replies under it keep their place."""

    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint(f"length(body) <= {COMMENT_MAX_CHARS}", name="ck_comment_length"),
        CheckConstraint(
            "(deleted_at IS NULL) OR (body = '')", name="ck_comment_tombstone_is_empty"
        ),
        Index("ix_comment_question_time", "question_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(foreign_key="question.id", max_length=100)
    author_id: int = Field(foreign_key="user_account.id")
    parent_id: int | None = Field(default=None, foreign_key="comment.id")
    body: str = Field(default="", sa_type=Text)
    mentions: list[str] = Field(default_factory=list, sa_type=JSON)
    forecast_id: int | None = Field(default=None, foreign_key="forecast.id")
    evidence_id: int | None = Field(default=None, foreign_key="evidence_item.id")
    created_at: datetime
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_by: int | None = Field(default=None, foreign_key="user_account.id")


class CommentRevision(SQLModel, table=True):
    """An earlier wording of an edited comment (the history readers can open)."""

    __tablename__ = "comment_revision"

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    body: str = Field(default="", sa_type=Text)
    written_at: datetime
