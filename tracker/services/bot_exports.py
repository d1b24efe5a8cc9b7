"""Exports as a member may download them: the AI baseline's forecasts on a question stay out
until that member has forecast on it (`views.bot_visible`, the same rule as the pages).
The server operator's `tracker export` is the whole database, bots included."""

import csv
import io
from typing import Any

from sqlmodel import select

from tracker import interchange
from tracker.db import Database
from tracker.interchange.writing import dumps, export_document
from tracker.models import Forecast
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


def document_for(db: Database, actor: Actor) -> dict[str, Any]:
    document = export_document(db)
    names, hidden = hidden_bot_questions(db, actor)
    if hidden:
        document["forecasts"] = [
            f
            for f in document["forecasts"]
            if not (f["user"] in names and f["question_id"] in hidden)
        ]
    return document


def export_json_for(db: Database, actor: Actor) -> str:
    return dumps(document_for(db, actor))


def export_csv_for(db: Database, actor: Actor) -> str:
    text = interchange.export_forecasts_csv(db)
    names, hidden = hidden_bot_questions(db, actor)
    if not hidden:
        return text
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    user, question = header.index("user"), header.index("question_id")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(r for r in body if not (r[user] in names and r[question] in hidden))
    return buffer.getvalue()
