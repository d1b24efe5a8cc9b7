"""Import: an interchange document into the database, all or nothing and idempotent.

`parse_document` (tracker.interchange.format) validates the rows first; then, in one write
transaction, the accounts, questions, evidence, sessions and forecasts are merged in dependency
order (the backup sections by `tracker.interchange.backup.Restorer`). Re-importing the same file
adds nothing; a row that contradicts what is stored is refused and nothing changes."""

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pydantic
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.gc_pause import collector_paused
from tracker.interchange.backup import Restorer
from tracker.interchange.bulk import ForecastWriter
from tracker.interchange.comments_section import merge_comments
from tracker.interchange.format import (
    QUESTION_KEYS,
    RANGE_KEYS,
    ForecastRow,
    QuestionRecord,
    check_resolution,
    check_revisions,
    format_time,
    loads,
    parse_document,
    short,
)
from tracker.interchange.writing import forecast_cdfs, forecast_vectors, question_json
from tracker.models import Forecast, Question, User
from tracker.quantities import forecast_cdf
from tracker.schemas import ANNULLED, Actor, QuestionCreate
from tracker.scoring.continuous import N_POINTS
from tracker.services import audit
from tracker.services.forecasts import (
    SUM_TOLERANCE,
    binary_vector,
    normalise_probabilities,
)
from tracker.services.permissions import require_admin
from tracker.services.questions import add_question, range_columns, spec_of
from tracker.services.users import ensure_forecasters, verified_actor


class ImportSummary(pydantic.BaseModel):
    questions_added: int = 0
    questions_unchanged: int = 0
    forecasts_added: int = 0
    forecasts_unchanged: int = 0
    users_added: int = 0
    feeds_added: int = 0
    evidence_added: int = 0
    links_added: int = 0
    sessions_added: int = 0
    comments_added: int = 0


def import_document(
    db: Database, actor: Actor, document: dict[str, Any], *, consume: bool = False
) -> ImportSummary:
    """Import a document (with any backup sections): everything or nothing; re-importing the
    same file adds nothing. `consume`: `document` is ours to empty while it is read."""
    require_admin(actor, "import files")
    with collector_paused():
        return _import(db, actor, document, consume=consume)


def _import(
    db: Database, actor: Actor, document: dict[str, Any], *, consume: bool
) -> ImportSummary:
    parsed = parse_document(document, consume=consume)
    now = db.now()
    summary = ImportSummary()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "import files")
        restorer = Restorer(session, actor, now, summary)
        restorer.merge_users(parsed.users)
        known = _merge_questions(session, actor, parsed.questions, summary, restorer, now=now)
        restorer.merge_evidence(parsed.feeds, parsed.evidence, known)
        restorer.merge_sessions(parsed.sessions, known)
        _merge_forecasts(session, actor, parsed.forecasts, known, summary, restorer, now=now)
        summary.comments_added = merge_comments(session, parsed.comments, known)
        audit.record(session, actor, "import", "database", "-", at=now, after=summary.model_dump())
    return summary


def import_text(db: Database, actor: Actor, text: str | bytes) -> ImportSummary:
    return import_document(db, actor, loads(text), consume=True)


def _merge_questions(
    session: Session,
    actor: Actor,
    records: list[QuestionRecord],
    summary: ImportSummary,
    restorer: Restorer,
    *,
    now: datetime,
) -> dict[str, Question]:
    known = {q.id: q for q in session.exec(select(Question))}
    with session.no_autoflush:  # new questions are written together by the flush below
        for index, record in enumerate(records):
            _merge_question(session, actor, index, record, known, summary, restorer, now=now)
    session.flush()
    return known


def _merge_question(
    session: Session,
    actor: Actor,
    index: int,
    record: QuestionRecord,
    known: dict[str, Question],
    summary: ImportSummary,
    restorer: Restorer,
    *,
    now: datetime,
) -> None:
    where = f"questions[{index}] (id '{record.id}')"
    check_resolution(record, where, now)
    if record.revisions:
        wording = record.model_dump(include={"title", "description", "resolution_criteria"})
        check_revisions(record.revisions, wording, where)
    existing = known.get(record.id)
    if existing is not None:
        diff = _first_difference(existing, record)
        if diff is None and record.revisions:
            diff = restorer.revisions_differ(existing, record.revisions)
        if diff:
            raise InvalidInput(f"{where}: already exists with a different {diff}")
        summary.questions_unchanged += 1
        return
    create = QuestionCreate.model_validate(
        record.model_dump(include=set(QuestionCreate.model_fields))
    )
    # restoring revisions reads the first one back: only then flush at once
    question = add_question(session, actor, create, at=now, flush=bool(record.revisions))
    _apply_record_resolution(question, record)
    if record.revisions:
        restorer.restore_revisions(question, record.revisions)
    known[record.id] = question
    summary.questions_added += 1


