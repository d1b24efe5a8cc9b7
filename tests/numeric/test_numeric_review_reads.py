"""The reads the Review page draws numeric questions from: the board (members in the
leaderboard's order with their mean log score, then the team pool's line) and each forecast's
median and 80 % interval over time with the pool's."""

from datetime import timedelta

import pytest

from tests.numeric.conftest import brent_data
from tests.support import Clock
from tracker.db import Database
from tracker.schemas import Actor, ForecastCreate, Resolution
from tracker.services import forecasts, numeric_scores, questions


@pytest.fixture
def resolved(db: Database, admin: Actor, alice: Actor, bob: Actor, clock: Clock) -> str:
    q = questions.create_question(
        db, admin, brent_data(open_time="2026-11-22T12:00:00Z", close_time="2026-12-02T12:00:00Z")
    )
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=q.id, percentiles={10: 78, 50: 81, 90: 84})
    )
    clock.advance(days=2)
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=q.id, percentiles={10: 90, 50: 100, 90: 110})
    )
    clock.advance(days=2)
    forecasts.log_forecast(  # beyond the open upper bound: the quantiles are clipped
        db, bob, ForecastCreate(question_id=q.id, percentiles={10: 100, 50: 118, 90: 150})
    )
    clock.now = clock.now.replace(day=2, month=12, hour=12) + timedelta(seconds=1)
    questions.resolve_question(db, admin, q.id, Resolution(value=81.0))
    return q.id


def test_the_board_follows_the_leaderboard_and_ends_with_the_pool(
    db: Database, resolved: str
) -> None:
    board = numeric_scores.numeric_board(db)
    order = [s.user for s in numeric_scores.numeric_leaderboard(db)]
    assert [b.user for b in board] == [*order, numeric_scores.TEAM_POOL] == [
        "alice", "bob", numeric_scores.TEAM_POOL
    ]  # fmt: skip
    rows = {r.user: r for r in numeric_scores.question_scores(db, resolved)}
    assert board[0].log == pytest.approx(rows["alice"].log)
    assert board[-1].peer is None and board[-1].baseline == pytest.approx(
        rows[numeric_scores.TEAM_POOL].baseline
    )


def test_paths_give_each_forecast_and_the_pool_after_each(
    db: Database, resolved: str, alice: Actor
) -> None:
    points = numeric_scores.numeric_paths(db, alice, resolved)
    members = [p for p in points if p.user != numeric_scores.TEAM_POOL]
    pool = [p for p in points if p.user == numeric_scores.TEAM_POOL]
    assert [p.user for p in members] == ["alice", "bob", "bob"] and len(pool) == 3
    assert members[0].low < members[0].median < members[0].high
    assert members[0].median == pytest.approx(81, abs=0.5)
    assert members[2].high == 120.0  # the 90th percentile above the range, drawn at the bound
    assert [p.time for p in pool] == [p.time for p in members]
    assert members[0].median < pool[1].median < members[1].median  # the mixture between them
