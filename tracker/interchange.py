"""The JSON interchange format (DESIGN §4): export, all-or-nothing idempotent import, CSV.

Export is canonical (sorted rows, fixed key order, fixed formatting) so that
export → import into an empty database → export reproduces the file byte for byte. The
whole-database sections (users, feeds, evidence, sessions, wording revisions, forecasts'
session tags) live in `tracker.backup`.
"""

import csv
import io
import json
import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import pydantic
from sqlmodel import Session, col, select

from tracker import backup
from tracker.backup import format_time, parse_rows, short
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.models import Forecast, ForecastProbability, Question, User
from tracker.schemas import (
    ANNULLED,
    Actor,
    LongText,
    Probability,
    QuestionCreate,
    Rationale,
    ShortText,
    UtcDatetime,
)
from tracker.services import audit
from tracker.services.forecasts import binary_vector, normalise_probabilities
from tracker.services.permissions import require_admin
from tracker.services.questions import add_question
from tracker.services.users import ensure_forecaster, verified_actor

FORMAT = "forecast-tracker/1"
QUESTION_KEYS = (
    "id",
    "title",
    "type",
    "options",
    "description",
    "resolution_criteria",
    "open_time",
    "close_time",
    "resolution",
    "resolved_time",
    "tags",
)


class QuestionRecord(QuestionCreate):
    """A question row: the create fields plus its resolution and optional extras."""

    model_config = pydantic.ConfigDict(extra="forbid")

    resolution: str | None = pydantic.Field(default=None, max_length=200)
    resolved_time: UtcDatetime | None = None
    resolution_note: LongText = ""
    resolution_source: ShortText = ""
    revisions: list[backup.RevisionRecord] | None = pydantic.Field(default=None, max_length=1000)


class ForecastRecord(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    question_id: str = pydantic.Field(max_length=100)
    user: str = pydantic.Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    time: UtcDatetime
    probabilities: dict[str, Probability] | None = None
    probability: Probability | None = None
    rationale: Rationale = ""
    hidden: bool = False
    revision: int | None = pydantic.Field(default=None, ge=1)
    session: int | None = pydantic.Field(default=None, ge=1)
    phase: Literal["blind", "update"] | None = None
    late: bool = False


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


# ---------------------------------------------------------------- export


def export_document(db: Database, *, credentials: bool = False) -> dict[str, Any]:
    """The whole database as one interchange document: questions, forecasts (hidden ones too)
    and the backup sections; password hashes only when `credentials` is set."""
    with db.read() as session:
        questions = session.exec(select(Question).order_by(Question.id)).all()
        rows = session.exec(
            select(Forecast, User.name)
            .join(User, col(Forecast.user_id) == User.id)
            .order_by(Forecast.question_id, Forecast.created_at, User.name)
        ).all()
        vectors = _vectors(session)
        extras = backup.export_extras(
            session, questions, [f for f, _ in rows], credentials=credentials
        )
    options = {q.id: q.options for q in questions}
    question_rows = []
    for q in questions:
        row = _question_json(q)
        if q.id in extras.revisions:
            row["revisions"] = extras.revisions[q.id]
        question_rows.append(row)
    return {
        "format": FORMAT,
        "questions": question_rows,
        "forecasts": [
            _forecast_json(f, name, options[f.question_id], vectors[f.id or 0])
            | extras.forecast_fields.get(f.id or 0, {})
            for f, name in rows
        ],
        **extras.sections,
    }


def _vectors(session: Session) -> dict[int, list[float]]:
    vectors: dict[int, list[float]] = {}
    query = select(ForecastProbability.forecast_id, ForecastProbability.probability).order_by(
        ForecastProbability.forecast_id, ForecastProbability.option_index
    )
    for forecast_id, probability in session.exec(query):
        vectors.setdefault(forecast_id, []).append(probability)
    return vectors


def _question_json(q: Question) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": q.id,
        "title": q.title,
        "type": q.type,
        "options": q.options,
        "description": q.description,
        "resolution_criteria": q.resolution_criteria,
        "open_time": format_time(q.open_time),
        "close_time": format_time(q.close_time),
        "resolution": ANNULLED if q.status == "annulled" else q.resolution,
        "resolved_time": format_time(q.resolved_time) if q.resolved_time else None,
        "tags": q.tags,
    }
    if q.sources:
        row["sources"] = q.sources
    if q.resolution_note:
        row["resolution_note"] = q.resolution_note
    if q.resolution_source:
        row["resolution_source"] = q.resolution_source
    if not q.hide_until_forecast:
        row["hide_until_forecast"] = False
    return row


def _forecast_json(f: Forecast, user: str, options: list[str], vector: list[float]) -> dict:
    row: dict[str, Any] = {
        "question_id": f.question_id,
        "user": user,
        "time": format_time(f.created_at),
        "probabilities": dict(zip(options, vector, strict=True)),
        "rationale": f.rationale,
    }
    if f.hidden:
        row["hidden"] = True
    return row


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export_json(db: Database, *, credentials: bool = False) -> str:
    return dumps(export_document(db, credentials=credentials))