def _apply_record_resolution(question: Question, record: QuestionRecord) -> None:
    if record.resolution is not None:
        annulled = record.resolution == ANNULLED
        question.status = "annulled" if annulled else "resolved"
        question.resolution = None if annulled else record.resolution
        question.resolved_time = record.resolved_time
    question.resolution_note = record.resolution_note
    question.resolution_source = record.resolution_source


def _first_difference(existing: Question, record: QuestionRecord) -> str | None:
    ours = question_json(existing)
    theirs = question_json(_preview(record))
    for key in (
        *QUESTION_KEYS,
        "sources",
        "resolution_note",
        "resolution_source",
        "hide_until_forecast",
        "range",
        *RANGE_KEYS,
    ):
        if ours.get(key) != theirs.get(key):
            return key
    return None


def _preview(record: QuestionRecord) -> Question:
    fields = record.model_dump(mode="json", exclude={"open_time", "close_time", "resolved_time"})
    question = Question(
        **{k: v for k, v in fields.items() if k in Question.model_fields},
        **range_columns(record.range),
        open_time=record.open_time,
        close_time=record.close_time,
        created_at=record.open_time,
        updated_at=record.open_time,
    )
    _apply_record_resolution(question, record)
    return question


class _Where:
    """A forecast row's label for a message (`forecasts[i] (question, user, time)`), made
    only when a message needs it: most rows never do."""

    __slots__ = ("index", "record")

    def __init__(self, index: int, record: ForecastRow) -> None:
        self.index, self.record = index, record

    def __str__(self) -> str:
        r = self.record
        return f"forecasts[{self.index}] ({short(r.question_id)}, {r.user}, {format_time(r.time)})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _merge_forecasts(
    session: Session,
    actor: Actor,
    records: list[ForecastRow],
    questions: dict[str, Question],
    summary: ImportSummary,
    restorer: Restorer,
    *,
    now: datetime,
) -> None:
    existing = _existing_forecasts(session, {r.question_id for r in records})
    names = {r.user for r in records}
    users, created = ensure_forecasters(session, names, at=now, actor=actor)
    summary.users_added += created
    user_ids = {name: user.id or 0 for name, user in users.items()}
    seen: dict[tuple[str, str, datetime], int] = {}
    # per question, read once: (question, whether it is numeric/date, options, open, end)
    targets: dict[str, tuple[Question, bool, list[str], datetime, datetime, int]] = {}
    writer = ForecastWriter(session, expected=len(records))
    try:
        for index, record in enumerate(records):
            records[index] = None  # type: ignore[call-overload]  # written a batch at a time: let go
            where = _Where(index, record)
            target = targets.get(record.question_id)
            if target is None:
                question = questions.get(record.question_id)
                if question is None:
                    raise InvalidInput(
                        f"{where}: no question with id {short(record.question_id)!r}"
                    )
                end = question.close_time
                if question.resolved_time is not None:
                    end = min(end, question.resolved_time)
                target = (
                    question,
                    spec_of(question) is not None,
                    question.options,
                    question.open_time,
                    end,
                    question.revision,
                )
                targets[record.question_id] = target
            question, continuous, options, open_time, end, revision = target
            vector = None
            if (
                not continuous
                and record.probabilities is not None
                and record.probability is None
                and record.cdf is None
            ):
                vector = _plain_vector(options, record.probabilities)
            cdf = None
            if vector is None:
                vector, cdf = _record_values(record, question, where)
            at = record.time
            if at < open_time or (at < end if record.late else at >= end) or at > now:
                _check_window(record, question, where, now)
            if record.session is None and record.phase is None and record.revision is None:
                links = {"question_revision": revision}
            else:
                links = restorer.forecast_fields(
                    session_ref=record.session,
                    phase=record.phase,
                    revision=record.revision,
                    user=record.user,
                    question=question,
                    where=where,
                )
            key = (record.question_id, record.user, at)
            if key in seen:
                raise InvalidInput(
                    f"{where}: duplicate of forecasts[{seen[key]}] (same question, user and time)"
                )
            seen[key] = index
            if existing and key in existing:
                old_values, old_rationale = existing[key]
                new_values = cdf if cdf is not None else vector
                same = len(old_values) == len(new_values) and all(
                    math.isclose(a, b, abs_tol=1e-12)
                    for a, b in zip(old_values, new_values, strict=True)
                )
                if not same or old_rationale != record.rationale:
                    raise InvalidInput(f"{where}: a different forecast already exists at that time")
                summary.forecasts_unchanged += 1
                continue
            writer.add(
                (
                    question.id,
                    user_ids[record.user],
                    at,
                    record.rationale,
                    "import",
                    record.hidden,
                    links.get("session_id"),
                    links.get("session_phase"),
                    None,  # summary_id
                    links["question_revision"],
                ),
                vector,
                cdf,
            )
        summary.forecasts_added = writer.close()
    finally:
        writer.restore_cache()


