"""The interchange document's shape (DESIGN §4) and its validation, without the database.

A document is `format`, `questions` and `forecasts`, plus the optional whole-database sections
(`users`, `feeds`, `evidence`, `sessions`; see `tracker.interchange.backup`). `parse_document`
turns a loaded JSON object into validated records or raises one `InvalidInput` naming the row
and the reason; the checks that need a clock (`check_resolution`) or the question's wording
(`check_revisions`) are here too and run while the rows are merged."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

import argon2
import pydantic
from pydantic import AfterValidator, ConfigDict, Field

from tracker.config import get_settings
from tracker.errors import InvalidInput, describe_validation_error
from tracker.evidence.text import MAX_CHARS, clean_text, content_hash
from tracker.interchange.comments_section import CommentRecord
from tracker.interchange.jsontext import loads as loads  # re-exported
from tracker.models import EVIDENCE_KINDS
from tracker.schemas import (
    ANNULLED,
    LongText,
    Probability,
    QuestionCreate,
    Rationale,
    Role,
    SessionPhase,
    ShortText,
    Title,
    UtcDatetime,
)
from tracker.text import check_text

FORMAT = "forecast-tracker/1"
SECTIONS = ("users", "feeds", "evidence", "sessions", "comments")
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
USER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

R = TypeVar("R", bound=pydantic.BaseModel)
UserName = Annotated[str, Field(pattern=USER_NAME)]
QuestionId = Annotated[str, Field(max_length=100)]
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _url(value: str) -> str:
    value = check_text(value, max_length=2000, required=True)
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


Url = Annotated[str, AfterValidator(_url)]
Line500 = Annotated[str, AfterValidator(lambda v: check_text(v, max_length=500))]
Line128 = Annotated[str, AfterValidator(lambda v: check_text(v, max_length=128))]


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- rows


class _Record(pydantic.BaseModel):
    model_config = ConfigDict(extra="forbid")


class RevisionRecord(_Record):
    revision: int = Field(ge=1)
    title: Title
    description: LongText = ""
    resolution_criteria: LongText = ""
    edited_by: UserName | None = None
    edited_at: UtcDatetime


RANGE_KEYS = ("open_lower", "open_upper", "scale", "unit")
"""A numeric or date question's keys beside `range: [lower, upper]` (DESIGN §3)."""


class QuestionRecord(QuestionCreate):
    """A question row: the create fields plus its resolution and optional extras."""

    model_config = pydantic.ConfigDict(extra="forbid")

    resolution: str | float | None = pydantic.Field(default=None)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _flat_range(cls, data: Any) -> Any:
        """The document's flat form (`range: [lower, upper]`, `open_lower`, …) as the
        service's `ContinuousSpec`."""
        if isinstance(data, dict) and isinstance(data.get("range"), list):
            data = dict(data)
            bounds = data.pop("range")
            if len(bounds) != 2:
                raise ValueError("range must be [lower, upper]")
            spec = {"lower": bounds[0], "upper": bounds[1]}
            spec |= {k: data.pop(k) for k in RANGE_KEYS if k in data}
            data["range"] = spec
        return data

    @pydantic.field_validator("resolution")
    @classmethod
    def _resolution_text(cls, value: str | float | None) -> str | None:
        if isinstance(value, bool):
            raise ValueError("must be an option, a value or 'annulled', not true/false")
        if isinstance(value, float | int):
            return repr(float(value))
        if value is not None and len(value) > 200:
            raise ValueError("is longer than 200 characters")
        return value

    resolved_time: UtcDatetime | None = None
    resolution_note: LongText = ""
    resolution_source: ShortText = ""
    revisions: list[RevisionRecord] | None = pydantic.Field(default=None, max_length=1000)


class ForecastRecord(_Record):
    question_id: QuestionId
    user: UserName
    time: UtcDatetime
    probabilities: dict[str, Probability] | None = None
    probability: Probability | None = None
    cdf: list[float] | None = pydantic.Field(default=None, max_length=1000)
    rationale: Rationale = ""
    hidden: bool = False
    revision: int | None = pydantic.Field(default=None, ge=1)
    session: int | None = pydantic.Field(default=None, ge=1)
    phase: Literal["blind", "update"] | None = None
    late: bool = False


