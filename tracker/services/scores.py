"""Scores recomputed from the forecasts (never stored as the source of truth).

Loading a big history is the expensive part (a million forecasts take seconds), so the loaded
arrays, the report and its rows are memoised per `Database` handle and keyed by
`memo.write_version`, which changes with every audited write except a live forecast: those are only
accepted on open questions, which are not scored until their (audited) resolution. Only the
forecasts of resolved questions are loaded: nothing else is ever scored. The web app also caches
by `data_version`, which changes with every audited write.
"""

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import Integer, case, cast, func
from sqlmodel import col, select

from tracker.db import Database
from tracker.models import AuditEvent, Forecast, ForecastProbability, Question, User
from tracker.models_llmassist import BotAccount
from tracker.schemas import CONTINUOUS, ForecastRead, QuestionRead
from tracker.scoring import aggregate, calibration, rules
from tracker.scoring.inputs import ANNULLED, MISSING_TIME, UNRESOLVED, ScoringInput
from tracker.scoring.leaderboard import leaderboard as leaderboard_table
from tracker.scoring.leaderboard import rank, tied_ranks
from tracker.scoring.report import ScoreReport, score_input
from tracker.scoring.report_bytes import report_from_bytes, report_to_bytes
from tracker.services import memo, score_store
from tracker.services.questions import list_questions
from tracker.services.sessions import SessionRead, get_session, list_sessions, session_forecasts

T = TypeVar("T")


class ScoreRow(BaseModel):
    question_id: str
    user: str
    display_name: str = ""  # what people are called on screen; `user` is the sign-in name
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
    """A member's averages; `rank` is shared by equal scores (1, 1, 3). `days_scored` counts the
    full days their forecasts stood on: 0 means every question resolved on the day they forecast,
    so there is no daily Brier and the relative Brier is 0 by construction."""

    rank: int
    user: str
    display_name: str = ""
    days_scored: int = 0
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


CalibrationEvents = Literal["binary", "one_vs_rest"]
EVENT_LABELS: dict[str, str] = {
    "binary": "Binary questions: P(Yes)",
    "one_vs_rest": "Multiple-choice options, one-vs-rest",
}


class CalibrationView(BaseModel):
    user: str
    events: CalibrationEvents = "binary"
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


# ------------------------------------------------------------------ the memo


def clear_caches() -> None:
    """Forget every memoised score table (benchmarks use it to time cold runs)."""
    memo.clear()


# ------------------------------------------------------------------ loading


def scoring_input(db: Database, *, with_bots: bool = False) -> ScoringInput:
    """Every question, and the visible forecasts of the resolved ones, as the engine's arrays
    (forecasts on open, closed or annulled questions are never scored, so they are not read).
    Bots (the AI baseline) are not team members: left out unless `with_bots`."""
    return _loaded(db, with_bots=with_bots)[0]


def _loaded(db: Database, *, with_bots: bool = False) -> tuple[ScoringInput, np.ndarray]:
    """The engine's arrays and the database id of each forecast row (ascending)."""
    name = "input+bots" if with_bots else "input"
    return memo.memoised(db, name, lambda: _load_input(db, with_bots=with_bots))


