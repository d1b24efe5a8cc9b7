"""Data models the services take and return (never ORM rows), with edge-independent validation."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from tracker.text import check_text, unique_terms

Role = Literal["admin", "forecaster", "viewer"]
QuestionType = Literal["binary", "multiple_choice", "ordered", "numeric", "date"]
CONTINUOUS = ("numeric", "date")
SessionPhase = Literal["blind", "reveal", "update", "closed"]
BINARY_OPTIONS = ["Yes", "No"]
ANNULLED = "annulled"
MAX_OPTIONS = 50

_QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 has no UTC equivalent
        raise ValueError("is out of the supported range of dates") from None


def _number(value: object) -> object:
    """A probability is a number: not true/false, not text that looks like one."""
    if isinstance(value, bool | str | bytes):
        raise ValueError(f"must be a number, not {type(value).__name__}")
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
Probability = Annotated[float, BeforeValidator(_number), Field(allow_inf_nan=False)]


def _line(max_length: int, required: bool = False):  # type: ignore[no-untyped-def]
    return AfterValidator(lambda v: check_text(v, max_length=max_length, required=required))


def _block(max_length: int):  # type: ignore[no-untyped-def]
    return AfterValidator(lambda v: check_text(v, max_length=max_length, multiline=True))


Title = Annotated[str, _line(500, required=True)]
Label = Annotated[str, _line(200, required=True)]
ShortText = Annotated[str, _line(300)]
LongText = Annotated[str, _block(20_000)]
Rationale = Annotated[str, _block(10_000)]
Tag = Annotated[str, _line(50, required=True)]
Keyword = Annotated[str, _line(60, required=True)]
MAX_KEYWORDS = 40


class Actor(BaseModel):
    """Who is acting: the services check permissions against this, never the UI."""

    model_config = ConfigDict(frozen=True)

    user_id: int | None
    name: str
    role: Role

    @classmethod
    def system(cls) -> "Actor":
        """The server operator at the command line: acts as an admin, audited as 'system'."""
        return cls(user_id=None, name="system", role="admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class UserCreate(BaseModel):
    name: str
    display_name: Annotated[str, _line(128)] = ""
    role: Role = "forecaster"
    password: SecretStr | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _USER_NAME.match(value):
            raise ValueError(
                "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_password_strength(value.get_secret_value())
        return value


def check_password_strength(password: str) -> str:
    if len(password) < 8:
        raise ValueError("password must be at least 8 characters")
    if len(password) > 1024:
        raise ValueError("password is too long")
    return password


class UserRead(BaseModel):
    id: int
    name: str
    display_name: str
    role: Role
    is_active: bool
    has_password: bool
    created_at: datetime

    @property
    def label(self) -> str:
        return self.display_name or self.name


class Source(BaseModel):
    """Where a question or note comes from; URLs are http(s) only because the UI links them."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    outlet: ShortText = ""
    author: ShortText = ""
    date: ShortText = ""
    url: str | None = None
    seed_file: ShortText | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value:
            value = check_text(value, max_length=2000)
        if value and not re.match(r"^https?://[^\s]+$", value):
            raise ValueError("must be an http(s) URL")
        return value or None


def check_options(kind: str, options: list[str] | None) -> list[str]:
    if kind == "binary":
        if options not in (None, BINARY_OPTIONS):
            raise ValueError("binary questions have exactly the options ['Yes', 'No']")
        return list(BINARY_OPTIONS)
    if not options or len(options) < 2:
        raise ValueError(f"{kind} questions need at least 2 options")
    if len(options) > MAX_OPTIONS:
        raise ValueError(f"at most {MAX_OPTIONS} options")
    if len({o.casefold() for o in options}) != len(options):
        raise ValueError("option labels must be unique")
    if any(o.casefold() == ANNULLED for o in options):
        raise ValueError(f"'{ANNULLED}' is reserved and cannot be an option")
    return options


def _epoch_days(value: object) -> float:
    """A date bound or outcome as days since 1970-01-01 UTC (a number is taken as given)."""
    if isinstance(value, bool):
        raise ValueError("must be a date, not true/false")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not an ISO date (YYYY-MM-DD)") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.timestamp() / 86_400
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() / 86_400
    raise ValueError(f"must be a date, not {type(value).__name__}")


class ContinuousSpec(BaseModel):
    """A numeric or date question's range (Metaculus's: bounds, each open or closed, a linear or
    log scale, a unit). Date bounds are ISO dates on the way in, kept as days since 1970."""

    model_config = ConfigDict(extra="forbid")

    lower: float | str
    upper: float | str
    open_lower: bool = False
    open_upper: bool = False
    scale: Literal["linear", "log"] = "linear"
    unit: Annotated[str, _line(40)] = ""

    def for_type(self, kind: str) -> "ContinuousSpec":
        """The same range with numeric bounds (dates converted), checked as a range."""
        if kind == "date":
            if self.scale != "linear":
                raise ValueError("a date question has a linear scale")
            lower, upper = _epoch_days(self.lower), _epoch_days(self.upper)
        else:
            lower, upper = (
                _number_bound(b, name) for b, name in ((self.lower, "lower"), (self.upper, "upper"))
            )
        from tracker.scoring.continuous import ContinuousRange

        ContinuousRange(lower, upper, self.open_lower, self.open_upper, self.scale)
        return self.model_copy(update={"lower": lower, "upper": upper})

    def scoring_range(self):  # type: ignore[no-untyped-def]
        """The maths' view of the range (tracker.scoring.continuous.ContinuousRange)."""
        from tracker.scoring.continuous import ContinuousRange

        return ContinuousRange(
            float(self.lower), float(self.upper), self.open_lower, self.open_upper, self.scale
        )


