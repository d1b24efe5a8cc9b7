"""Scores of numeric and date questions: per member and for the team's pool, and each
member's PIT values for calibration (DESIGN §3). Categorical scores live in `scores`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from tracker.db import Database
from tracker.quantities import outcome_value
from tracker.schemas import Actor, ForecastRead, QuestionRead
from tracker.services import memo
from tracker.services.forecasts import forecast_history
from tracker.services.questions import get_question, list_questions

TEAM_POOL = "Team (mean of CDFs)"


@dataclass(frozen=True)
class NumericScoreRow:
    """A member's (or the pool's) time-averaged scores on one question: CRPS in the
    question's unit (dates: days; lower is better), Metaculus's log, baseline and peer
    (higher is better; peer is None for the pool, which is not a member)."""

    question_id: str
    user: str
    forecasts: int
    crps: float
    log: float
    baseline: float
    peer: float | None


def _seconds(at: datetime) -> int:
    return int(at.timestamp())


def _humans(db: Database, history: Sequence[ForecastRead]) -> list[ForecastRead]:
    from tracker.services.views import split_bots

    return [f for f in split_bots(db, history)[0] if f.cdf is not None]


def team_pool(history: Sequence[ForecastRead]) -> list[float] | None:
    """The mean of each member's latest CDF in a time-ordered history (None: nobody yet)."""
    latest = {f.user: f.cdf for f in history if f.cdf is not None}
    if not latest:
        return None
    return [float(x) for x in np.mean(np.array(list(latest.values())), axis=0)]


def question_scores(db: Database, question_id: str) -> list[NumericScoreRow]:
    """Members' rows best baseline first, then the pool's; [] until the question resolves."""
    question = get_question(db, question_id)
    if not (question.is_continuous and question.status == "resolved"):
        return []
    return memo.memoised(db, f"numeric-scores:{question_id}", lambda: _score(db, question))


def _score(db: Database, question: QuestionRead) -> list[NumericScoreRow]:
    from tracker.scoring.continuous_question import pool_path, score_members

    assert question.range is not None and question.resolution is not None
    history = _humans(db, forecast_history(db, question_id=question.id))
    if not history:
        return []
    rng = question.range.scoring_range()
    outcome = outcome_value(question.type, question.resolution)
    names = sorted({f.user for f in history})
    code = {name: i for i, name in enumerate(names)}
    window = (
        _seconds(question.open_time),
        _seconds(min(question.resolved_time or question.close_time, question.close_time)),
        _seconds(question.close_time),
    )
    member = np.array([code[f.user] for f in history])
    time = np.array([_seconds(f.created_at) for f in history])
    cdfs = np.array([f.cdf for f in history])
    scored = score_members(rng, member, time, cdfs, outcome, *window)
    rows = [
        NumericScoreRow(
            question.id,
            names[int(m)],
            int(n),
            float(c),
            float(lg),
            float(b),
            float(p),
        )
        for m, n, c, lg, b, p in zip(
            scored.members,
            scored.forecasts,
            scored.crps,
            scored.log,
            scored.baseline,
            scored.peer,
            strict=True,
        )
    ]
    rows.sort(key=lambda r: (-r.baseline, r.user))
    times, pools = pool_path(member, time, cdfs)
    pooled = score_members(rng, np.zeros(times.size), times, pools, outcome, *window)
    rows.append(
        NumericScoreRow(
            question.id,
            TEAM_POOL,
            int(times.size),
            float(pooled.crps[0]),
            float(pooled.log[0]),
            float(pooled.baseline[0]),
            None,
        )
    )
    return rows


def all_numeric_scores(db: Database) -> list[NumericScoreRow]:
    """Every resolved numeric or date question's rows (for the Review page)."""
    return [
        row
        for q in list_questions(db, states={"resolved"})
        if q.is_continuous
        for row in question_scores(db, q.id)
    ]


def member_pit(db: Database, user: str) -> list[float]:
    """PIT values F(outcome) of a member's final forecast on each resolved numeric or date
    question: uniform on [0, 1] for a calibrated forecaster (the continuous calibration)."""
    from tracker.scoring.continuous_scores import pit

    values = []
    for q in list_questions(db, states={"resolved"}):
        if not q.is_continuous or q.range is None or q.resolution is None:
            continue
        mine = [f for f in forecast_history(db, question_id=q.id) if f.user == user and f.cdf]
        if mine:
            rng = q.range.scoring_range()
            values.append(float(pit(rng, mine[-1].cdf, outcome_value(q.type, q.resolution))))
    return values


