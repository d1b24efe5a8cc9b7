"""Exports as a member may download them: the AI baseline's forecasts on a question stay out
until that member has forecast on it (`views.bot_visible`, the same rule as the pages).
The server operator's `tracker export` is the whole database, bots included."""

from typing import Any

from sqlmodel import col, select

from tracker import interchange
from tracker.db import Database
from tracker.interchange.writing import dumps, export_document
from tracker.models import Forecast, User
from tracker.schemas import Actor
from tracker.services import questions
from tracker.services.bots import list_bots
from tracker.services.views import bot_visible


def hidden_bot_questions(db: Database, actor: Actor) -> tuple[set[str], set[str]]:
    """(bot names, ids of the questions whose bot forecasts this member may not see yet)."""
    names = {b.name for b in list_bots(db)}
    if not names:
        return names, set()
    with db.read() as session:
        mine = set(
            session.exec(select(Forecast.question_id).where(Forecast.user_id == actor.user_id))
        )
    hidden = {
        q.id
        for q in questions.list_questions(db, states={"open"})
        if not bot_visible(actor, q, q.id in mine)
    }
    return names, hidden


def hidden_bot_forecast_ids(db: Database, actor: Actor) -> set[int]:
    """The bot forecasts this member may not see yet (left out of what they download)."""
    names, hidden = hidden_bot_questions(db, actor)
    if not hidden:
        return set()
    with db.read() as session:
        return set(
            session.exec(
                select(Forecast.id)
                .join(User, col(User.id) == Forecast.user_id)
                .where(col(User.name).in_(names), col(Forecast.question_id).in_(hidden))
            ).all()
        )


def document_for(db: Database, actor: Actor) -> dict[str, Any]:
    return export_document(db, leave_out=hidden_bot_forecast_ids(db, actor))


def export_json_for(db: Database, actor: Actor) -> str:
    return dumps(document_for(db, actor))


def export_csv_for(db: Database, actor: Actor) -> str:
    """The forecasts CSV through the one formula-safe writer, the bot masked as above."""
    return interchange.export_forecasts_csv(db, leave_out=hidden_bot_forecast_ids(db, actor))