def _load_input(
    db: Database, only: str | None = None, with_bots: bool = False
) -> tuple[ScoringInput, np.ndarray]:
    """Everything, or with `only` just that question and its forecasts."""
    questions = [
        q
        for q in list_questions(db)
        if (only is None or q.id == only) and not q.is_continuous  # their own scores below
    ]
    index = {q.id: i for i, q in enumerate(questions)}
    width = max((len(q.options) for q in questions), default=2)
    heads, cells = _resolved_forecasts(db, only, with_bots)
    n = len(heads)
    forecast_id = np.fromiter((h[0] for h in heads), np.int64, n)
    question = np.fromiter((index[h[1]] for h in heads), np.int64, n)
    user_id = np.fromiter((h[2] for h in heads), np.int64, n)
    times = np.fromiter((h[3] for h in heads), np.int64, n)
    probs = np.zeros((n, width))
    if cells:
        table = np.array(cells, dtype=np.float64)
        rows = np.searchsorted(forecast_id, table[:, 0].astype(np.int64))
        probs[rows, table[:, 1].astype(np.int64)] = table[:, 2]
    # users: sorted names, as before; each forecast points at its user's name
    ids, inverse = np.unique(user_id, return_inverse=True)
    with db.read() as session:
        names_by_id = dict(session.exec(select(User.id, User.name)).all())
    names = np.array([names_by_id[int(i)] for i in ids], dtype=object)
    order = np.argsort(names.astype(str), kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(order.size)

    def outcome(q) -> int:  # type: ignore[no-untyped-def]
        if q.status == "annulled":
            return ANNULLED
        return q.options.index(q.resolution) if q.status == "resolved" else UNRESOLVED

    data = ScoringInput(
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
        users=list(names[order]),
        forecast_question=question,
        forecast_user=np.asarray(position[inverse], dtype=np.int64),
        forecast_time=times,
        probs=probs,
    )
    return data, forecast_id


def _resolved_forecasts(
    db: Database, only: str | None = None, with_bots: bool = False
) -> tuple[list[Any], list[Any]]:
    """(id, question id, user id, Unix seconds) of each visible forecast on a resolved
    question, by id; and its (forecast id, option index, probability) cells. Read through the
    driver's cursor: a million rows through ORM objects would take half a minute."""
    scored: tuple[Any, ...] = (
        col(Forecast.hidden).is_(False),
        Question.status == "resolved",
        *(Question.type != kind for kind in CONTINUOUS),  # no IN: `_fetch` binds plainly
    )
    if only is not None:
        scored = (*scored, Forecast.question_id == only)
    if not with_bots:
        scored = (*scored, col(Forecast.user_id).not_in(select(BotAccount.user_id)))
    cells_query = (
        select(
            ForecastProbability.forecast_id,
            ForecastProbability.option_index,
            ForecastProbability.probability,
        )
        .join(Forecast, col(Forecast.id) == ForecastProbability.forecast_id)
        .join(Question, col(Question.id) == Forecast.question_id)
        .where(*scored)
        .order_by(ForecastProbability.forecast_id, ForecastProbability.option_index)
    )
    with db.read() as session:
        conn = session.connection()
        if db.sqlite:  # seconds computed by SQLite: parsing a million timestamps in Python is slow
            seconds = cast(func.strftime("%s", Forecast.created_at), Integer)
            heads_query = (
                select(Forecast.id, Forecast.question_id, Forecast.user_id, seconds)
                .join(Question, col(Question.id) == Forecast.question_id)
                .where(*scored)
                .order_by(Forecast.id)
            )
            heads = _fetch(conn, heads_query)
        else:
            heads_query = (
                select(Forecast.id, Forecast.question_id, Forecast.user_id, Forecast.created_at)
                .join(Question, col(Question.id) == Forecast.question_id)
                .where(*scored)
                .order_by(Forecast.id)
            )
            heads = [
                (fid, qid, uid, math.floor(at.timestamp()))
                for fid, qid, uid, at in conn.execute(heads_query)
            ]
        cells = _fetch(conn, cells_query)
    return heads, cells


def _fetch(conn: Any, query: Any) -> list[Any]:
    """Plain tuples; on SQLite straight from the driver's cursor (a third of the time)."""
    if conn.dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(query)]
    compiled = query.compile(dialect=conn.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def report(db: Database) -> ScoreReport:
    """Every score table: memoised in the process, and kept in the database for the next
    process (a restart) while the write version stays the same."""
    return memo.memoised(db, "report", lambda: _kept_report(db))


def _kept_report(db: Database) -> ScoreReport:
    version = memo.write_version(db)
    payload = score_store.load(db, "report", version)
    if payload is not None:
        return report_from_bytes(payload)
    built = score_input(scoring_input(db))
    score_store.save(db, "report", version, report_to_bytes(built))
    return built


def _rows(frame: pd.DataFrame) -> list[dict]:
    """Records with plain Python values (NaN → None), column by column (fast for big tables)."""
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind == "f":
            cells = values.astype(object)
            cells[np.isnan(values)] = None
            columns.append(cells.tolist())
        else:
            columns.append(values.tolist())
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _score_rows(db: Database, frame: pd.DataFrame) -> list[ScoreRow]:
    # the engine's rows are already typed and checked: build without re-validating each one
    names = display_names(db)
    return [
        ScoreRow.model_construct(**r, display_name=names.get(r["user"], r["user"]))
        for r in _rows(frame)
    ]


def all_scores(db: Database) -> list[ScoreRow]:
    return list(memo.memoised(db, "rows", lambda: _score_rows(db, report(db).scores)))


def _scores_where(db: Database, column: str, values: set[str]) -> list[ScoreRow]:
    frame = report(db).scores
    return _score_rows(db, frame[frame[column].isin(values)])


def scored_members(db: Database) -> list[str]:
    """The names of everyone with at least one scored question, sorted."""
    return sorted(str(u) for u in report(db).users["user"])


def question_scores(db: Database, question_id: str) -> list[ScoreRow]:
    """One question's rows, scored from its own forecasts only (a question's scores depend on
    nothing else), so its page never waits for the whole database to be scored."""
    version = memo.write_version(db)
    rows = memo.lookup(db, "question_scores", question_id, version)
    if rows is None:
        rows = _score_rows(db, score_input(_load_input(db, only=question_id)[0]).scores)
        memo.keep(db, "question_scores", question_id, version, rows, limit=256)
    return list(rows)


def user_scores(db: Database, user: str) -> list[ScoreRow]:
    return _scores_where(db, "user", {user})


def leaderboard(
    db: Database, min_questions: int = 1, by: str = "relative_brier"
) -> list[LeaderRow]:
    """Per-user averages over resolved, non-annulled questions, best first; equal scores share
    a rank (a question resolved on the day everyone forecast leaves every relative Brier 0)."""
    scored = report(db).scores
    table = rank(leaderboard_table(scored, min_questions), by=by)
    ranks = tied_ranks(table[by].to_numpy(dtype=np.float64), ascending="brier" in by)
    days = scored.groupby("user", observed=True)["active_days"].sum()
    names = display_names(db)
    return [
        LeaderRow(
            rank=int(r),
            display_name=names.get(row["user"], row["user"]),
            days_scored=int(days.get(row["user"], 0)),
            **row,
        )
        for r, row in zip(ranks, _rows(table), strict=True)
    ]


def display_names(db: Database) -> dict[str, str]:
    """Sign-in name → the name shown on screen (the display name, or the sign-in name)."""
    with db.read() as session:
        people = session.exec(select(User.name, User.display_name)).all()
    return {name: shown or name for name, shown in people}


def user_calibration(
    db: Database, user: str, events: CalibrationEvents = "binary", tag: str | None = None
) -> CalibrationView:
    """Calibration of the user's standing forecast at each resolved question's end.

    "binary": one event per binary question, P(Yes). "one_vs_rest": every option of each
    multiple-choice or ordered question is its own yes/no event. `tag`: only its questions."""
    data = scoring_input(db)
    listed = list_questions(db)
    kinds = {q.id: q.type for q in listed if tag is None or tag in q.tags}
    probs, happened = [], []
    user_ids = np.flatnonzero(np.asarray(data.users) == user)
    if user_ids.size:
        for q, row in _final_forecasts(data, int(user_ids[0])):
            if data.question_ids[q] not in kinds:
                continue
            is_binary = kinds[data.question_ids[q]] == "binary"
            if is_binary != (events == "binary"):
                continue
            if is_binary:
                p, o = calibration.yes_events(data.probs[row : row + 1], data.outcome[q])
            else:
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
        events=events,
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


def _final_forecasts(data: ScoringInput, user: int) -> list[tuple[int, int]]:
    """(question, row) of the user's last forecast made before each question's end (the
    earlier of close and resolution), for resolved, non-annulled questions, by question; among
    forecasts in the same second the later row wins."""
    end = np.where(
        data.resolved_time == MISSING_TIME,
        data.close_time,
        np.minimum(data.close_time, data.resolved_time),
    )
    q = data.forecast_question
    rows = np.flatnonzero(
        (data.forecast_user == user) & (data.outcome[q] >= 0) & (data.forecast_time < end[q])
    )
    rows = rows[np.lexsort((data.forecast_time[rows], q[rows]))]  # stable: ties keep row order
    last = np.r_[q[rows][1:] != q[rows][:-1], True] if rows.size else rows.astype(bool)
    return [(int(q[r]), int(r)) for r in rows[last]]


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
    by_question: dict[str, list[ScoreRow]] = defaultdict(list)
    for s in _scores_where(db, "question_id", {q.id for q in resolved}):
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


class QueueRow(BaseModel):
    """One question of the weekly review queue, from one member's point of view."""

    question: QuestionRead
    mine: ScoreRow | None
    members: int
    median_brier: float | None  # the middle member's final Brier


def review_queue(db: Database, user: str, days: int = 7) -> list[QueueRow]:
    """The recently resolved questions, newest first: this member's score beside the team's."""
    listed = {q.id: q for q in list_questions(db, states={"resolved"})}
    rows = []
    for review in recently_resolved(db, days):
        finals = [s.brier for s in review.scores if s.brier is not None]
        rows.append(
            QueueRow(
                question=listed[review.question_id],
                mine=next((s for s in review.scores if s.user == user), None),
                members=len(review.scores),
                median_brier=float(np.median(finals)) if finals else None,
            )
        )
    return rows


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
    return memo.memoised(db, "update_effects", lambda: _update_effects(db))


def _update_effects(db: Database) -> list[UpdateEffect]:
    # Each resolved question's visible forecasts made before its end, in time order; an update
    # is a user's forecast after their previous one on the same question.
    data, forecast_ids = _loaded(db)
    listed = {q.id: i for i, q in enumerate(list_questions(db, states={"resolved"}))}
    end = case(
        (col(Question.resolved_time) < Question.close_time, Question.resolved_time),
        else_=Question.close_time,
    )
    query = (
        select(Forecast.id, Forecast.question_id, Forecast.user_id, col(Forecast.summary_id))
        .join(Question, col(Question.id) == Forecast.question_id)
        .where(
            col(Forecast.hidden).is_(False),
            Question.status == "resolved",
            col(Forecast.created_at) < end,
            col(Forecast.user_id).not_in(select(BotAccount.user_id)),  # as in `_loaded`
            *(Question.type != kind for kind in CONTINUOUS),  # their ids are not in `_loaded`
        )
        .order_by(Forecast.question_id, Forecast.created_at, Forecast.id)
    )
    with db.read() as session:
        made = _fetch(session.connection(), query)
    made = [m for m in made if m[1] in listed]
    made.sort(key=lambda m: listed[m[1]])  # stable: the questions list's order, then time
    n = len(made)
    groups: dict[str, list[float]] = {"after an evidence summary": [], "other updates": []}
    if n:
        rows = np.searchsorted(forecast_ids, np.fromiter((m[0] for m in made), np.int64, n))
        question = data.forecast_question[rows]
        brier = rules.brier(
            data.probs[rows],
            data.outcome[question],
            data.n_options[question],
            data.ordered[question],
        )
        pair = np.fromiter((listed[m[1]] for m in made), np.int64, n) * (
            max((m[2] for m in made), default=0) + 1
        ) + np.fromiter((m[2] for m in made), np.int64, n)
        by_pair = np.argsort(pair, kind="stable")  # each (question, user) in time order
        same = pair[by_pair][1:] == pair[by_pair][:-1]
        update, replaced = by_pair[1:][same], by_pair[:-1][same]
        improvement = np.empty(n)
        improvement[update] = brier[replaced] - brier[update]
        is_update = np.zeros(n, dtype=bool)
        is_update[update] = True
        for i in np.flatnonzero(is_update):  # in time order, as they happened
            key = "after an evidence summary" if made[i][3] else "other updates"
            groups[key].append(float(improvement[i]))
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
    """Brier of a member's blind forecast and of their forecast standing after the session
    (the update if they made one, else the blind one); `questions` counts what was averaged."""

    user: str
    blind_brier: float | None
    final_brier: float | None
    questions: int = 1


class QuestionSessionReview(BaseModel):
    question_id: str
    title: str
    resolution: str
    people: list[PersonSessionScore]
    team_blind_brier: float | None
    team_final_brier: float | None
    median_member_blind_brier: float | None
    median_member_final_brier: float | None

    @property
    def team_beat_median_member(self) -> bool | None:
        """Did the team's median pool after the session score better than its median member?"""
        if self.team_final_brier is None or self.median_member_final_brier is None:
            return None
        return self.team_final_brier < self.median_member_final_brier


class SessionReview(BaseModel):
    """Per resolved question and averaged over them: did the discussion make us more accurate?"""

    session_id: int
    questions: list[QuestionSessionReview]
    pending: list[str]
    people: list[PersonSessionScore] = Field(default_factory=list)
    team_blind_brier: float | None = None
    team_final_brier: float | None = None
    median_member_final_brier: float | None = None
    team_beat_median_member: int = 0


def session_review(
    db: Database, session_id: int, *, pool: str = "median", factor: float = aggregate.EXTREMIZE
) -> SessionReview:
    """Blind vs updated Brier per person and for the team's pool (the median unless the team
    chose another), on resolved questions; `pending` lists the questions not resolved yet."""
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
                    list(first.values()), q.options, q.resolution, ordered, pool, factor
                ),
                team_final_brier=_pool_brier(
                    list(last.values()), q.options, q.resolution, ordered, pool, factor
                ),
                median_member_blind_brier=_median([p.blind_brier for p in people]),
                median_member_final_brier=_median([p.final_brier for p in people]),
            )
        )
    return SessionReview(
        session_id=session_id,
        questions=reviewed,
        pending=pending,
        people=_people_means(reviewed, record.participants),
        team_blind_brier=_mean([r.team_blind_brier for r in reviewed]),
        team_final_brier=_mean([r.team_final_brier for r in reviewed]),
        median_member_final_brier=_mean([r.median_member_final_brier for r in reviewed]),
        team_beat_median_member=sum(bool(r.team_beat_median_member) for r in reviewed),
    )


