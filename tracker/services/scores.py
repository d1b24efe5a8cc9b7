"""Scores recomputed from the forecasts (never stored as the source of truth).

Loads the database into the scoring engine's arrays once per call; the web app caches by
`data_version`, which changes with every audited write.
"""

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sqlalchemy import func, text
from sqlmodel import select

from tracker.db import Database
from tracker.models import AuditEvent
from tracker.schemas import ForecastRead
from tracker.scoring import calibration, rules
from tracker.scoring.aggregate import median as median_pool
from tracker.scoring.inputs import ANNULLED, MISSING_TIME, UNRESOLVED, ScoringInput, to_seconds
from tracker.scoring.leaderboard import leaderboard as leaderboard_table
from tracker.scoring.leaderboard import rank
from tracker.scoring.report import ScoreReport, score_input
from tracker.services.forecasts import forecast_history
from tracker.services.questions import list_questions


class ScoreRow(BaseModel):
    question_id: str
    user: str
    brier: float | None
    mean_daily_brier: float | None
    median_daily_brier: float | None
    relative_brier: float | None
    participation: float | None
    active_days: int
    scored_days: int
    log_score: float | None
    baseline_score: float | None
    peer_score: float | None


class LeaderRow(BaseModel):
    rank: int
    user: str
    questions: int
    mean_daily_brier: float | None
    relative_brier: float | None
    baseline_score: float | None
    peer_score: float | None


class CalibrationBin(BaseModel):
    lower: float
    upper: float
    mean_forecast: float | None
    observed_frequency: float | None
    count: int


class CalibrationView(BaseModel):
    user: str
    forecasts: int
    bins: list[CalibrationBin]
    brier: float | None
    reliability: float | None
    resolution: float | None
    uncertainty: float | None
    within_bin_variance: float | None
    within_bin_covariance: float | None


def data_version(db: Database) -> int:
    """Changes whenever anything is written (every write is audited): a cache key for scores."""
    with db.read() as session:
        return session.exec(select(func.max(AuditEvent.id))).one() or 0


def _seconds(values: pd.Series) -> np.ndarray:
    parsed = pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_localize(None)
    return to_seconds(parsed.to_numpy())


def scoring_input(db: Database) -> ScoringInput:
    """Every question and visible forecast, as the engine's arrays."""
    questions = list_questions(db)
    index = {q.id: i for i, q in enumerate(questions)}
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute(
            text(
                "SELECT f.id, f.question_id, u.name, f.created_at, p.option_index, p.probability "
                "FROM forecast f JOIN forecast_probability p ON p.forecast_id = f.id "
                "JOIN user_account u ON u.id = f.user_id WHERE NOT f.hidden "
                "ORDER BY f.id, p.option_index"
            )
        ).all()
    frame = pd.DataFrame(rows, columns=["id", "question_id", "user", "time", "option", "p"])
    width = max((len(q.options) for q in questions), default=2)
    ids, first = np.unique(frame["id"].to_numpy(), return_index=True)
    heads = frame.iloc[first]
    probs = np.zeros((ids.size, width))
    probs[np.searchsorted(ids, frame["id"].to_numpy()), frame["option"].to_numpy()] = frame["p"]
    users, user_index = np.unique(heads["user"].to_numpy(dtype=object), return_inverse=True)
    times = _seconds(heads["time"].astype(str)) if len(heads) else np.zeros(0, dtype=np.int64)

    def outcome(q) -> int:  # type: ignore[no-untyped-def]
        if q.status == "annulled":
            return ANNULLED
        return q.options.index(q.resolution) if q.status == "resolved" else UNRESOLVED

    return ScoringInput(
        question_ids=[q.id for q in questions],
        n_options=np.array([len(q.options) for q in questions], dtype=np.int64),
        ordered=np.array([q.type == "ordered" for q in questions], dtype=bool),
        open_time=np.array([int(q.open_time.timestamp()) for q in questions], dtype=np.int64),
        close_time=np.array([int(q.close_time.timestamp()) for q in questions], dtype=np.int64),
        resolved_time=np.array(
            [
                int(q.resolved_time.timestamp()) if q.resolved_time else MISSING_TIME
                for q in questions
            ],
            dtype=np.int64,
        ),
        outcome=np.array([outcome(q) for q in questions], dtype=np.int64),
        users=list(users),
        forecast_question=np.array([index[qid] for qid in heads["question_id"]], dtype=np.int64),
        forecast_user=np.asarray(user_index, dtype=np.int64),
        forecast_time=np.asarray(times, dtype=np.int64),
        probs=probs,
    )