def spreadsheet_safe(text: str) -> str:
    """Free text that a spreadsheet would run as a formula (=, +, -, @) gets a leading quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_forecasts_csv(db: Database) -> str:
    """One row per forecast and option, for spreadsheet users (free text formula-safe)."""
    document = export_document(db)
    titles = {q["id"]: q["title"] for q in document["questions"]}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["question_id", "question_title", "user", "time", "option", "probability", "rationale"]
    )
    for f in document["forecasts"]:
        for option, p in f["probabilities"].items():
            writer.writerow(
                [
                    f["question_id"],
                    spreadsheet_safe(titles[f["question_id"]]),
                    f["user"],
                    f["time"],
                    spreadsheet_safe(option),
                    repr(p),
                    spreadsheet_safe(f["rationale"]),
                ]
            )
    return buffer.getvalue()


# ---------------------------------------------------------------- import


def loads(text: str | bytes) -> dict[str, Any]:
    """Parse a document, with the line and column of a syntax error."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput("not valid JSON: the file is not UTF-8 text") from None
    except RecursionError:
        raise InvalidInput("not an interchange document: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise InvalidInput(f"not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(document, dict):
        raise InvalidInput("not an interchange document: expected a JSON object at the top")
    return document


def import_document(db: Database, actor: Actor, document: dict[str, Any]) -> ImportSummary:
    """Import a document (with any backup sections): everything or nothing; re-importing the
    same file adds nothing."""
    require_admin(actor, "import files")
    if document.get("format") != FORMAT:
        got = repr(document.get("format"))[:50]
        raise InvalidInput(f"'format' must be '{FORMAT}' (got {got})")
    unknown = set(document) - {"format", "questions", "forecasts", *backup.SECTIONS}
    if unknown:
        raise InvalidInput(f"unknown top-level key(s): {sorted(unknown)[:5]}")
    questions = parse_rows(document.get("questions", []), "questions", QuestionRecord)
    forecasts = parse_rows(document.get("forecasts", []), "forecasts", ForecastRecord)
    sections = backup.parse_sections(document)
    _check_unique_ids(questions)
    now = db.now()
    summary = ImportSummary()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "import files")
        restorer = backup.Restorer(session, actor, now)
        restorer.merge_users(sections.users)
        known = _merge_questions(session, actor, questions, summary, restorer, now=now)
        restorer.merge_evidence(sections.feeds, sections.evidence, known)
        restorer.merge_sessions(sections.sessions, known)
        _merge_forecasts(session, actor, forecasts, known, summary, restorer, now=now)
        summary.users_added += restorer.counts.users_added
        for name in ("feeds_added", "evidence_added", "links_added", "sessions_added"):
            setattr(summary, name, getattr(restorer.counts, name))
        audit.record(session, actor, "import", "database", "-", at=now, after=summary.model_dump())
    return summary


def _check_unique_ids(questions: list[QuestionRecord]) -> None:
    seen: dict[str, int] = {}
    for index, q in enumerate(questions):
        if q.id in seen:
            raise InvalidInput(
                f"questions[{index}]: duplicate id '{q.id}' (also questions[{seen[q.id]}])"
            )
        seen[q.id] = index


def _merge_questions(
    session: Session,
    actor: Actor,
    records: list[QuestionRecord],
    summary: ImportSummary,
    restorer: backup.Restorer,
    *,
    now: datetime,
) -> dict[str, Question]:
    known = {q.id: q for q in session.exec(select(Question))}
    for index, record in enumerate(records):
        where = f"questions[{index}] (id '{record.id}')"
        _check_resolution(record, where, now)
        if record.revisions:
            wording = record.model_dump(include={"title", "description", "resolution_criteria"})
            backup.check_revisions(record.revisions, wording, where)
        existing = known.get(record.id)
        if existing is not None:
            diff = _first_difference(existing, record)
            if diff is None and record.revisions:
                diff = restorer.revisions_differ(existing, record.revisions)
            if diff:
                raise InvalidInput(f"{where}: already exists with a different {diff}")
            summary.questions_unchanged += 1
            continue
        create = QuestionCreate.model_validate(
            record.model_dump(include=set(QuestionCreate.model_fields))
        )
        question = add_question(session, actor, create, at=now)
        _apply_record_resolution(question, record)
        if record.revisions:
            restorer.restore_revisions(question, record.revisions)
        known[record.id] = question
        summary.questions_added += 1
    session.flush()
    return known


