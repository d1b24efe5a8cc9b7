"""The schema: SQLModel tables, the only place it is described.

Invariants the database can hold are database constraints too (checks, unique keys, foreign
keys), so a bug in a service or a hand-written SQL statement cannot store a probability of 1.3.
Forecasts are append-only: nothing in the code base updates or deletes a forecast row except
the admin `hidden` flag, which is audited.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

ROLES = ("admin", "forecaster", "viewer")
CATEGORICAL_TYPES = ("binary", "multiple_choice", "ordered")
CONTINUOUS_TYPES = ("numeric", "date")
"""Questions answered with a distribution over a range (a CDF), not option probabilities."""
QUESTION_TYPES = CATEGORICAL_TYPES + CONTINUOUS_TYPES
SCALES = ("linear", "log")
QUESTION_STATUSES = ("open", "resolved", "annulled")
SESSION_PHASES = ("blind", "reveal", "update", "closed")
EVIDENCE_KINDS = ("text", "file", "url", "feed", "seed")
LINK_METHODS = ("auto", "llm", "manual")
"""Who made a link: the offline matcher, the matcher with a model's judgement, a person."""


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_user_role"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=128)
    role: str = Field(max_length=16)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime
    # bumped by sign-out, password, role and active changes: every session and saved sign-in
    # made under an older version is refused (server-side revocation of stateless cookies)
    token_version: int = 0


class Question(SQLModel, table=True):
    __tablename__ = "question"
    __table_args__ = (
        CheckConstraint(_in("type", QUESTION_TYPES), name="ck_question_type"),
        CheckConstraint(_in("status", QUESTION_STATUSES), name="ck_question_status"),
        CheckConstraint("close_time > open_time", name="ck_question_window"),
        CheckConstraint(
            "(status = 'resolved' AND resolution IS NOT NULL) OR "
            "(status <> 'resolved' AND resolution IS NULL)",
            name="ck_question_resolution",
        ),
        CheckConstraint("revision >= 1", name="ck_question_revision"),
        CheckConstraint(_in("scale", SCALES), name="ck_question_scale"),
        CheckConstraint(
            f"({_in('type', CONTINUOUS_TYPES)} AND range_lower IS NOT NULL "
            "AND range_upper IS NOT NULL AND range_lower < range_upper) OR "
            f"(NOT {_in('type', CONTINUOUS_TYPES)} AND range_lower IS NULL "
            "AND range_upper IS NULL)",
            name="ck_question_range",
        ),
    )

    id: str = Field(primary_key=True, max_length=100)
    title: str = Field(max_length=500)
    type: str = Field(max_length=20)
    options: list[str] = Field(sa_type=JSON)
    description: str = Field(default="", sa_type=Text)
    resolution_criteria: str = Field(default="", sa_type=Text)
    open_time: datetime
    close_time: datetime
    status: str = Field(default="open", max_length=16, index=True)
    resolution: str | None = Field(default=None, max_length=200)
    resolved_time: datetime | None = None
    resolution_note: str = Field(default="", sa_type=Text)
    resolution_source: str = Field(default="", max_length=1000)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    keywords: list[str] = Field(default_factory=list, sa_type=JSON)
    """Extra terms and synonyms for matching evidence; not wording (no new revision)."""
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    hide_until_forecast: bool = True
    revision: int = 1
    # numeric and date questions (DESIGN §3): the range, in the unit (dates: days since 1970)
    range_lower: float | None = None
    range_upper: float | None = None
    open_lower: bool = False
    open_upper: bool = False
    scale: str = Field(default="linear", max_length=8)
    unit: str = Field(default="", max_length=40)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime
    updated_at: datetime


