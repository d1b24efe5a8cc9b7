"""Scores of a resolved numeric question, through the services: the uniform forecast's
hand-computed CRPS and zero baseline, the time-averaging, peers that sum to zero, the team's
pooled row, and PIT values for calibration."""

from datetime import timedelta

import pytest

from tests.numeric.conftest import brent_data
from tests.support import Clock
from tracker.db import Database
from tracker.schemas import Actor, ForecastCreate, QuestionRead, Resolution
from tracker.scoring.continuous import uniform_cdf
from tracker.services import forecasts, numeric_scores, questions

OPENED = "2026-11-22T12:00:00Z"  # the test clock's start: forecasts from the very first moment


@pytest.fixture
def closed_range(db: Database, admin: Actor) -> QuestionRead:
    return questions.create_question(
        db,
        admin,
        brent_data(
            id="closed-0-100",
            open_time=OPENED,
            close_time="2026-12-02T12:00:00Z",  # ten days
            range={"lower": 0, "upper": 100},
        ),
    )


def _uniform(question: QuestionRead) -> list[float]:
    assert question.range is not None
    return [float(x) for x in uniform_cdf(question.range.scoring_range())]


def _resolve(db: Database, admin: Actor, clock: Clock, qid: str, value: str) -> None:
    clock.now = clock.now.replace(year=2026, month=12, day=2, hour=12) + timedelta(seconds=1)
    questions.resolve_question(db, admin, qid, Resolution(value=value))


def test_the_uniform_forecast_scores_its_hand_computed_crps_and_a_zero_baseline(
    db: Database, admin: Actor, alice: Actor, clock: Clock, closed_range: QuestionRead
) -> None:
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, cdf=_uniform(closed_range))
    )
    _resolve(db, admin, clock, closed_range.id, "25")
    alice_row, pool = numeric_scores.question_scores(db, closed_range.id)
    # CRPS of U(0, 100) at 25: 100·(u³ + (1 − u)³)/3 with u = 0.25
    assert alice_row.crps == pytest.approx(100 * (0.25**3 + 0.75**3) / 3, rel=1e-9)
    assert alice_row.baseline == pytest.approx(0.0, abs=1e-9)
    assert alice_row.log == pytest.approx(0.0, abs=1e-9)  # ln pdf of the uniform is ln 1
    assert alice_row.peer == 0.0  # alone: no one to compare with
    assert pool.user == numeric_scores.TEAM_POOL and pool.crps == pytest.approx(alice_row.crps)


def test_a_sharper_correct_forecast_beats_a_vague_one_and_peers_sum_to_zero(
    db: Database, admin: Actor, alice: Actor, bob: Actor, clock: Clock, closed_range: QuestionRead
) -> None:
    sharp = {10: 70, 50: 75, 90: 80}
    vague = {10: 20, 50: 50, 90: 80}
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, percentiles=sharp)
    )
    forecasts.log_forecast(db, bob, ForecastCreate(question_id=closed_range.id, percentiles=vague))
    _resolve(db, admin, clock, closed_range.id, "75")
    rows = {r.user: r for r in numeric_scores.question_scores(db, closed_range.id)}
    alice_row, bob_row = rows["alice"], rows["bob"]
    assert alice_row.crps < bob_row.crps
    assert alice_row.baseline > bob_row.baseline
    assert alice_row.peer == pytest.approx(-bob_row.peer, abs=1e-6) and alice_row.peer > 0
    pool = rows[numeric_scores.TEAM_POOL]
    assert bob_row.crps > pool.crps > alice_row.crps  # the mixture lies between them here
    assert pool.peer is None


def test_a_late_forecast_earns_its_baseline_only_for_the_time_it_stood(
    db: Database, admin: Actor, alice: Actor, bob: Actor, clock: Clock, closed_range: QuestionRead
) -> None:
    handles = {10: 60, 50: 72, 90: 85}
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, percentiles=handles)
    )
    clock.advance(days=5)  # half of the ten-day window
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=closed_range.id, percentiles=handles)
    )
    _resolve(db, admin, clock, closed_range.id, "70")
    rows = {r.user: r for r in numeric_scores.question_scores(db, closed_range.id)}
    assert rows["bob"].baseline == pytest.approx(rows["alice"].baseline / 2, rel=1e-4)
    assert rows["bob"].crps == pytest.approx(rows["alice"].crps)  # the same standing forecast


def test_no_scores_before_resolution_or_for_an_annulled_question(
    db: Database, admin: Actor, alice: Actor, closed_range: QuestionRead
) -> None:
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, cdf=_uniform(closed_range))
    )
    assert numeric_scores.question_scores(db, closed_range.id) == []
    questions.resolve_question(db, admin, closed_range.id, Resolution(annul=True))
    assert numeric_scores.question_scores(db, closed_range.id) == []


def test_an_outcome_above_an_open_bound_is_scored(
    db: Database, admin: Actor, alice: Actor, clock: Clock
) -> None:
    brent = questions.create_question(
        db, admin, brent_data(open_time=OPENED, close_time="2026-12-02T12:00:00Z")
    )
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=brent.id, percentiles={10: 90, 50: 110, 90: 119})
    )
    _resolve(db, admin, clock, brent.id, "above")
    (row, _pool) = numeric_scores.question_scores(db, brent.id)
    assert row.baseline > 0  # more than the baseline's 5 % above the range


def test_pit_values_say_where_each_outcome_fell_in_the_forecast(
    db: Database, admin: Actor, alice: Actor, clock: Clock, closed_range: QuestionRead
) -> None:
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, cdf=_uniform(closed_range))
    )
    _resolve(db, admin, clock, closed_range.id, "25")
    assert numeric_scores.member_pit(db, "alice") == [pytest.approx(0.25)]
    assert numeric_scores.member_pit(db, "bob") == []


def test_the_team_pool_is_the_mean_of_the_latest_cdfs(
    db: Database, alice: Actor, bob: Actor, closed_range: QuestionRead
) -> None:
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, percentiles={10: 10, 90: 30})
    )
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, percentiles={10: 50, 90: 70})
    )
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=closed_range.id, cdf=_uniform(closed_range))
    )
    history = forecasts.forecast_history(db, question_id=closed_range.id)
    pooled = numeric_scores.team_pool(history)
    assert pooled == pytest.approx(
        [(a + b) / 2 for a, b in zip(history[1].cdf, history[2].cdf, strict=True)]
    )


def test_the_numeric_leaderboard_ranks_by_peer_and_the_pit_histogram_counts(
    db: Database, admin: Actor, alice: Actor, bob: Actor, clock: Clock, closed_range: QuestionRead
) -> None:
    sharp, vague = {10: 70, 50: 75, 90: 80}, {10: 20, 50: 50, 90: 80}
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=closed_range.id, percentiles=sharp)
    )
    forecasts.log_forecast(db, bob, ForecastCreate(question_id=closed_range.id, percentiles=vague))
    _resolve(db, admin, clock, closed_range.id, "75")
    board = numeric_scores.numeric_leaderboard(db)
    assert [s.user for s in board] == ["alice", "bob"] and board[0].questions == 1
    histogram = numeric_scores.member_pit_histogram(db, "alice")
    assert histogram.values == 1 and sum(histogram.counts) == 1
    assert histogram.counts[5] == 1 or histogram.counts[4] == 1  # the outcome at her median
