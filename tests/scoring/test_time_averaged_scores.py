"""Metaculus-style scores averaged over time (DESIGN §3): over [open, scheduled close), zero
before the first forecast and after an early resolution."""

import math

import pytest

from tests.scoring.scoring_cases import by_user, history


def yes(p: float) -> list[float]:
    return [p, 1.0 - p]


def baseline_yes(p: float) -> float:
    return 100 * math.log2(2 * p)


def test_standing_forecast_scores_its_share_of_the_question_life() -> None:
    data = history([{"id": "q", "close": 10}], [("q", "a", 0, yes(0.8)), ("q", "a", 6, yes(0.5))])
    assert by_user(data)["a"]["baseline_score"] == pytest.approx(0.6 * baseline_yes(0.8))


def test_score_is_zero_before_the_first_forecast() -> None:
    data = history([{"id": "q", "close": 8}], [("q", "a", 6, yes(0.9))])
    assert by_user(data)["a"]["baseline_score"] == pytest.approx(0.25 * baseline_yes(0.9))


def test_early_resolution_counts_the_rest_of_the_schedule_as_zero() -> None:
    # Metaculus "score truncation": resolved Yes at day 2 of a 10-day question.
    data = history([{"id": "q", "close": 10, "resolved": 2}], [("q", "a", 0, yes(0.99))])
    assert by_user(data)["a"]["baseline_score"] == pytest.approx(0.2 * baseline_yes(0.99))


def test_peer_score_is_relative_to_whoever_is_forecasting_at_the_time() -> None:
    # b alone for 4 days (peer 0), then a joins: both scored against each other for 6 days.
    data = history([{"id": "q", "close": 10}], [("q", "b", 0, yes(0.5)), ("q", "a", 4, yes(0.8))])
    rows = by_user(data)
    gap = 100 * (math.log(0.8) - math.log(0.5))
    assert rows["a"]["peer_score"] == pytest.approx(0.6 * gap)
    assert rows["b"]["peer_score"] == pytest.approx(-0.6 * gap)


def test_peer_scores_sum_to_zero_when_everyone_forecasts_throughout() -> None:
    forecasts = [
        ("q", "a", 0, yes(0.7)),
        ("q", "b", 0, yes(0.2)),
        ("q", "c", 0, yes(0.5)),
        ("q", "a", 3.5, yes(0.9)),
        ("q", "c", 7.25, yes(0.4)),
    ]
    rows = by_user(history([{"id": "q", "close": 10}], forecasts))
    assert sum(r["peer_score"] for r in rows.values()) == pytest.approx(0.0, abs=1e-9)


def test_multiple_choice_baseline_uses_the_number_of_options() -> None:
    data = history(
        [{"id": "q", "options": 4, "close": 5, "outcome": 2}],
        [("q", "a", 0, [0.1, 0.1, 0.7, 0.1])],
    )
    expected = 100 * math.log(0.7 * 4) / math.log(4)
    assert by_user(data)["a"]["baseline_score"] == pytest.approx(expected)


def test_a_question_without_duration_has_no_time_averaged_scores() -> None:
    data = history([{"id": "q", "open": 1, "close": 1, "resolved": 1}], [("q", "a", 0.5, yes(0.6))])
    row = by_user(data)["a"]
    assert row["baseline_score"] is None and row["peer_score"] is None
