"""The `comments` section of the interchange document: each question's discussion, written by
the export and merged by the import under the same rules as the other sections (all or
nothing, idempotent, byte-identical round trip).

Rows refer to each other by natural keys: the author by name, a reply's parent by `ref` (a
number local to the document), a linked forecast by its author's forecast time on the same
question, a linked evidence item by content hash. A deleted comment travels as its tombstone."""

from typing import Annotated, Any

import pydantic
from pydantic import Field
from sqlmodel import Session, col, select

from tracker.errors import InvalidInput
from tracker.models import EvidenceItem, Forecast, Question, User
from tracker.models_discussion import COMMENT_MAX_CHARS, Comment, CommentRevision
from tracker.schemas import UtcDatetime

USER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
UserName = Annotated[str, Field(pattern=USER_NAME)]
Body = Annotated[str, Field(max_length=COMMENT_MAX_CHARS)]


class CommentRevisionRecord(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    body: Body
    written_at: UtcDatetime


class CommentRecord(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    ref: int = Field(ge=1)
    question_id: str = Field(max_length=100)
    author: UserName
    created_at: UtcDatetime
    body: Body = ""
    parent: int | None = Field(default=None, ge=1)
    mentions: list[UserName] = Field(default_factory=list, max_length=100)
    forecast_time: UtcDatetime | None = None
    evidence: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    edited_at: UtcDatetime | None = None
    deleted_at: UtcDatetime | None = None
    deleted_by: UserName | None = None
    revisions: list[CommentRevisionRecord] = Field(default_factory=list, max_length=1000)

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> "CommentRecord":
        if self.deleted_at is None and not self.body.strip():
            raise ValueError("body is empty but the comment is not deleted")
        if self.deleted_at is not None and (self.body or self.revisions):
            raise ValueError("a deleted comment keeps no words (body and revisions empty)")
        if self.parent is not None and self.parent >= self.ref:
            raise ValueError("parent must be an earlier comment's ref")
        return self


def export_comments(session: Session, names: dict[int | None, str]) -> list[dict[str, Any]]:
    """Every comment in (question, time) order, replies referring to their parent's ref."""
    from tracker.interchange.format import format_time

    rows = session.exec(
        select(Comment).order_by(col(Comment.question_id), col(Comment.created_at), col(Comment.id))
    ).all()
    if not rows:
        return []
    refs = {row.id: index for index, row in enumerate(rows, start=1)}
    forecast_times = dict(
        session.exec(
            select(Forecast.id, Forecast.created_at).where(
                col(Forecast.id).in_([r.forecast_id for r in rows if r.forecast_id])
            )
        ).all()
    )
    hashes = dict(
        session.exec(
            select(EvidenceItem.id, EvidenceItem.content_hash).where(
                col(EvidenceItem.id).in_([r.evidence_id for r in rows if r.evidence_id])
            )
        ).all()
    )
    history: dict[int, list[dict[str, str]]] = {}
    for old in session.exec(
        select(CommentRevision).order_by(col(CommentRevision.written_at), col(CommentRevision.id))
    ):
        history.setdefault(old.comment_id, []).append(
            {"body": old.body, "written_at": format_time(old.written_at)}
        )
    out = []
    for row in rows:
        record: dict[str, Any] = {
            "ref": refs[row.id],
            "question_id": row.question_id,
            "author": names[row.author_id],
            "created_at": format_time(row.created_at),
            "body": row.body,
        }
        optional = {
            "parent": refs.get(row.parent_id) if row.parent_id else None,
            "mentions": list(row.mentions or []) or None,
            "forecast_time": format_time(forecast_times[row.forecast_id])
            if row.forecast_id in forecast_times
            else None,
            "evidence": hashes.get(row.evidence_id) if row.evidence_id else None,
            "edited_at": format_time(row.edited_at) if row.edited_at else None,
            "deleted_at": format_time(row.deleted_at) if row.deleted_at else None,
            "deleted_by": names.get(row.deleted_by) if row.deleted_by else None,
            "revisions": history.get(row.id or 0),
        }
        record.update({k: v for k, v in optional.items() if v is not None})
        out.append(record)
    return out


def merge_comments(
    session: Session, records: list[CommentRecord], questions: dict[str, Question]
) -> int:
    """Add the comments not stored yet; returns how many were added. A stored comment with the
    same author and time but other words is a conflict, and the whole import stops."""
    users = {u.name: u.id for u in session.exec(select(User))}
    stored = {
        (row.question_id, row.author_id, row.created_at): row
        for row in session.exec(select(Comment))
    }
    ids: dict[int, int] = {}
    added = 0
    for index, record in enumerate(records):
        where = f"comments[{index}] (ref {record.ref})"
        if record.question_id not in questions:
            raise InvalidInput(f"{where}: no question with id {record.question_id!r}")
        author = _user(users, record.author, where)
        existing = stored.get((record.question_id, author, record.created_at))
        if existing is not None:
            if existing.body != record.body or (existing.deleted_at is None) != (
                record.deleted_at is None
            ):
                raise InvalidInput(f"{where}: a different comment already exists at that time")
            ids[record.ref] = existing.id or 0
            continue
        if record.parent is not None and record.parent not in ids:
            raise InvalidInput(f"{where}: parent {record.parent} is not an earlier comment")
        row = Comment(
            question_id=record.question_id,
            author_id=author,
            parent_id=ids.get(record.parent) if record.parent else None,
            body=record.body,
            mentions=list(record.mentions),
            forecast_id=_forecast(session, record, author, where),
            evidence_id=_evidence(session, record, where),
            created_at=record.created_at,
            edited_at=record.edited_at,
            deleted_at=record.deleted_at,
            deleted_by=_user(users, record.deleted_by, where) if record.deleted_by else None,
        )
        session.add(row)
        session.flush()
        ids[record.ref] = row.id or 0
        session.add_all(
            CommentRevision(comment_id=row.id or 0, body=old.body, written_at=old.written_at)
            for old in record.revisions
        )
        added += 1
    return added


def _user(users: dict[str, int | None], name: str, where: str) -> int:
    user_id = users.get(name)
    if user_id is None:
        raise InvalidInput(f"{where}: no user named '{name}' (list it under 'users')")
    return user_id


def _forecast(session: Session, record: CommentRecord, author: int, where: str) -> int | None:
    if record.forecast_time is None:
        return None
    forecast_id = session.exec(
        select(Forecast.id).where(
            Forecast.question_id == record.question_id,
            Forecast.user_id == author,
            Forecast.created_at == record.forecast_time,
        )
    ).first()
    if forecast_id is None:
        raise InvalidInput(f"{where}: the linked forecast is not in the file or the database")
    return forecast_id


def _evidence(session: Session, record: CommentRecord, where: str) -> int | None:
    if record.evidence is None:
        return None
    evidence_id = session.exec(
        select(EvidenceItem.id).where(EvidenceItem.content_hash == record.evidence)
    ).first()
    if evidence_id is None:
        raise InvalidInput(f"{where}: the linked evidence is not in the file or the database")
    return evidence_id
