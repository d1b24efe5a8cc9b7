"""Tables for the integrations: API tokens, notification channels, preferences and the outbox,
and the one-click forecast links already used. Imported by `tracker.models` (one metadata).

A token's secret is never stored: only its SHA-256 (the secret has 256 bits of entropy, so a
slow hash adds nothing) and a short prefix to tell tokens apart in a list.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

TOKEN_SCOPES = ("read", "forecast", "admin")
NOTIFY_EVENTS = ("question_new", "session_started", "session_revealed", "question_resolved",
                 "evidence_new", "digest")  # fmt: skip
CHANNEL_KINDS = ("email", "webhook")
OUTBOX_STATES = ("pending", "sent", "failed")
"""`failed`: given up after the last retry (shown on the Admin page)."""


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint(_in("scope", TOKEN_SCOPES), name="ck_token_scope"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=64)
    scope: str = Field(max_length=16)
    prefix: str = Field(max_length=16)
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class NotifyChannel(SQLModel, table=True):
    """Where messages go: a member's e-mail address or webhook, or a team webhook (no user).
    `target` is an e-mail address or an apprise URL (Slack, Discord, Teams, json://...)."""

    __tablename__ = "notify_channel"
    __table_args__ = (CheckConstraint(_in("kind", CHANNEL_KINDS), name="ck_channel_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=16)
    label: str = Field(default="", max_length=100)
    target: str = Field(sa_type=Text)
    created_at: datetime


class NotifyPreference(SQLModel, table=True):
    """A member's choice for one event on one kind of channel; no row means on."""

    __tablename__ = "notify_preference"
    __table_args__ = (
        CheckConstraint(_in("event", NOTIFY_EVENTS), name="ck_preference_event"),
        CheckConstraint(_in("kind", CHANNEL_KINDS), name="ck_preference_kind"),
    )

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    event: str = Field(max_length=32, primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    enabled: bool = True


class OutboxMessage(SQLModel, table=True):
    """One message to one channel, written in the same transaction as the change it tells of
    and rendered at delivery (as its recipient may see things then)."""

    __tablename__ = "notify_outbox"
    __table_args__ = (
        CheckConstraint(_in("event", NOTIFY_EVENTS), name="ck_outbox_event"),
        CheckConstraint(_in("state", OUTBOX_STATES), name="ck_outbox_state"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=32)
    channel_id: int = Field(foreign_key="notify_channel.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    """The recipient (None for a team channel: then no member's numbers are shown)."""
    subject_id: str = Field(default="", max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None = None
    last_error: str = Field(default="", sa_type=Text)
    body: str = Field(default="", sa_type=Text)


class ForecastLinkUse(SQLModel, table=True):
    """A one-click forecast link that was redeemed (its nonce), so it works only once."""

    __tablename__ = "forecast_link_use"

    nonce: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id")
    question_id: str = Field(foreign_key="question.id", max_length=100)
    used_at: datetime
