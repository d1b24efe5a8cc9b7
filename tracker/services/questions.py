"""Questions: create, edit (keeping every wording revision), resolve, annul, read."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.models import Forecast, Question, QuestionRevision, User
from tracker.quantities import resolution_text
from tracker.schemas import (
    ANNULLED,
    CONTINUOUS,
    Actor,
    ContinuousSpec,
    QuestionCreate,
    QuestionEdit,
    QuestionRead,
    QuestionRevisionRead,
    Resolution,
    check_options,
)
from tracker.services import audit, memo, notifications
from tracker.services.permissions import require_admin
from tracker.services.users import verified_actor

WORDING_FIELDS = ("title", "description", "resolution_criteria")


def question_state(question: Question | QuestionRead, now: datetime) -> str:
    if question.status != "open":
        return question.status
    if now < question.open_time:
        return "upcoming"
    return "open" if now < question.close_time else "closed"


def to_read(question: Question, now: datetime) -> QuestionRead:
    fields = question.model_dump(exclude=_RANGE_COLUMNS) | {"range": spec_of(question)}
    return QuestionRead.model_validate(fields | {"state": question_state(question, now)})


def spec_of(question: Question) -> ContinuousSpec | None:
    """A question row's range (None for a categorical question)."""
    if question.type not in CONTINUOUS:
        return None
    return ContinuousSpec(
        lower=question.range_lower,
        upper=question.range_upper,
        open_lower=question.open_lower,
        open_upper=question.open_upper,
        scale=question.scale,
        unit=question.unit,
    )


_RANGE_COLUMNS = {"range_lower", "range_upper", "open_lower", "open_upper", "scale", "unit"}


def range_columns(spec: ContinuousSpec | None) -> dict[str, object]:
    """A question's range as its table columns (a categorical question: none)."""
    if spec is None:
        return {}
    return {
        "range_lower": float(spec.lower),
        "range_upper": float(spec.upper),
        "open_lower": spec.open_lower,
        "open_upper": spec.open_upper,
        "scale": spec.scale,
        "unit": spec.unit,
    }


def get_row(session: Session, question_id: str) -> Question:
    question = session.get(Question, question_id)
    if question is None:
        shown = question_id if len(question_id) <= 100 else question_id[:100] + "…"
        raise NotFound(f"no question with id '{shown}'")
    return question


def add_question(
    session: Session, actor: Actor, data: QuestionCreate, *, at: datetime, flush: bool = True
) -> Question:
    """Insert inside the caller's transaction (shared by the service and the importer, which
    adds many with `flush=False` and flushes them together)."""
    if session.get(Question, data.id) is not None:
        raise Conflict(f"a question with id '{data.id}' already exists")
    fields = data.model_dump(mode="json", exclude={"open_time", "close_time", "range"})
    question = Question(
        **fields,
        **range_columns(data.range),
        open_time=data.open_time,
        close_time=data.close_time,
        created_by=actor.user_id,
        created_at=at,
        updated_at=at,
    )
    session.add(question)
    session.add(
        QuestionRevision(
            question_id=data.id,
            revision=1,
            title=data.title,
            description=data.description,
            resolution_criteria=data.resolution_criteria,
            edited_by=actor.user_id,
            edited_at=at,
        )
    )
    if flush:
        session.flush()
    audit.record(
        session,
        actor,
        "question.create",
        "question",
        data.id,
        at=at,
        after={"title": data.title, "type": data.type},
    )
    return question


def create_question(db: Database, actor: Actor, data: QuestionCreate) -> QuestionRead:
    require_admin(actor, "create questions")
    now = db.now()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "create questions")
        created = to_read(add_question(session, actor, data, at=now), now)
        notifications.on_question_created(session, created.id, at=now)
    _find_evidence(db, actor, created.id)
    return created


MATCHED_FIELDS = (*WORDING_FIELDS, "keywords")
"""Fields that change which evidence a question is found by."""


def _find_evidence(db: Database, actor: Actor, question_id: str) -> None:
    """Link the stored items that bear on a new or reworded question (after the commit)."""
    from tracker.services.evidence_links import match_question

    match_question(db, actor, question_id)


def edit_question(db: Database, actor: Actor, question_id: str, edit: QuestionEdit) -> QuestionRead:
    """Change a question. A wording change adds a revision; options are frozen once forecast."""
    require_admin(actor, "edit questions")
    now = db.now()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "edit questions")
        question = get_row(session, question_id)
        changes = edit.model_dump(exclude_none=True, mode="json")
        changes.pop("close_time", None)
        if edit.close_time is not None:
            if edit.close_time <= question.open_time:
                raise InvalidInput("close_time must be after open_time")
            changes["close_time"] = edit.close_time
        if "options" in changes:
            if changes["options"] == question.options:
                del changes["options"]
            elif question.type in CONTINUOUS:
                raise InvalidInput(f"a {question.type} question has a range, not options")
            else:
                if _forecast_count(session, question_id):
                    raise Conflict("options cannot change once forecasts exist; annul and recreate")
                try:
                    changes["options"] = check_options(question.type, changes["options"])
                except ValueError as exc:
                    raise InvalidInput(f"options: {exc}") from None
        changed = {k: v for k, v in changes.items() if getattr(question, k) != v}
        if not changed:
            return to_read(question, now)
        rematch = any(k in changed for k in MATCHED_FIELDS)
        before = {k: getattr(question, k) for k in changed}
        for key, value in changed.items():
            setattr(question, key, value)
        if any(k in changed for k in WORDING_FIELDS):
            question.revision += 1
            session.add(
                QuestionRevision(
                    question_id=question_id,
                    revision=question.revision,
                    title=question.title,
                    description=question.description,
                    resolution_criteria=question.resolution_criteria,
                    edited_by=actor.user_id,
                    edited_at=now,
                )
            )
        question.updated_at = now
        session.add(question)
        audit.record(
            session,
            actor,
            "question.edit",
            "question",
            question_id,
            at=now,
            before=before,
            after=changed,
        )
        edited = to_read(question, now)
    if rematch:
        _find_evidence(db, actor, question_id)
    return edited