@dataclass(frozen=True)
class NumericStanding:
    """A member's record over the resolved numeric and date questions. CRPS is left out: it
    is in each question's unit, so it does not average across questions."""

    user: str
    questions: int
    baseline: float
    peer: float


def numeric_leaderboard(db: Database) -> list[NumericStanding]:
    """Members by mean peer score over the numeric and date questions they forecast."""
    by_user: dict[str, list[NumericScoreRow]] = {}
    for row in all_numeric_scores(db):
        if row.peer is not None:
            by_user.setdefault(row.user, []).append(row)
    board = [
        NumericStanding(
            user,
            len(rows),
            float(np.mean([r.baseline for r in rows])),
            float(np.mean([r.peer or 0.0 for r in rows])),
        )
        for user, rows in by_user.items()
    ]
    return sorted(board, key=lambda s: (-s.peer, s.user))


@dataclass(frozen=True)
class PitCalibration:
    """A member's PIT histogram: the share of outcomes in each tenth of their distributions,
    against the 10 % a calibrated forecaster expects."""

    edges: list[float]
    counts: list[int]
    expected: float
    values: int


def member_pit_histogram(db: Database, user: str, bins: int = 10) -> PitCalibration:
    from tracker.scoring.continuous_scores import pit_histogram

    values = member_pit(db, user)
    made = pit_histogram(values, bins)
    return PitCalibration(
        [float(e) for e in made.edges],
        [int(c) for c in made.count],
        float(made.expected),
        len(values),
    )


@dataclass(frozen=True)
class NumericBoardRow:
    """A leaderboard line: mean peer, baseline and log scores over the numeric and date
    questions scored (peer is None for the team's pool, which is not a member)."""

    user: str
    questions: int
    peer: float | None
    baseline: float
    log: float


def numeric_board(db: Database) -> list[NumericBoardRow]:
    """`numeric_leaderboard`'s members in its order with their mean log score, then the team
    pool's line over every question it was scored on (the Review page's numeric board)."""
    by_user: dict[str, list[NumericScoreRow]] = {}
    for row in all_numeric_scores(db):
        by_user.setdefault(row.user, []).append(row)

    def line(user: str, rows: list[NumericScoreRow], peer: float | None) -> NumericBoardRow:
        return NumericBoardRow(
            user,
            len(rows),
            peer,
            float(np.mean([r.baseline for r in rows])),
            float(np.mean([r.log for r in rows])),
        )

    board = [line(s.user, by_user[s.user], s.peer) for s in numeric_leaderboard(db)]
    if TEAM_POOL in by_user:
        board.append(line(TEAM_POOL, by_user[TEAM_POOL], None))
    return board


@dataclass(frozen=True)
class PathPoint:
    """One forecast's (or the pool's) median and 80 % interval, in the question's values
    (dates: days since 1970); quantiles beyond an open bound are clipped to the bound."""

    user: str
    time: datetime
    low: float
    median: float
    high: float


def numeric_paths(db: Database, actor: Actor, question_id: str) -> list[PathPoint]:
    """Every visible member forecast as a PathPoint, then the team pool's after each of them
    (user `TEAM_POOL`), in time order: what the Review page draws against the outcome."""
    from tracker.scoring.continuous_build import summary
    from tracker.scoring.continuous_question import pool_path
    from tracker.services.views import all_paths

    question, history = all_paths(db, actor, question_id)
    history = [f for f in history if f.cdf is not None]
    if question.range is None or not history:
        return []
    rng = question.range.scoring_range()

    def point(user: str, at: datetime, cdf: Sequence[float]) -> PathPoint:
        said = summary(rng, cdf)
        low, high = (float(np.clip(x, rng.lower, rng.upper)) for x in (said.low, said.high))
        return PathPoint(user, at, low, float(np.clip(said.median, rng.lower, rng.upper)), high)

    points = [point(f.user, f.created_at, f.cdf) for f in history if f.cdf is not None]
    code = {name: i for i, name in enumerate(sorted({f.user for f in history}))}
    seconds = [_seconds(f.created_at) for f in history]
    at = dict(zip(seconds, (f.created_at for f in history), strict=True))
    times, pools = pool_path(
        np.array([code[f.user] for f in history]),
        np.array(seconds),
        np.array([f.cdf for f in history]),
    )
    points += [point(TEAM_POOL, at[int(t)], cdf) for t, cdf in zip(times, pools, strict=True)]
    return points
