"""Discussion on each question: threaded comments, edits with their history, tombstones.

The anchoring guard covers comments too, since a comment carries someone's reasoning and often
their number: on a hide-until-forecast question a forecaster reads the thread only once they
have forecast (the same rule as the team's numbers, `views.team_visible`), and while a team
session forecasts a question blind its thread is closed to everyone. Bodies are plain text; the
UI renders them as text with links made safe, never as markup. The HTTP API, the post-mortem and
an admin's export read through `discussion` and `closed_question_ids`, so the guard holds there
as well."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracker.models import EvidenceItem, Forecast, Question, QuestionEvidence, User
from tracker.models_discussion import COMMENT_MAX_CHARS, Comment, CommentRevision
from tracker.schemas import Actor, QuestionRead
from tracker.services import audit, questions, sessions
from tracker.services.permissions import may_see_others
from tracker.services.users import verified_actor
from tracker.services.views import team_visible
from tracker.text import check_text

EDIT_WINDOW = timedelta(minutes=15)
"""How long an author may edit a comment; after that it stands (it may still be deleted)."""
MAX_DEPTH = 4
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})")

CLOSED_BLIND = "Discussion is closed while a team session forecasts this question blind."
HIDDEN_UNTIL_FORECAST = (
    "The discussion stays hidden until you make your own forecast, like the team's numbers, "
    "so that your first estimate is your own."
)
VIEWERS_READ_ONLY = "Viewers can read the discussion but not post."


class CommentCreate(BaseModel):
    body: str
    parent_id: int | None = None
    forecast_id: int | None = None
    evidence_id: int | None = None


class CommentRead(BaseModel):
    id: int
    question_id: str
    author: str
    author_display: str
    parent_id: int | None
    depth: int
    body: str
    mentions: list[str]
    forecast_id: int | None
    forecast_label: str
    evidence_id: int | None
    evidence_title: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    deleted_by_admin: bool
    editable_until: datetime | None


class CommentRevisionRead(BaseModel):
    body: str
    written_at: datetime


@dataclass
class Discussion:
    """The thread as one user may see it now, and what they may do."""

    visible: bool
    can_post: bool
    notice: str = ""
    comments: list[CommentRead] = field(default_factory=list)


# ------------------------------------------------------------------ reading


def discussion(db: Database, actor: Actor, question_id: str) -> Discussion:
    question = questions.get_question(db, question_id)
    visible, notice = _may_read(db, actor, question)
    if not visible:
        return Discussion(visible=False, can_post=False, notice=notice)
    can_post = actor.role != "viewer" and question.state in ("open", "closed", "upcoming")
    if actor.role == "viewer":
        notice = VIEWERS_READ_ONLY
    with db.read() as session:
        rows = session.exec(
            select(Comment)
            .where(Comment.question_id == question_id)
            .order_by(col(Comment.created_at), col(Comment.id))
        ).all()
        comments = _threaded(session, rows, actor, db.now())
    return Discussion(visible=True, can_post=can_post, notice=notice, comments=comments)


def comment_history(db: Database, actor: Actor, comment_id: int) -> list[CommentRevisionRead]:
    """Earlier wordings of a comment, oldest first (only for those who may read the thread)."""
    with db.read() as session:
        comment = _comment(session, comment_id)
        question_id = comment.question_id
    if not discussion(db, actor, question_id).visible:
        raise PermissionDenied("you cannot read this discussion now")
    with db.read() as session:
        rows = session.exec(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment_id)
            .order_by(col(CommentRevision.written_at), col(CommentRevision.id))
        ).all()
        return [CommentRevisionRead(body=r.body, written_at=r.written_at) for r in rows]


def _may_read(db: Database, actor: Actor, question: QuestionRead) -> tuple[bool, str]:
    if question.id in sessions.questions_in_blind_sessions(db) and question.state == "open":
        return False, CLOSED_BLIND
    if team_visible(actor, question, _has_forecast(db, actor, question.id)):
        return True, ""
    return False, HIDDEN_UNTIL_FORECAST


def closed_question_ids(db: Database, actor: Actor) -> set[str]:
    """The questions with comments whose discussion `actor` may not read now (the rule of
    `discussion`, for every commented question at once): what an export made for them leaves
    out."""
    now = db.now()
    with db.read() as session:
        commented = sorted(set(session.exec(select(Comment.question_id)).all()))
        if not commented:
            return set()
        rows = session.exec(select(Question).where(col(Question.id).in_(commented))).all()
        own: set[str] = set()
        if actor.user_id is not None:
            own = set(
                session.exec(
                    select(Forecast.question_id).where(
                        col(Forecast.question_id).in_(commented),
                        Forecast.user_id == actor.user_id,
                    )
                ).all()
            )
    blind = sessions.questions_in_blind_sessions(db)
    closed = set()
    for q in rows:
        is_open = questions.question_state(q, now) == "open"
        if (q.id in blind and is_open) or not may_see_others(
            actor,
            hide_until_forecast=q.hide_until_forecast,
            is_open=is_open,
            has_forecast=q.id in own,
            blind=False,
        ):
            closed.add(q.id)
    return closed


def _has_forecast(db: Database, actor: Actor, question_id: str) -> bool:
    if actor.user_id is None:
        return False
    with db.read() as session:
        return (
            session.exec(
                select(Forecast.id).where(
                    Forecast.question_id == question_id, Forecast.user_id == actor.user_id
                )
            ).first()
            is not None
        )


def _threaded(
    session: Session, rows: list[Comment], actor: Actor, now: datetime
) -> list[CommentRead]:
    """Depth-first order: each comment followed by its replies, oldest first."""
    users = {u.id: u for u in session.exec(select(User)).all()}
    forecast_ids = {r.forecast_id for r in rows if r.forecast_id}
    evidence_ids = {r.evidence_id for r in rows if r.evidence_id}
    forecasts = {
        f.id: f for f in session.exec(select(Forecast).where(col(Forecast.id).in_(forecast_ids)))
    }
    titles = dict(
        session.exec(
            select(EvidenceItem.id, EvidenceItem.title).where(
                col(EvidenceItem.id).in_(evidence_ids)
            )
        ).all()
    )
    children: dict[int | None, list[Comment]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[CommentRead] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            ordered.append(_read(row, depth, users, forecasts, titles, actor, now))
            walk(row.id, depth + 1)

    walk(None, 0)
    return ordered


def _read(row, depth, users, forecasts, titles, actor: Actor, now: datetime) -> CommentRead:
    author = users.get(row.author_id)
    forecast = forecasts.get(row.forecast_id)
    label = ""
    if forecast is not None:
        label = f"forecast of {forecast.created_at:%Y-%m-%d %H:%M} UTC"
    editable = row.deleted_at is None and row.author_id == actor.user_id
    deadline = row.created_at + EDIT_WINDOW
    return CommentRead(
        id=row.id,
        question_id=row.question_id,
        author=author.name if author else "?",
        author_display=(author.display_name or author.name) if author else "?",
        parent_id=row.parent_id,
        depth=depth,
        body=row.body,
        mentions=list(row.mentions or []),
        forecast_id=row.forecast_id,
        forecast_label=label,
        evidence_id=row.evidence_id,
        evidence_title=titles.get(row.evidence_id, "") if row.evidence_id else "",
        created_at=row.created_at,
        edited_at=row.edited_at,
        deleted=row.deleted_at is not None,
        deleted_by_admin=row.deleted_at is not None and row.deleted_by != row.author_id,
        editable_until=deadline if editable and now < deadline else None,
    )


# ------------------------------------------------------------------ writing


def add_comment(db: Database, actor: Actor, question_id: str, data: CommentCreate) -> CommentRead:
    body = _body(data.body)
    _require_open_thread(db, actor, question_id)
    now = db.now()
    with db.write() as session:
        actor = verified_actor(session, actor)
        if actor.user_id is None:
            raise PermissionDenied("comments are written by a signed-in member")
        depth = _check_parent(session, question_id, data.parent_id)
        _check_forecast(session, question_id, actor, data.forecast_id)
        _check_evidence(session, question_id, data.evidence_id)
        row = Comment(
            question_id=question_id,
            author_id=actor.user_id,
            parent_id=data.parent_id,
            body=body,
            mentions=_mentions(session, body),
            forecast_id=data.forecast_id,
            evidence_id=data.evidence_id,
            created_at=now,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "comment.create",
            "comment",
            row.id,
            at=now,
            after={"question_id": question_id, "parent_id": data.parent_id},
        )
        users = {u.id: u for u in session.exec(select(User).where(User.id == actor.user_id))}
        forecasts = {}
        if data.forecast_id:
            forecasts = {data.forecast_id: session.get(Forecast, data.forecast_id)}
        titles = {}
        if data.evidence_id:
            item = session.get(EvidenceItem, data.evidence_id)
            titles = {data.evidence_id: item.title if item else ""}
        return _read(row, depth, users, forecasts, titles, actor, now)


def edit_comment(db: Database, actor: Actor, comment_id: int, body: str) -> None:
    """The author rewords a comment within `EDIT_WINDOW`; the old wording is kept."""
    text = _body(body)
    now = db.now()
    with db.write() as session:
        actor = verified_actor(session, actor)
        row = _comment(session, comment_id)
        if row.author_id != actor.user_id:
            raise PermissionDenied("only its author can edit a comment")
        if row.deleted_at is not None:
            raise Conflict("this comment was deleted")
        if now >= row.created_at + EDIT_WINDOW:
            minutes = int(EDIT_WINDOW.total_seconds() // 60)
            raise Conflict(f"a comment can be edited for {minutes} minutes after posting")
        if text == row.body:
            return
        session.add(
            CommentRevision(
                comment_id=comment_id, body=row.body, written_at=row.edited_at or row.created_at
            )
        )
        row.body = text
        row.mentions = _mentions(session, text)
        row.edited_at = now
        session.add(row)
        audit.record(session, actor, "comment.edit", "comment", comment_id, at=now)


def delete_comment(db: Database, actor: Actor, comment_id: int) -> None:
    """Author or admin: the words go (history too), a tombstone keeps the replies in place."""
    now = db.now()
    with db.write() as session:
        actor = verified_actor(session, actor)
        row = _comment(session, comment_id)
        if row.author_id != actor.user_id and not actor.is_admin:
            raise PermissionDenied("only its author or an admin can delete a comment")
        if row.deleted_at is not None:
            return
        for old in session.exec(
            select(CommentRevision).where(CommentRevision.comment_id == comment_id)
        ):
            session.delete(old)
        row.body = ""
        row.mentions = []
        row.deleted_at = now
        row.deleted_by = actor.user_id
        session.add(row)
        audit.record(
            session,
            actor,
            "comment.delete",
            "comment",
            comment_id,
            at=now,
            after={"by_author": row.author_id == actor.user_id},
        )


def _require_open_thread(db: Database, actor: Actor, question_id: str) -> None:
    state = discussion(db, actor, question_id)
    if not state.visible:
        raise PermissionDenied(state.notice)
    if actor.role == "viewer":
        raise PermissionDenied(VIEWERS_READ_ONLY)
    if not state.can_post:
        raise Conflict("this question is resolved; its discussion is closed")


def _body(text: str) -> str:
    try:
        text.encode("utf-8")
        body = check_text(text, max_length=COMMENT_MAX_CHARS, multiline=True).strip()
    except UnicodeEncodeError:
        raise InvalidInput("comment: contains text that is not valid Unicode") from None
    except ValueError as exc:
        raise InvalidInput(f"comment: {exc}") from None
    if not body:
        raise InvalidInput("comment: write something first")
    return body


def _comment(session: Session, comment_id: int) -> Comment:
    row = session.get(Comment, comment_id)
    if row is None:
        raise NotFound(f"no comment {comment_id}")
    return row


def _check_parent(session: Session, question_id: str, parent_id: int | None) -> int:
    if parent_id is None:
        return 0
    depth, current = 1, session.get(Comment, parent_id)
    if current is None or current.question_id != question_id:
        raise InvalidInput("the comment you reply to is not on this question")
    while current.parent_id is not None:
        depth += 1
        current = session.get(Comment, current.parent_id)
    if depth > MAX_DEPTH:
        raise InvalidInput(f"replies nest at most {MAX_DEPTH} deep; reply higher up")
    return depth


def _check_forecast(session: Session, question_id: str, actor: Actor, forecast_id: int | None):
    if forecast_id is None:
        return
    forecast = session.get(Forecast, forecast_id)
    if forecast is None or forecast.question_id != question_id or forecast.hidden:
        raise InvalidInput("the linked forecast is not on this question")
    if forecast.user_id != actor.user_id:
        raise InvalidInput("you can link your own forecasts only")


def _check_evidence(session: Session, question_id: str, evidence_id: int | None) -> None:
    if evidence_id is None:
        return
    linked = session.exec(
        select(QuestionEvidence).where(
            QuestionEvidence.question_id == question_id,
            QuestionEvidence.evidence_id == evidence_id,
        )
    ).first()
    if linked is None:
        raise InvalidInput("the linked evidence is not linked to this question")


def _mentions(session: Session, body: str) -> list[str]:
    """Members named as @name (case-insensitive), as their account names, once each."""
    wanted = {m.lower() for m in _MENTION.findall(body)}
    if not wanted:
        return []
    names = session.exec(select(User.name).where(col(User.is_active))).all()
    return sorted(n for n in names if n.lower() in wanted)