def _check_resolution(record: QuestionRecord, where: str, now: datetime) -> None:
    options = record.options or []
    if record.resolution not in (None, ANNULLED, *options):
        raise InvalidInput(
            f"{where}: resolution {short(record.resolution)!r} is not one of {short(options, 200)}"
        )
    if record.resolved_time is not None:
        if record.resolution is None:
            raise InvalidInput(f"{where}: resolved_time is set but resolution is null")
        if record.resolved_time < record.open_time:
            raise InvalidInput(f"{where}: resolved_time is before open_time")
        if record.resolved_time > now:
            raise InvalidInput(f"{where}: resolved_time is in the future")


def _apply_record_resolution(question: Question, record: QuestionRecord) -> None:
    if record.resolution is not None:
        annulled = record.resolution == ANNULLED
        question.status = "annulled" if annulled else "resolved"
        question.resolution = None if annulled else record.resolution
        question.resolved_time = record.resolved_time
    question.resolution_note = record.resolution_note
    question.resolution_source = record.resolution_source


def _first_difference(existing: Question, record: QuestionRecord) -> str | None:
    ours = _question_json(existing)
    theirs = _question_json(_preview(record))
    for key in (
        *QUESTION_KEYS,
        "sources",
        "resolution_note",
        "resolution_source",
        "hide_until_forecast",
    ):
        if ours.get(key) != theirs.get(key):
            return key
    return None


def _preview(record: QuestionRecord) -> Question:
    fields = record.model_dump(mode="json", exclude={"open_time", "close_time", "resolved_time"})
    question = Question(
        **{k: v for k, v in fields.items() if k in Question.model_fields},
        open_time=record.open_time,
        close_time=record.close_time,
        created_at=record.open_time,
        updated_at=record.open_time,
    )
    _apply_record_resolution(question, record)
    return question


def _merge_forecasts(
    session: Session,
    actor: Actor,
    records: list[ForecastRecord],
    questions: dict[str, Question],
    summary: ImportSummary,
    restorer: backup.Restorer,
    *,
    now: datetime,
) -> None:
    existing = _existing_forecasts(session, {r.question_id for r in records})
    users = {u.name: u for u in session.exec(select(User))}
    seen: dict[tuple[str, str, datetime], int] = {}
    pending: list[tuple[Forecast, list[float]]] = []
    for index, record in enumerate(records):
        where = (
            f"forecasts[{index}] ({short(record.question_id)}, {record.user}, "
            f"{format_time(record.time)})"
        )
        question = questions.get(record.question_id)
        if question is None:
            raise InvalidInput(f"{where}: no question with id {short(record.question_id)!r}")
        vector = _record_vector(record, question, where)
        _check_window(record, question, where, now)
        links = restorer.forecast_fields(
            session_ref=record.session,
            phase=record.phase,
            revision=record.revision,
            user=record.user,
            question=question,
            where=where,
        )
        key = (record.question_id, record.user, record.time)
        if key in seen:
            raise InvalidInput(
                f"{where}: duplicate of forecasts[{seen[key]}] (same question, user and time)"
            )
        seen[key] = index
        if key in existing:
            old_vector, old_rationale = existing[key]
            same = all(
                math.isclose(a, b, abs_tol=1e-12) for a, b in zip(old_vector, vector, strict=True)
            )
            if not same or old_rationale != record.rationale:
                raise InvalidInput(f"{where}: a different forecast already exists at that time")
            summary.forecasts_unchanged += 1
            continue
        user = users.get(record.user)
        if user is None:
            user = ensure_forecaster(session, record.user, at=now, actor=actor)
            users[record.user] = user
            summary.users_added += 1
        forecast = Forecast(
            question_id=question.id,
            user_id=user.id or 0,
            created_at=record.time,
            rationale=record.rationale,
            origin="import",
            hidden=record.hidden,
            **links,
        )
        pending.append((forecast, vector))
    _insert_forecasts(session, pending)
    summary.forecasts_added = len(pending)


def _record_vector(record: ForecastRecord, question: Question, where: str) -> list[float]:
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
        return normalise_probabilities(question.options, record.probabilities)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def _check_window(record: ForecastRecord, question: Question, where: str, now: datetime) -> None:
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
        select(Forecast, User.name)
        .join(User, col(Forecast.user_id) == User.id)
        .where(col(Forecast.question_id).in_(ids))
    )
    rows = session.exec(query).all()
    vectors = _vectors(session) if rows else {}
    return {
        (f.question_id, name, f.created_at): (vectors.get(f.id or 0, []), f.rationale)
        for f, name in rows
    }


def _insert_forecasts(session: Session, pending: list[tuple[Forecast, list[float]]]) -> None:
    """Bulk insert: forecasts first (ids come back in batches), then their vectors."""
    session.add_all(f for f, _ in pending)
    session.flush()
    session.add_all(
        ForecastProbability(forecast_id=f.id or 0, option_index=i, probability=p)
        for f, vector in pending
        for i, p in enumerate(vector)
    )
    session.flush()


def import_text(db: Database, actor: Actor, text: str | bytes) -> ImportSummary:
    return import_document(db, actor, loads(text))