@dataclass(slots=True)
class ForecastRow:
    """A validated `ForecastRecord`'s values, kept compactly: an import holds every row
    until it is written, and a pydantic model (with its fields-set set) is twice the size."""

    question_id: str
    user: str
    time: datetime
    probabilities: dict[str, float] | None
    probability: float | None
    cdf: list[float] | None
    rationale: str
    hidden: bool
    revision: int | None
    session: int | None
    phase: Literal["blind", "update"] | None
    late: bool


class UserRecord(_Record):
    name: UserName
    display_name: Line128 = ""
    role: Role = "forecaster"
    active: bool = True
    password_hash: str | None = Field(default=None, max_length=255)

    @pydantic.field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            argon2.extract_parameters(value)
        except (argon2.exceptions.InvalidHashError, ValueError):
            raise ValueError("is not an argon2 hash") from None
        return value


class FeedRecord(_Record):
    url: Url
    title: Line500 = ""
    added_at: UtcDatetime
    added_by: UserName | None = None


class LinkRecord(_Record):
    question_id: QuestionId
    score: Annotated[float, Field(allow_inf_nan=False)] = 0.0
    method: Literal["auto", "llm", "manual"] = "auto"
    state: Literal["linked", "unlinked"] = "linked"
    passage: LongText = ""
    reason: LongText = ""
    updated_by: UserName | None = None
    updated_at: UtcDatetime


class EvidenceRecord(_Record):
    hash: Hash
    title: Title
    outlet: ShortText = ""
    url: Url | None = None
    published_at: UtcDatetime | None = None
    added_at: UtcDatetime
    added_by: UserName | None = None
    kind: Literal[EVIDENCE_KINDS]  # type: ignore[valid-type]
    external_id: str | None = Field(default=None, max_length=500)
    feed: Url | None = None
    near_duplicate_of: Hash | None = None
    text: str = Field(min_length=1)
    links: list[LinkRecord] = Field(default_factory=list, max_length=1000)

    @pydantic.model_validator(mode="after")
    def _text(self) -> "EvidenceRecord":
        limit = max(MAX_CHARS, get_settings().evidence_max_chars)
        if len(self.text) > limit or clean_text(self.text, max_chars=limit) != self.text:
            raise ValueError(
                "text is not as ingest stores it (control or invisible characters, untrimmed "
                f"space, or longer than {limit:,} characters)"
            )
        if content_hash(self.text) != self.hash:
            raise ValueError("hash does not match the text (the file was altered or damaged)")
        if self.near_duplicate_of == self.hash:
            raise ValueError("an item cannot be a near duplicate of itself")
        if len({link.question_id for link in self.links}) != len(self.links):
            raise ValueError("a question is linked twice")
        return self


class SessionRecord(_Record):
    ref: int = Field(ge=1)
    title: Title
    facilitator: UserName
    phase: SessionPhase
    created_at: UtcDatetime
    phase_changed_at: UtcDatetime
    questions: list[QuestionId] = Field(min_length=1, max_length=50)
    participants: list[UserName] = Field(min_length=1, max_length=100)

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> "SessionRecord":
        if self.phase_changed_at < self.created_at:
            raise ValueError("phase_changed_at is before created_at")
        if len(set(self.questions)) != len(self.questions):
            raise ValueError("a question is listed twice")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("a participant is listed twice")
        return self


@dataclass
class Document:
    """A validated document: every row parsed, unique keys checked."""

    questions: list[QuestionRecord]
    forecasts: list[ForecastRow]
    users: list[UserRecord]
    feeds: list[FeedRecord]
    evidence: list[EvidenceRecord]
    sessions: list[SessionRecord]
    comments: list[CommentRecord] = field(default_factory=list)


# ---------------------------------------------------------------- parsing


