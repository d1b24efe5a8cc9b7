"""The AI baseline forecaster as a team member of kind bot.

A bot is created by an admin, disabled by default, has no password (it cannot sign in) and is
never counted as a human: the shared visibility functions hide its numbers from a member until
that member has forecast, team aggregates leave it out, and the leaderboard shows it in its
own row. Its forecasts go through `forecasts.log_forecast` like anyone's, so the server stamps
them; it forecasts a question again only when the question's evidence (or wording) changed.
"""

import hashlib
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select

from tracker.db import Database
from tracker.errors import Conflict, InvalidInput, TrackerError
from tracker.llm.assist import AnswerCache
from tracker.llm.bot import BotInput, EvidenceLine, forecast
from tracker.models import User
from tracker.models_llmassist import BotAccount, BotForecast
from tracker.schemas import Actor, ForecastCreate, UserCreate, UserRead
from tracker.services import audit, forecasts, questions, users
from tracker.services.permissions import require_admin
from tracker.services.users import verified_actor

_ANSWERS = AnswerCache(max_items=1024)


class BotRun(BaseModel):
    question_id: str
    bot: str
    status: Literal["made", "unchanged", "no_forecast"]
    forecast_id: int | None = None
    probabilities: dict[str, float] | None = None
    detail: str = ""


def bot_ids(db: Database) -> set[int]:
    """Every bot account's user id (active or not)."""
    with db.read() as session:
        return set(session.exec(select(BotAccount.user_id)).all())


def list_bots(db: Database) -> list[UserRead]:
    ids = bot_ids(db)
    return [u for u in users.list_users(db) if u.id in ids]


def create_bot(db: Database, actor: Actor, name: str, display_name: str = "") -> UserRead:
    """A disabled bot account (no password: it never signs in)."""
    require_admin(actor, "add an AI baseline forecaster")
    data = UserCreate(name=name, display_name=display_name or f"{name} (AI baseline)")
    now = db.now()
    with db.write() as session:
        require_admin(verified_actor(session, actor), "add an AI baseline forecaster")
        if session.exec(select(User).where(User.name == data.name)).first():
            raise Conflict(f"a user named '{data.name}' already exists")
        user = User(
            name=data.name,
            display_name=data.display_name,
            role="forecaster",
            is_active=False,
            created_at=now,
        )
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(BotAccount(user_id=user.id, created_by=actor.user_id, created_at=now))
        audit.record(
            session, actor, "bot.create", "user", data.name, at=now, after={"enabled": False}
        )
        user_id = user.id
    return users.get_user_by_id(db, user_id)


def set_enabled(db: Database, actor: Actor, name: str, enabled: bool) -> UserRead:
    user = users.get_user(db, name)
    if user.id not in bot_ids(db):
        raise InvalidInput(f"'{name}' is not a bot account")
    return users.set_active(db, actor, name, enabled)


def _evidence_key(revision: int, docs: list) -> str:  # type: ignore[type-arg]
    blob = f"{revision}|" + "|".join(
        f"{d.id}:{d.content_hash}" for d in sorted(docs, key=lambda d: d.id)
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _last_key(db: Database, user_id: int, question_id: str) -> str | None:
    with db.read() as session:
        return session.exec(
            select(BotForecast.evidence_key)
            .where(BotForecast.user_id == user_id, BotForecast.question_id == question_id)
            .order_by(col(BotForecast.created_at).desc())
            .limit(1)
        ).first()


def _forecast_one(db: Database, bot: UserRead, question_id: str) -> BotRun:
    from tracker.services.summaries import build_request, current_engine, latest_summary

    request = build_request(db, question_id, None)
    key = _evidence_key(request.question.revision, list(request.evidence))
    if _last_key(db, bot.id, question_id) == key:
        return BotRun(
            question_id=question_id, bot=bot.name, status="unchanged",
            detail="no new evidence since its last forecast",
        )  # fmt: skip
    stored = latest_summary(db, question_id)
    data = BotInput(
        question=request.question,
        summary=stored.summary if stored else None,
        evidence=[
            EvidenceLine(id=d.id, title=d.title, published_at=d.published_at)
            for d in request.evidence
        ],
        today=db.now(),
    )
    result = forecast(current_engine(), data, cache=_ANSWERS)
    if result.probabilities is None:
        return BotRun(
            question_id=question_id, bot=bot.name, status="no_forecast", detail=result.reason or ""
        )
    saved = forecasts.log_forecast(
        db,
        users.actor_for(bot),
        ForecastCreate(
            question_id=question_id,
            probabilities=result.probabilities,
            rationale=result.rationale,
            summary_id=stored.id if stored else None,
        ),
    )
    with db.write() as session:
        session.add(
            BotForecast(
                forecast_id=saved.id,
                user_id=bot.id,
                question_id=question_id,
                evidence_key=key,
                evidence_ids=result.evidence_ids,
                samples=result.samples,
                engine=result.engine,
                model=result.model,
                prompt_version=result.prompt_version,
                created_at=saved.created_at,
            )
        )
    return BotRun(
        question_id=question_id, bot=bot.name, status="made", forecast_id=saved.id,
        probabilities=saved.probabilities, detail=f"by {result.engine} {result.model}",
    )  # fmt: skip


def run_bots(db: Database, actor: Actor, question_id: str | None = None) -> list[BotRun]:
    """Every enabled bot forecasts `question_id`, or every open question when it is None."""
    require_admin(actor, "run the AI baseline forecaster")
    bots = [b for b in list_bots(db) if b.is_active]
    if not bots:
        raise InvalidInput("no enabled bot: an admin creates one and enables it first")
    if question_id is not None:
        question = questions.get_question(db, question_id)
        if question.state != "open":
            raise InvalidInput(
                f"question '{question_id}' is {question.state}; bots forecast open questions"
            )
        if question.is_continuous:
            raise InvalidInput(
                f"question '{question_id}' is a {question.type} question; the AI baseline "
                "forecasts option questions only"
            )
        targets = [question_id]
    else:
        listed = questions.list_questions(db, states={"open"})
        targets = [q.id for q in listed if not q.is_continuous]
    runs = []
    for bot in bots:
        for qid in targets:
            try:
                runs.append(_forecast_one(db, bot, qid))
            except TrackerError as exc:
                runs.append(
                    BotRun(question_id=qid, bot=bot.name, status="no_forecast", detail=str(exc))
                )
    return runs


def bot_forecast_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(BotForecast)).one()


class BotProvenance(BaseModel):
    forecast_id: int
    engine: str
    model: str
    prompt_version: str
    evidence_ids: list[int]
    samples: list[dict[str, float]]


def provenance(db: Database, forecast_ids: list[int]) -> dict[int, BotProvenance]:
    """How each bot forecast was made (which model, prompt, samples and evidence)."""
    if not forecast_ids:
        return {}
    with db.read() as session:
        rows = session.exec(
            select(BotForecast).where(col(BotForecast.forecast_id).in_(forecast_ids))
        ).all()
        return {
            r.forecast_id: BotProvenance.model_validate(r.model_dump(exclude={"user_id"}))
            for r in rows
        }