def session_reviews(
    db: Database, *, pool: str = "median", factor: float = aggregate.EXTREMIZE
) -> list[tuple[SessionRead, SessionReview]]:
    """Every session with at least one resolved question, newest first (the Review page).
    Memoised like the scores: a review changes only with a resolution or a session's phase,
    both audited; live forecasts land on open questions, which no review counts yet."""
    key = f"session_reviews:{pool}:{factor}"
    return memo.memoised(db, key, lambda: _session_reviews(db, pool, factor))


def _session_reviews(
    db: Database, pool: str, factor: float
) -> list[tuple[SessionRead, SessionReview]]:
    found = [(s, session_review(db, s.id, pool=pool, factor=factor)) for s in list_sessions(db)]
    return [(s, r) for s, r in found if r.questions]


def _people_means(
    reviewed: list[QuestionSessionReview], participants: list[str]
) -> list[PersonSessionScore]:
    rows = []
    for user in participants:
        mine = [p for r in reviewed for p in r.people if p.user == user]
        if mine:
            rows.append(
                PersonSessionScore(
                    user=user,
                    blind_brier=_mean([p.blind_brier for p in mine]),
                    final_brier=_mean([p.final_brier for p in mine]),
                    questions=len(mine),
                )
            )
    return rows


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def _pool_brier(
    made: list[ForecastRead],
    options: list[str],
    outcome: str,
    ordered: bool,
    pool: str = "median",
    factor: float = aggregate.EXTREMIZE,
) -> float | None:
    if not made:
        return None
    made = sorted(made, key=lambda f: (f.created_at, f.id))  # oldest first, for recency
    probs = np.array([[f.probabilities[o] for o in options] for f in made])
    pooled = aggregate.pool(pool, probs, factor=factor)
    return float(rules.brier([pooled], options.index(outcome), ordered=ordered)[0])


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.median(present)) if present else None