class QuestionRevision(SQLModel, table=True):
    """Every wording a question has had; forecasts point at the revision they answered."""

    __tablename__ = "question_revision"
    __table_args__ = (UniqueConstraint("question_id", "revision", name="uq_question_revision"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(foreign_key="question.id", max_length=100)
    revision: int
    title: str = Field(max_length=500)
    description: str = Field(default="", sa_type=Text)
    resolution_criteria: str = Field(default="", sa_type=Text)
    edited_by: int | None = Field(default=None, foreign_key="user_account.id")
    edited_at: datetime


class Forecast(SQLModel, table=True):
    __tablename__ = "forecast"
    __table_args__ = (
        UniqueConstraint("question_id", "user_id", "created_at", name="uq_forecast_natural"),
        CheckConstraint(_in("origin", ("live", "import")), name="ck_forecast_origin"),
        CheckConstraint(
            f"session_phase IS NULL OR {_in('session_phase', SESSION_PHASES)}",
            name="ck_forecast_session_phase",
        ),
        Index("ix_forecast_question_time", "question_id", "created_at"),
        Index("ix_forecast_user_question", "user_id", "question_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(foreign_key="question.id", max_length=100)
    user_id: int = Field(foreign_key="user_account.id")
    created_at: datetime
    rationale: str = Field(default="", sa_type=Text)
    question_revision: int = 1
    origin: str = Field(default="live", max_length=16)
    session_id: int | None = Field(default=None, foreign_key="forecast_session.id")
    session_phase: str | None = Field(default=None, max_length=16)
    summary_id: int | None = Field(default=None, foreign_key="evidence_summary.id")
    hidden: bool = False


class ForecastProbability(SQLModel, table=True):
    """One row per option of a forecast, so the range check is a real database constraint."""

    __tablename__ = "forecast_probability"
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 1", name="ck_probability_range"),
        CheckConstraint("option_index >= 0", name="ck_probability_option"),
    )

    forecast_id: int = Field(foreign_key="forecast.id", primary_key=True)
    option_index: int = Field(primary_key=True)
    probability: float


class ForecastCdf(SQLModel, table=True):
    """A numeric or date forecast's distribution: the 201-point CDF over the question's range
    (Metaculus's representation), checked by the service (monotone, bounds, steps)."""

    __tablename__ = "forecast_cdf"

    forecast_id: int = Field(foreign_key="forecast.id", primary_key=True)
    cdf: list[float] = Field(sa_type=JSON)


class Feed(SQLModel, table=True):
    __tablename__ = "feed"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000, unique=True)
    title: str = Field(default="", max_length=500)
    added_by: int | None = Field(default=None, foreign_key="user_account.id")
    added_at: datetime
    last_polled_at: datetime | None = None
    last_error: str = Field(default="", sa_type=Text)


class EvidenceItem(SQLModel, table=True):
    __tablename__ = "evidence_item"
    __table_args__ = (CheckConstraint(_in("kind", EVIDENCE_KINDS), name="ck_evidence_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    outlet: str = Field(default="", max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime | None = None
    added_at: datetime = Field(index=True)
    added_by: int | None = Field(default=None, foreign_key="user_account.id")
    kind: str = Field(max_length=16)
    external_id: str | None = Field(default=None, max_length=500, unique=True)
    text: str = Field(sa_type=Text)
    content_hash: str = Field(max_length=64, unique=True)
    minhash: bytes | None = Field(default=None, sa_type=LargeBinary)
    near_duplicate_of: int | None = Field(default=None, foreign_key="evidence_item.id")
    feed_id: int | None = Field(default=None, foreign_key="feed.id")


class QuestionEvidence(SQLModel, table=True):
    """Which evidence bears on which question; a manual unlink is kept so re-matching obeys it.
    `passage` is the stretch of the item that made the link, `reason` a model's one-line why."""

    __tablename__ = "question_evidence"
    __table_args__ = (
        CheckConstraint(_in("method", LINK_METHODS), name="ck_link_method"),
        CheckConstraint(_in("state", ("linked", "unlinked")), name="ck_link_state"),
    )

    question_id: str = Field(foreign_key="question.id", primary_key=True, max_length=100)
    evidence_id: int = Field(foreign_key="evidence_item.id", primary_key=True)
    score: float = 0.0
    method: str = Field(default="auto", max_length=16)
    state: str = Field(default="linked", max_length=16)
    passage: str = Field(default="", sa_type=Text)
    reason: str = Field(default="", sa_type=Text)
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime


class RelevanceJudgement(SQLModel, table=True):
    """A model's yes/no on one (item, question wording) pair, kept so it is asked only once."""

    __tablename__ = "relevance_judgement"

    cache_key: str = Field(primary_key=True, max_length=64)
    question_id: str = Field(foreign_key="question.id", max_length=100, index=True)
    evidence_id: int = Field(foreign_key="evidence_item.id", index=True)
    relevant: bool
    reason: str = Field(default="", sa_type=Text)
    model: str = Field(default="", max_length=200)
    prompt_version: str = Field(default="", max_length=64)
    created_at: datetime


class EvidenceSummary(SQLModel, table=True):
    __tablename__ = "evidence_summary"
    __table_args__ = (Index("ix_summary_question_created", "question_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(foreign_key="question.id", max_length=100)
    question_revision: int
    cache_key: str = Field(max_length=100, unique=True)
    engine: str = Field(max_length=32)
    model: str = Field(default="", max_length=200)
    prompt_version: str = Field(default="", max_length=64)
    evidence_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    since_time: datetime | None = None
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    fallback_reason: str | None = Field(default=None, sa_type=Text)
    created_at: datetime


class ForecastSession(SQLModel, table=True):
    __tablename__ = "forecast_session"
    __table_args__ = (CheckConstraint(_in("phase", SESSION_PHASES), name="ck_session_phase"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    facilitator_id: int = Field(foreign_key="user_account.id")
    phase: str = Field(default="blind", max_length=16)
    created_at: datetime
    phase_changed_at: datetime


class SessionQuestion(SQLModel, table=True):
    __tablename__ = "session_question"

    session_id: int = Field(foreign_key="forecast_session.id", primary_key=True)
    question_id: str = Field(foreign_key="question.id", primary_key=True, max_length=100)


class SessionParticipant(SQLModel, table=True):
    __tablename__ = "session_participant"

    session_id: int = Field(foreign_key="forecast_session.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_name: str = Field(max_length=64)
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=32)
    entity_id: str = Field(max_length=100)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


# The discussion and the integrations' tables live in their own modules, on the same metadata.
from tracker.models_discussion import Comment, CommentRevision  # noqa: E402, F401
from tracker.models_integrations import (  # noqa: E402, F401
    ApiToken,
    ForecastLinkUse,
    NotifyChannel,
    NotifyPreference,
    OutboxMessage,
)
from tracker.models_llmassist import BotAccount, BotForecast  # noqa: E402, F401  (issue 14)
from tracker.models_scores import ScoreSnapshot  # noqa: E402, F401  (own module: issue 11)
