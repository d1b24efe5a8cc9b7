"""A member's own track record (the 'My record' view): scores over time, resolved questions
with the outcome, and open forecasts from the stalest; calibration by tag is
`scores.user_calibration(..., tag=...)`."""

from datetime import datetime

from pydantic import BaseModel

from tracker.db import Database
from tracker.schemas import Actor
from tracker.scoring.record import running_mean
from tracker.services import scores, views
from tracker.services.questions import list_questions


class ResolvedLine(BaseModel):
    question_id: str
    title: str
    resolved_time: datetime | None
    resolution: str | None
    brier: float | None
    relative_brier: float | None
    running_mean_brier: float | None  # over this and every earlier resolved question


class OpenLine(BaseModel):
    question_id: str
    title: str
    last_forecast: datetime
    days_since: int
    update_reason: str


class MyRecord(BaseModel):
    resolved: list[ResolvedLine]
    open: list[OpenLine]
    tags: list[str]


def my_record(db: Database, actor: Actor, stale_days: int = 14) -> MyRecord:
    questions = {q.id: q for q in list_questions(db)}
    mine = [s for s in scores.user_scores(db, actor.name) if s.question_id in questions]
    mine.sort(key=lambda s: (questions[s.question_id].resolved_time or datetime.max, s.question_id))
    means = running_mean([s.brier if s.brier is not None else float("nan") for s in mine])
    resolved = [
        ResolvedLine(
            question_id=s.question_id,
            title=questions[s.question_id].title,
            resolved_time=questions[s.question_id].resolved_time,
            resolution=questions[s.question_id].resolution,
            brier=s.brier,
            relative_brier=s.relative_brier,
            running_mean_brier=None if m != m else float(m),
        )
        for s, m in zip(mine, means, strict=True)
    ]
    now = db.now()
    rows = views.question_rows(db, actor, states={"open"}, stale_days=stale_days)
    standing = sorted((r for r in rows if r.my_last_time), key=lambda r: r.my_last_time)
    open_lines = [
        OpenLine(
            question_id=r.question.id,
            title=r.question.title,
            last_forecast=r.my_last_time,
            days_since=(now - r.my_last_time).days,
            update_reason=r.update_reason,
        )
        for r in standing
        if r.my_last_time is not None
    ]
    tags = sorted({t for s in mine for t in questions[s.question_id].tags})
    return MyRecord(resolved=resolved, open=open_lines, tags=tags)