def _number_bound(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the {name} bound must be a number")
    return float(value)


class QuestionCreate(BaseModel):
    id: str
    title: Title
    type: QuestionType
    options: list[Label] | None = None
    description: LongText = ""
    resolution_criteria: LongText = ""
    open_time: UtcDatetime
    close_time: UtcDatetime
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    sources: list[Source] = Field(default_factory=list, max_length=20)
    hide_until_forecast: bool = True
    range: ContinuousSpec | None = None
    """Numeric and date questions only: the range the distribution is drawn over."""

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        return unique_terms(value, limit=MAX_KEYWORDS, max_chars=60)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _QUESTION_ID.match(value):
            raise ValueError(
                "must be 1-100 lower-case letters, digits, '.', '_' or '-' (e.g. 'us-strike-2027')"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "QuestionCreate":
        if self.type in CONTINUOUS:
            if self.options:
                raise ValueError(f"{self.type} questions have a range, not options")
            if self.range is None:
                raise ValueError(f"{self.type} questions need a range (lower and upper bounds)")
            self.options = []
            self.range = self.range.for_type(self.type)
        else:
            if self.range is not None:
                raise ValueError(f"{self.type} questions have options, not a range")
            self.options = check_options(self.type, self.options)
        if self.close_time <= self.open_time:
            raise ValueError("close_time must be after open_time")
        return self


class QuestionEdit(BaseModel):
    """Fields an admin may change; None means leave as is. Wording changes make a new revision."""

    title: Title | None = None
    description: LongText | None = None
    resolution_criteria: LongText | None = None
    options: list[Label] | None = None
    close_time: UtcDatetime | None = None
    tags: list[Tag] | None = None
    keywords: list[Keyword] | None = Field(default=None, max_length=MAX_KEYWORDS)
    sources: list[Source] | None = None
    hide_until_forecast: bool | None = None

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else unique_terms(value, limit=MAX_KEYWORDS, max_chars=60)


class QuestionRead(BaseModel):
    id: str
    title: str
    type: QuestionType
    options: list[str]
    description: str
    resolution_criteria: str
    open_time: datetime
    close_time: datetime
    status: Literal["open", "resolved", "annulled"]
    state: Literal["upcoming", "open", "closed", "resolved", "annulled"]
    resolution: str | None
    resolved_time: datetime | None
    resolution_note: str
    resolution_source: str
    tags: list[str]
    keywords: list[str] = Field(default_factory=list)
    sources: list[Source]
    hide_until_forecast: bool
    revision: int
    created_at: datetime
    updated_at: datetime
    range: ContinuousSpec | None = None

    @property
    def is_continuous(self) -> bool:
        return self.type in CONTINUOUS


class QuestionRevisionRead(BaseModel):
    revision: int
    title: str
    description: str
    resolution_criteria: str
    edited_by: str | None
    edited_at: datetime


class Resolution(BaseModel):
    """Resolve to one option (a numeric or date question: to a value), or annul (excluded from
    every score)."""

    option: Label | None = None
    value: float | str | None = None
    """Numeric: a number; date: an ISO date; either: "below"/"above" an open bound."""
    annul: bool = False
    resolved_time: UtcDatetime | None = None
    note: LongText = ""
    source: ShortText = ""

    @model_validator(mode="after")
    def _one_of(self) -> "Resolution":
        given = sum((self.annul, self.option is not None, self.value is not None))
        if given != 1:
            raise ValueError(
                "give either an option or annul, not both or neither (a numeric or date "
                "question takes a value instead of an option)"
            )
        return self


class ForecastCreate(BaseModel):
    """What a forecaster submits. No user and no time: the server takes both from the signed-in
    actor and its own clock, and a submission naming either is refused."""

    model_config = ConfigDict(extra="forbid")

    question_id: str = Field(max_length=100)
    probabilities: dict[str, Probability] = Field(default_factory=dict)
    cdf: list[float] | None = Field(default=None, max_length=1000)
    """Numeric and date questions: the 201-point CDF, or build it from one of the next two."""
    percentiles: dict[float, float | str] | None = Field(default=None, max_length=20)
    """{level in percent: value}, e.g. {10: 62, 50: 75, 90: 95} (dates as ISO dates)."""
    components: list["ComponentSpec"] | None = Field(default=None, max_length=3)
    rationale: Rationale = ""
    session_id: int | None = None
    summary_id: int | None = None


class ComponentSpec(BaseModel):
    """One logistic bump of a mixture, as Metaculus's sliders give it: a centre, the distance
    to its quartiles, a weight (dates: centre an ISO date, spread in days)."""

    model_config = ConfigDict(extra="forbid")

    centre: float | str
    spread: float = Field(gt=0, allow_inf_nan=False)
    weight: float = Field(default=1.0, gt=0, allow_inf_nan=False)


ForecastCreate.model_rebuild()


class ForecastRead(BaseModel):
    id: int
    question_id: str
    user_id: int
    user: str
    created_at: datetime
    probabilities: dict[str, float]
    rationale: str
    question_revision: int
    origin: str
    session_id: int | None
    session_phase: str | None
    summary_id: int | None
    hidden: bool
    cdf: list[float] | None = None


class AuditRead(BaseModel):
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict | None
    after: dict | None