def _record_values(
    record: ForecastRow, question: Question, where: object
) -> tuple[list[float], list[float] | None]:
    """The option vector, or for a numeric or date question ([] and) the checked CDF."""
    spec = spec_of(question)
    if spec is None:
        if record.cdf is not None:
            raise InvalidInput(f"{where}: 'cdf' is only for numeric and date questions")
        return _record_vector(record, question, where), None
    if record.probabilities is not None or record.probability is not None:
        raise InvalidInput(
            f"{where}: '{question.id}' is a {question.type} question: give 'cdf' "
            f"({N_POINTS} numbers), not probabilities"
        )
    if record.cdf is None:
        raise InvalidInput(f"{where}: a {question.type} forecast needs 'cdf' ({N_POINTS} numbers)")
    try:
        return [], forecast_cdf(question.type, spec, cdf=record.cdf)
    except ValueError as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def _record_vector(record: ForecastRow, question: Question, where: object) -> list[float]:
    try:
        if record.probabilities is not None and record.probability is not None:
            raise InvalidInput("give either 'probabilities' or 'probability', not both")
        if record.probability is not None:
            if question.type != "binary":
                raise InvalidInput(
                    "'probability' is only for binary questions; use 'probabilities'"
                )
            return normalise_probabilities(question.options, binary_vector(record.probability))
        if record.probabilities is None:
            raise InvalidInput("a forecast needs 'probabilities' (or 'probability' for binary)")
        fast = _plain_vector(question.options, record.probabilities)
        if fast is not None:
            return fast
        return normalise_probabilities(question.options, record.probabilities)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def _plain_vector(options: list[str], probabilities: dict[str, float]) -> list[float] | None:
    """`normalise_probabilities`' result for the usual row (every option once, values in
    [0, 1] summing to 1), without its per-value checks; None sends any other row to it, so
    a bad row gets the same message. The values are finite floats already (both of
    `parse_document`'s paths make them so): only their range and sum are left to check."""
    if len(probabilities) != len(options) or not options:
        return None
    try:
        given = [probabilities[o] for o in options]
    except KeyError:
        return None
    if not (min(given) >= 0.0 and max(given) <= 1.0):
        return None
    total = math.fsum(given)
    if not abs(total - 1.0) <= SUM_TOLERANCE:  # also a NaN somewhere
        return None
    return [(v + 0.0) / total for v in given]  # -0.0 + 0.0 is 0.0, as there


def _check_window(record: ForecastRow, question: Question, where: object, now: datetime) -> None:
    end = question.close_time
    if question.resolved_time is not None:
        end = min(end, question.resolved_time)
    if record.time < question.open_time:
        raise InvalidInput(
            f"{where}: made before the question opened ({format_time(question.open_time)})"
        )
    if record.late:  # made live before the close or resolution was moved back over it
        if record.time < end:
            raise InvalidInput(f"{where}: marked late but made before {format_time(end)}")
    elif record.time >= end:
        raise InvalidInput(
            f"{where}: made after the question closed or resolved ({format_time(end)})"
        )
    if record.time > now:
        raise InvalidInput(f"{where}: time is in the future")


def _existing_forecasts(
    session: Session, question_ids: Iterable[str]
) -> dict[tuple[str, str, datetime], tuple[list[float], str]]:
    ids = list(question_ids)
    if not ids:
        return {}
    query = (
        select(
            Forecast.id, Forecast.question_id, User.name, Forecast.created_at, Forecast.rationale
        )
        .join(User, col(Forecast.user_id) == User.id)
        .where(col(Forecast.question_id).in_(ids))
    )
    rows = session.exec(query).all()  # columns, not objects: a re-import reads every row
    vectors = forecast_vectors(session) if rows else {}
    cdfs = forecast_cdfs(session) if rows else {}
    return {
        (q, name, at): (vectors.get(fid or 0) or cdfs.get(fid or 0, []), why)
        for fid, q, name, at, why in rows
    }
