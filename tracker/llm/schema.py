"""The LLM layer's contract with the rest of the app: what goes in, what comes out.

Inputs are plain data the services build from rows (no ORM objects cross this line). Outputs are
validated pydantic models; nothing in them is trusted markup: the UI renders every string as text.
`KeyPoint.verified` is set only by `tracker.llm.verify`, never taken from a model's answer.
There is deliberately no probability field: people anchor on a number a machine suggests.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from tracker.text import unique_terms

QuestionType = Literal["binary", "multiple_choice", "ordered"]
BriefType = Literal["binary", "multiple_choice", "ordered", "numeric", "date"]
"""A stored question may be numeric or date (no options); drafts stay option questions."""
Direction = Literal["raises", "lowers", "neutral", "unclear"]
OverallDirection = Literal["raises", "lowers", "neutral", "mixed", "unclear"]
Strength = Literal["weak", "moderate", "strong"]
EngineName = Literal["offline", "openai"]
QuoteStatus = Literal["verified", "elided", "unverified"]


def _as_utc(value: datetime) -> datetime:
    """All times are aware UTC; a naive time from a careless caller is read as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]


# --- inputs -------------------------------------------------------------------------------------


class QuestionBrief(BaseModel):
    """The question as the engine sees it; `revision` changes whenever the wording does."""

    model_config = ConfigDict(frozen=True)

    id: str
    revision: int = 1
    title: str
    type: BriefType = "binary"
    options: list[str] = Field(default_factory=lambda: ["Yes", "No"])
    description: str = ""
    resolution_criteria: str = ""
    keywords: list[str] = Field(default_factory=list)
    """Extra terms and synonyms for finding the question's evidence (admins edit them)."""
    open_time: UtcTime
    close_time: UtcTime

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str]) -> list[str]:
        return options or ["Yes", "No"]  # binary questions may come without their implicit options


class EvidenceDoc(BaseModel):
    """One evidence item (article, note, feed entry) linked to the question."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    outlet: str | None = None
    url: str | None = None
    published_at: UtcTime | None = None
    added_at: UtcTime
    text: str
    content_hash: str

    def is_new_since(self, since: datetime | None) -> bool:
        """New to the user if it reached the app (or was published) after their last look."""
        if since is None:
            return True
        since = _as_utc(since)
        return self.added_at > since or (
            self.published_at is not None and self.published_at > since
        )


class SummaryRequest(BaseModel):
    """One summary to make: `since` is the user's last forecast (or last summary) time."""

    model_config = ConfigDict(frozen=True)

    question: QuestionBrief
    evidence: list[EvidenceDoc] = Field(default_factory=list)
    since: UtcTime | None = None
    since_what: Literal["forecast", "summary"] = "forecast"  # what happened at `since`

    @property
    def since_label(self) -> str:
        return "your last forecast" if self.since_what == "forecast" else "the last summary"

    def new_evidence(self) -> list[EvidenceDoc]:
        return [doc for doc in self.evidence if doc.is_new_since(self.since)]


# --- outputs ------------------------------------------------------------------------------------


class QuoteSegment(BaseModel):
    """A run of the source's own words inside an elided quote: quoted, or left out."""

    text: str
    omitted: bool = False


class KeyPoint(BaseModel):
    """One claim tied to a verbatim quote from one evidence item.

    `direction` is relative to the question's first option (Yes for binary questions); for
    multi-option questions `option` may name the option the point bears on instead. The quote
    fields after `quote` are set only by `tracker.llm.verify` (never from a model's answer):
    `verified` means one contiguous span of the item; an `elided` quote carries the source's
    words with the omitted runs marked, and whether those hold a negation or a number.
    """

    claim: str
    direction: Direction = "unclear"
    option: str | None = None
    strength: Strength = "weak"
    evidence_id: int
    quote: str
    verified: bool = False
    quote_status: QuoteStatus = "unverified"
    quote_segments: list[QuoteSegment] = Field(default_factory=list)
    omits_negation: bool = False
    omits_number: bool = False


class EvidenceSummary(BaseModel):
    """The structured digest shown next to the forecast form."""

    headline: str
    status_quo: str = ""
    whats_new: str = ""
    key_points: list[KeyPoint] = Field(default_factory=list)
    overall_direction: OverallDirection = "unclear"
    caveats: list[str] = Field(default_factory=list)
    injection_suspected: bool = False


class RelevanceVerdict(BaseModel):
    """A model's judgement of whether one item bears on one question, with its one-line why."""

    question_id: str
    relevant: bool
    reason: str = Field(default="", max_length=300)


class SummaryResult(BaseModel):
    """A summary plus how it was made; stored with it so cost and provenance stay visible."""

    summary: EvidenceSummary
    engine: EngineName
    model: str
    prompt_version: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    cache_key: str
    fallback_reason: str | None = None
    """Set when the openai engine failed and the offline engine served instead (not cached)."""


class QuestionDraft(BaseModel):
    """A candidate question proposed from an article; a person edits and accepts it (or not)."""

    title: str = Field(min_length=5, max_length=500)
    type: QuestionType = "binary"
    options: list[str] = Field(default_factory=lambda: ["Yes", "No"])
    description: str = ""
    resolution_criteria: str = Field(min_length=1)
    open_time: UtcTime
    close_time: UtcTime
    tags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "QuestionDraft":
        if self.type == "binary":
            self.options = ["Yes", "No"]
        options = [o.strip() for o in self.options if o.strip()]
        if len(options) < 2 or len(set(options)) != len(options):
            raise ValueError("needs at least two distinct options")
        self.options = options
        if self.close_time <= self.open_time:
            raise ValueError("close_time must be after open_time")
        self.tags = [t.strip().lower() for t in self.tags if t.strip()][:10]
        self.keywords = unique_terms(self.keywords, limit=40, max_chars=60)
        return self
