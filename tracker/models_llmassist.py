"""Tables of the AI baseline forecaster (issue 14): which accounts are bots, and what each bot
forecast was made from.

A bot is an ordinary `user_account` (so its forecasts go through the normal forecast service
and are stamped by the server) with a `bot_account` row: that row is what makes it "kind bot",
never counted as a human. `bot_forecast` keeps the evidence a forecast was made from, so the
bot forecasts again only when a question's evidence changes.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel


class BotAccount(SQLModel, table=True):
    __tablename__ = "bot_account"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime


class BotForecast(SQLModel, table=True):
    __tablename__ = "bot_forecast"
    __table_args__ = (Index("ix_bot_forecast_user_question", "user_id", "question_id"),)

    forecast_id: int = Field(foreign_key="forecast.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    question_id: str = Field(foreign_key="question.id", max_length=100)
    evidence_key: str = Field(max_length=64)
    evidence_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    samples: list[Any] = Field(default_factory=list, sa_type=JSON)
    engine: str = Field(max_length=32)
    model: str = Field(default="", max_length=200)
    prompt_version: str = Field(default="", max_length=64)
    created_at: datetime