def parse_document(document: dict[str, Any], *, consume: bool = False) -> Document:
    """Validate every row of a loaded document; the first problem raises, naming its row.
    `consume`: the caller is done with `document`, so each forecast row is let go once
    validated (a big file is then never in memory twice, as rows and as records)."""
    if document.get("format") != FORMAT:
        got = repr(document.get("format"))[:50]
        raise InvalidInput(f"'format' must be '{FORMAT}' (got {got})")
    unknown = set(document) - {"format", "questions", "forecasts", *SECTIONS}
    if unknown:
        raise InvalidInput(f"unknown top-level key(s): {sorted(unknown)[:5]}")
    parsed = Document(
        questions=parse_rows(document.get("questions", []), "questions", QuestionRecord),
        forecasts=_parse_forecasts(document.get("forecasts", []), consume=consume),
        users=parse_rows(document.get("users", []), "users", UserRecord),
        feeds=parse_rows(document.get("feeds", []), "feeds", FeedRecord),
        evidence=parse_rows(document.get("evidence", []), "evidence", EvidenceRecord),
        sessions=parse_rows(document.get("sessions", []), "sessions", SessionRecord),
        comments=parse_rows(document.get("comments", []), "comments", CommentRecord),
    )
    _unique([u.name for u in parsed.users], "users", "name")
    _unique([f.url for f in parsed.feeds], "feeds", "url")
    _unique([e.hash for e in parsed.evidence], "evidence", "hash")
    _unique([e.external_id for e in parsed.evidence if e.external_id], "evidence", "external_id")
    _unique([s.ref for s in parsed.sessions], "sessions", "ref")
    _unique([c.ref for c in parsed.comments], "comments", "ref")
    _unique_question_ids(parsed.questions)
    return parsed


def parse_rows(rows: Any, key: str, model: type[R]) -> list[R]:
    """Validate a list of rows; the error names the row (`key[index] (its id)`) and the reason."""
    if not isinstance(rows, list):
        raise InvalidInput(f"'{key}' must be a list")
    parsed = []
    for index, row in enumerate(rows):
        try:
            parsed.append(model.model_validate(row))
        except pydantic.ValidationError as exc:
            raise InvalidInput(f"{where(key, index, row)}: {_problems(exc)}") from None
    return parsed


def _parse_forecasts(rows: Any, *, consume: bool) -> list[ForecastRow]:
    """`parse_rows` for the forecasts, each kept as a `ForecastRow`."""
    if not isinstance(rows, list):
        raise InvalidInput("'forecasts' must be a list")
    parsed = []
    validate = ForecastRecord.model_validate
    for index, row in enumerate(rows):
        plain = _plain_forecast(row)
        if plain is not None:
            parsed.append(plain)
        else:
            try:
                parsed.append(ForecastRow(**validate(row).__dict__))
            except pydantic.ValidationError as exc:
                raise InvalidInput(f"{where('forecasts', index, row)}: {_problems(exc)}") from None
        if consume:
            rows[index] = None
    if consume:
        rows.clear()
    return parsed


_FORECAST_KEYS = frozenset(ForecastRecord.model_fields)
_USER_NAME = re.compile(USER_NAME.removeprefix("^").removesuffix("$"))  # used with fullmatch
_PLAIN_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?Z"
)  # as exported
_PHASES = (None, "blind", "update")