def report(db: Database) -> ScoreReport:
    return score_input(scoring_input(db))


def _rows(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def all_scores(db: Database) -> list[ScoreRow]:
    return [ScoreRow.model_validate(r) for r in _rows(report(db).scores)]


def question_scores(db: Database, question_id: str) -> list[ScoreRow]:
    return [s for s in all_scores(db) if s.question_id == question_id]


def user_scores(db: Database, user: str) -> list[ScoreRow]:
    return [s for s in all_scores(db) if s.user == user]


def leaderboard(
    db: Database, min_questions: int = 1, by: str = "relative_brier"
) -> list[LeaderRow]:
    """Per-user averages over resolved, non-annulled questions, best first."""
    table = rank(leaderboard_table(report(db).scores, min_questions), by=by)
    return [LeaderRow(rank=i + 1, **row) for i, row in enumerate(_rows(table))]


def user_calibration(db: Database, user: str) -> CalibrationView:
    """Calibration of the user's standing forecast at each resolved question's end; each option
    of a multi-option forecast counts as one yes/no event."""
    data = scoring_input(db)
    final = _final_forecasts(data)
    probs, happened = [], []
    user_ids = np.flatnonzero(np.asarray(data.users) == user)
    for (q, u), row in final.items():
        if user_ids.size and u == user_ids[0]:
            p, o = calibration.binary_events(
                data.probs[row : row + 1], data.outcome[q], data.n_options[q]
            )
            probs.append(p)
            happened.append(o)
    p = np.concatenate(probs) if probs else np.zeros(0)
    o = np.concatenate(happened) if happened else np.zeros(0)
    curve = calibration.calibration_curve(p, o)
    bins = [
        CalibrationBin(
            lower=float(curve.edges[i]),
            upper=float(curve.edges[i + 1]),
            mean_forecast=_num(curve.mean_forecast[i]),
            observed_frequency=_num(curve.observed_frequency[i]),
            count=int(curve.count[i]),
        )
        for i in range(len(curve.count))
    ]
    parts = calibration.brier_decomposition(p, o) if p.size else None
    return CalibrationView(
        user=user,
        forecasts=len(probs),
        bins=bins,
        **{
            k: (getattr(parts, k) if parts else None)
            for k in (
                "brier",
                "reliability",
                "resolution",
                "uncertainty",
                "within_bin_variance",
                "within_bin_covariance",
            )
        },
    )


def _num(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _final_forecasts(data: ScoringInput) -> dict[tuple[int, int], int]:
    """(question, user) → row of the last forecast made before the question's end, for
    resolved, non-annulled questions."""
    end = np.where(
        data.resolved_time == MISSING_TIME,
        data.close_time,
        np.minimum(data.close_time, data.resolved_time),
    )
    order = np.lexsort((data.forecast_time, data.forecast_user, data.forecast_question))
    final: dict[tuple[int, int], int] = {}
    for row in order:
        q = int(data.forecast_question[row])
        if data.outcome[q] >= 0 and data.forecast_time[row] < end[q]:
            final[(q, int(data.forecast_user[row]))] = int(row)
    return final


class ResolvedReview(BaseModel):
    question_id: str
    title: str
    resolution: str
    resolved_time: datetime | None
    scores: list[ScoreRow]


def recently_resolved(db: Database, days: int = 7) -> list[ResolvedReview]:
    """Questions resolved in the last `days` days, newest first, with everyone's scores."""
    since = db.now() - timedelta(days=days)
    resolved = [
        q
        for q in list_questions(db, states={"resolved"})
        if q.resolved_time is None or q.resolved_time >= since
    ]
    if not resolved:
        return []
    scores = all_scores(db)
    by_question: dict[str, list[ScoreRow]] = defaultdict(list)
    for s in scores:
        by_question[s.question_id].append(s)
    resolved.sort(key=lambda q: q.resolved_time or q.close_time, reverse=True)
    return [
        ResolvedReview(
            question_id=q.id,
            title=q.title,
            resolution=q.resolution or "",
            resolved_time=q.resolved_time,
            scores=sorted(
                by_question[q.id], key=lambda s: (s.relative_brier is None, s.relative_brier or 0.0)
            ),
        )
        for q in resolved
    ]


# ------------------------------------------------------------------ did updates help?


class UpdateEffect(BaseModel):
    group: str
    updates: int
    mean_improvement: float | None
    share_improved: float | None


def brier_of(forecast: ForecastRead, options: list[str], outcome: str, ordered: bool) -> float:
    vector = [[forecast.probabilities[o] for o in options]]
    return float(rules.brier(vector, options.index(outcome), ordered=ordered)[0])


def update_effects(db: Database) -> list[UpdateEffect]:
    """Updates made with an evidence summary on screen vs other updates: how much did each
    lower the Brier score of the forecast it replaced? (positive = the update helped)."""
    groups: dict[str, list[float]] = {"after an evidence summary": [], "other updates": []}
    for q in list_questions(db, states={"resolved"}):
        end = min(q.close_time, q.resolved_time or q.close_time)
        previous: dict[str, float] = {}
        for f in forecast_history(db, question_id=q.id):
            if f.created_at >= end:
                continue
            score = brier_of(f, q.options, q.resolution or "", q.type == "ordered")
            if f.user in previous:
                key = "after an evidence summary" if f.summary_id else "other updates"
                groups[key].append(previous[f.user] - score)
            previous[f.user] = score
    return [
        UpdateEffect(
            group=name,
            updates=len(values),
            mean_improvement=float(np.mean(values)) if values else None,
            share_improved=float(np.mean(np.array(values) > 0)) if values else None,
        )
        for name, values in groups.items()
    ]


# ------------------------------------------------------------------ session reviews


class PersonSessionScore(BaseModel):
    user: str
    blind_brier: float | None
    final_brier: float | None


class QuestionSessionReview(BaseModel):
    question_id: str
    title: str
    resolution: str
    people: list[PersonSessionScore]
    team_blind_brier: float | None
    team_final_brier: float | None
    median_member_blind_brier: float | None
    median_member_final_brier: float | None


class SessionReview(BaseModel):
    session_id: int
    questions: list[QuestionSessionReview]
    pending: list[str]


def session_review(db: Database, session_id: int) -> SessionReview:
    """Blind vs updated Brier per person and for the team's median pool, on resolved questions;
    `pending` lists the session's questions not resolved yet."""
    from tracker.services.sessions import get_session, session_forecasts

    record = get_session(db, session_id)
    blind = session_forecasts(db, session_id, "blind")
    updates = session_forecasts(db, session_id, "update")
    questions = {q.id: q for q in list_questions(db) if q.id in record.question_ids}
    reviewed, pending = [], []
    for qid in record.question_ids:
        q = questions[qid]
        if q.status != "resolved" or q.resolution is None:
            pending.append(qid)
            continue
        ordered = q.type == "ordered"
        first = {f.user: f for f in blind[qid]}
        last = first | {f.user: f for f in updates[qid]}
        people = [
            PersonSessionScore(
                user=user,
                blind_brier=brier_of(first[user], q.options, q.resolution, ordered)
                if user in first
                else None,
                final_brier=brier_of(last[user], q.options, q.resolution, ordered)
                if user in last
                else None,
            )
            for user in record.participants
            if user in last
        ]
        reviewed.append(
            QuestionSessionReview(
                question_id=qid,
                title=q.title,
                resolution=q.resolution,
                people=people,
                team_blind_brier=_pool_brier(
                    list(first.values()), q.options, q.resolution, ordered
                ),
                team_final_brier=_pool_brier(list(last.values()), q.options, q.resolution, ordered),
                median_member_blind_brier=_median([p.blind_brier for p in people]),
                median_member_final_brier=_median([p.final_brier for p in people]),
            )
        )
    return SessionReview(session_id=session_id, questions=reviewed, pending=pending)


def _pool_brier(
    made: list[ForecastRead], options: list[str], outcome: str, ordered: bool
) -> float | None:
    if not made:
        return None
    pooled = median_pool(np.array([[f.probabilities[o] for o in options] for f in made]))
    return float(rules.brier([pooled], options.index(outcome), ordered=ordered)[0])


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.median(present)) if present else None