def resolve_question(
    db: Database, actor: Actor, question_id: str, resolution: Resolution
) -> QuestionRead:
    """Resolve to an option or annul; early resolution is allowed, a future one is not."""
    require_admin(actor, "resolve or annul questions")
    now = db.now()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "resolve or annul questions")
        question = get_row(session, question_id)
        apply_resolution(session, actor, question, resolution, now=now)
        notifications.on_question_resolved(session, question_id, at=now)
        return to_read(question, now)


def apply_resolution(
    session: Session, actor: Actor, question: Question, resolution: Resolution, *, now: datetime
) -> None:
    if question.status != "open":
        raise Conflict(f"question '{question.id}' is already {question.status}")
    resolved_time = resolution.resolved_time or min(now, question.close_time)
    if resolved_time > now:
        raise InvalidInput("resolved_time cannot be in the future")
    if resolved_time < question.open_time:
        raise InvalidInput("resolved_time cannot be before the question opened")
    if resolution.annul:
        question.status, question.resolution = "annulled", None
    elif question.type in CONTINUOUS:
        raw = resolution.value if resolution.value is not None else resolution.option
        spec = to_read(question, now).range
        assert spec is not None
        try:
            outcome = resolution_text(question.type, spec, raw)
        except ValueError as exc:
            raise InvalidInput(f"resolution of '{question.id}': {exc}") from None
        question.status, question.resolution = "resolved", outcome
    else:
        option = resolution.option
        if resolution.value is not None:
            raise InvalidInput(f"'{question.id}' resolves to one of its options, not a value")
        if option not in question.options:
            raise InvalidInput(
                f"'{option}' is not an option of '{question.id}' (options: {question.options})"
            )
        question.status, question.resolution = "resolved", option
    question.resolved_time = resolved_time
    question.resolution_note = resolution.note
    question.resolution_source = resolution.source
    question.updated_at = now
    session.add(question)
    audit.record(
        session,
        actor,
        "question.annul" if resolution.annul else "question.resolve",
        "question",
        question.id,
        at=now,
        before={"status": "open"},
        after={
            "resolution": question.resolution or ANNULLED,
            "resolved_time": resolved_time,
            "note": resolution.note,
            "source": resolution.source,
        },
    )


def get_question(db: Database, question_id: str) -> QuestionRead:
    with db.read() as session:
        return to_read(get_row(session, question_id), db.now())


def list_questions(
    db: Database,
    *,
    states: set[str] | None = None,
    tag: str | None = None,
    question_type: str | None = None,
) -> list[QuestionRead]:
    now = db.now()
    rows = [
        q if q.state == (state := question_state(q, now)) else q.model_copy(update={"state": state})
        for q in memo.memoised(db, "questions", lambda: _all_questions(db, now))
        if not question_type or q.type == question_type
    ]
    if states:
        rows = [q for q in rows if q.state in states]
    if tag:
        rows = [q for q in rows if tag in q.tags]
    return rows


def _all_questions(db: Database, now: datetime) -> list[QuestionRead]:
    """Every question in list order; `list_questions` re-derives the time-dependent state."""
    with db.read() as session:
        query = select(Question).order_by(Question.close_time, Question.id)
        return [to_read(q, now) for q in session.exec(query)]


def list_revisions(db: Database, question_id: str) -> list[QuestionRevisionRead]:
    with db.read() as session:
        get_row(session, question_id)
        query = (
            select(QuestionRevision, User.name)
            .join(User, col(QuestionRevision.edited_by) == User.id, isouter=True)
            .where(QuestionRevision.question_id == question_id)
            .order_by(QuestionRevision.revision)
        )
        return [
            QuestionRevisionRead(
                revision=r.revision,
                title=r.title,
                description=r.description,
                resolution_criteria=r.resolution_criteria,
                edited_by=name,
                edited_at=r.edited_at,
            )
            for r, name in session.exec(query)
        ]


def all_tags(db: Database) -> list[str]:
    return sorted({t for q in list_questions(db) for t in q.tags})


def _forecast_count(session: Session, question_id: str) -> int:
    query = select(func.count()).select_from(Forecast).where(Forecast.question_id == question_id)
    return session.exec(query).one()