def _plain_forecast(row: Any) -> ForecastRow | None:
    """`ForecastRecord`'s result for the usual row (the exporter's shape: the right types, no
    coercion needed), without pydantic; None sends any other row to the model, so a bad row
    gets its message. `v - v == 0.0` is a finite float's test (inf and NaN fail it)."""
    if type(row) is not dict or not row.keys() <= _FORECAST_KEYS:
        return None
    get = row.get
    question_id, user, time = get("question_id"), get("user"), get("time")
    if (
        type(question_id) is not str
        or len(question_id) > 100
        or type(user) is not str
        or _USER_NAME.fullmatch(user) is None
        or type(time) is not str
        or _PLAIN_TIME.fullmatch(time) is None
    ):
        return None
    probabilities, probability, cdf = get("probabilities"), get("probability"), get("cdf")
    if probabilities is not None:
        if type(probabilities) is not dict:
            return None
        for key, value in probabilities.items():
            if type(key) is not str or type(value) is not float or value - value != 0.0:
                return None
    if probability is not None and (
        type(probability) is not float or probability - probability != 0.0
    ):
        return None
    if cdf is not None and (
        type(cdf) is not list or len(cdf) > 1000 or any(type(v) is not float for v in cdf)
    ):
        return None
    rationale, hidden, late = get("rationale", ""), get("hidden", False), get("late", False)
    revision, session, phase = get("revision"), get("session"), get("phase")
    if (
        type(rationale) is not str
        or type(hidden) is not bool
        or type(late) is not bool
        or (revision is not None and (type(revision) is not int or revision < 1))
        or (session is not None and (type(session) is not int or session < 1))
        or phase not in _PHASES
    ):
        return None
    try:
        at = datetime.fromisoformat(time)  # UTC ("Z"), as pydantic's UtcDatetime gives
        if rationale:
            rationale = check_text(rationale, max_length=10_000, multiline=True)
    except ValueError:  # e.g. month 13, or a control character: the model says which
        return None
    return ForecastRow(
        question_id, user, at, probabilities, probability, cdf, rationale, hidden, revision,
        session, phase, late,
    )  # fmt: skip


def _problems(exc: pydantic.ValidationError, limit: int = 3) -> str:
    """Pydantic's report, cut to the first few problems, each short and printable."""
    parts = [short(part, 100) for part in describe_validation_error(exc).split("; ")]
    more = f"; and {len(parts) - limit} more problem(s)" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def short(value: object, limit: int = 40) -> str:
    """A value from the file, safe to echo in a one-line message: printable and short."""
    text = value if isinstance(value, str) and value.isprintable() else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def where(key: str, index: int, row: Any) -> str:
    label = f"{key}[{index}]"
    if not isinstance(row, dict):
        return label
    if key == "forecasts":
        parts = (short(row.get(k)) for k in ("question_id", "user", "time"))
        return f"{label} ({', '.join(parts)})"
    for name in ("id", "name", "ref", "url"):
        if isinstance(row.get(name), str | int) and not isinstance(row.get(name), bool):
            return f"{label} ({name} {short(row[name])!r})"
    if isinstance(row.get("hash"), str):
        return f"{label} (hash {short(row['hash'], 12)})"
    return label


def _unique(values: Sequence[object], key: str, name: str) -> None:
    seen: dict[object, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise InvalidInput(f"{key}[{index}]: duplicate {name} (also {key}[{seen[value]}])")
        seen[value] = index


def _unique_question_ids(questions: list[QuestionRecord]) -> None:
    seen: dict[str, int] = {}
    for index, q in enumerate(questions):
        if q.id in seen:
            raise InvalidInput(
                f"questions[{index}]: duplicate id '{q.id}' (also questions[{seen[q.id]}])"
            )
        seen[q.id] = index


# ---------------------------------------------------------------- row checks beyond the shape


def check_resolution(record: QuestionRecord, where: str, now: datetime) -> None:
    """A resolution names an option (a numeric or date question: a value in its range) or
    annuls, and its time lies between open_time and now."""
    options = record.options or []
    if record.range is not None and record.resolution not in (None, ANNULLED):
        from tracker.quantities import resolution_text

        try:
            record.resolution = resolution_text(record.type, record.range, record.resolution)
        except ValueError as exc:
            raise InvalidInput(f"{where}: resolution: {exc}") from None
    elif record.resolution not in (None, ANNULLED, *options):
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


def check_revisions(revisions: list[RevisionRecord], current: dict[str, str], where: str) -> None:
    """Revisions are numbered 1..n and the last one is the question's current wording."""
    if [r.revision for r in revisions] != list(range(1, len(revisions) + 1)):
        raise InvalidInput(f"{where}: revisions must be numbered 1, 2, 3… in order")
    last = revisions[-1].model_dump(include=set(current))
    if last != current:
        raise InvalidInput(f"{where}: the last revision is not the question's current wording")
