"""Daily carry-forward (DESIGN §3): which days are scored, which forecast stands on each day,
the daily median and the relative Brier score."""

import pytest

from tests.scoring.scoring_cases import by_user, history

HOUR = 1 / 24


def yes(p: float) -> list[float]:
    return [p, 1.0 - p]


def brier_yes(p: float) -> float:
    return 2 * (1 - p) ** 2


def test_scored_days_run_from_the_opening_day_to_the_last_full_day() -> None:
    # Opens at 18:00 on day 0 (a partial first day counts), ends 06:00 on day 4 (does not).
    data = history(
        [{"id": "q", "open": 18 * HOUR, "close": 4 + 6 * HOUR}], [("q", "a", 0.8, yes(0.6))]
    )
    assert by_user(data)["a"]["scored_days"] == 4


def test_early_resolution_ends_the_scored_days() -> None:
    data = history([{"id": "q", "close": 30, "resolved": 10.5}], [("q", "a", 0, yes(0.6))])
    assert by_user(data)["a"]["scored_days"] == 10


def test_unknown_resolution_time_scores_until_close() -> None:
    data = history([{"id": "q", "close": 6, "resolved": None}], [("q", "a", 0, yes(0.6))])
    assert by_user(data)["a"]["scored_days"] == 6


def test_the_days_forecast_is_the_last_one_made_before_midnight() -> None:
    # 90% in the morning, revised to 60% at 23:00 the same day: the day is scored on 60%.
    data = history(
        [{"id": "q", "close": 1}],
        [("q", "a", 8 * HOUR, yes(0.9)), ("q", "a", 23 * HOUR, yes(0.6))],
    )
    assert by_user(data)["a"]["mean_daily_brier"] == pytest.approx(brier_yes(0.6))


def test_a_forecast_stands_until_replaced() -> None:
    data = history(
        [{"id": "q", "close": 10}],
        [("q", "a", 0, yes(0.5)), ("q", "a", 4.5, yes(0.9))],
    )
    row = by_user(data)["a"]
    assert row["active_days"] == 10
    assert row["mean_daily_brier"] == pytest.approx((4 * 0.5 + 6 * brier_yes(0.9)) / 10)
    assert row["brier"] == pytest.approx(brier_yes(0.9))


def test_late_starter_is_scored_on_active_days_and_counted_as_median_before() -> None:
    # a: 70% from day 0; b: 40% from day 0; c (late): 90% from day 5; ten days, resolves Yes.
    data = history(
        [{"id": "q", "close": 10}],
        [("q", "a", 0, yes(0.7)), ("q", "b", 0, yes(0.4)), ("q", "c", 5, yes(0.9))],
    )
    rows = by_user(data)
    # Medians: days 0-4 median(0.18, 0.72) = 0.45; days 5-9 median(0.18, 0.72, 0.02) = 0.18.
    assert rows["a"]["relative_brier"] == pytest.approx(5 * (0.18 - 0.45) / 10)
    assert rows["b"]["relative_brier"] == pytest.approx((5 * 0.27 + 5 * 0.54) / 10)
    assert rows["c"]["relative_brier"] == pytest.approx(5 * (0.02 - 0.18) / 10)
    assert rows["c"]["participation"] == pytest.approx(0.5)
    assert rows["c"]["active_days"] == 5
    assert rows["c"]["mean_daily_brier"] == pytest.approx(0.02)
    assert rows["c"]["median_daily_brier"] == pytest.approx(0.18)
    assert rows["a"]["median_daily_brier"] == pytest.approx((5 * 0.45 + 5 * 0.18) / 10)


def test_median_of_an_even_number_of_forecasters_averages_the_middle_two() -> None:
    forecasts = [("q", u, 0, yes(p)) for u, p in zip("abcd", [0.9, 0.8, 0.6, 0.1], strict=True)]
    rows = by_user(history([{"id": "q", "close": 3}], forecasts))
    middle = (brier_yes(0.8) + brier_yes(0.6)) / 2
    assert rows["a"]["median_daily_brier"] == pytest.approx(middle)


def test_forecasts_after_the_end_are_ignored() -> None:
    data = history(
        [{"id": "q", "close": 10, "resolved": 5}],
        [("q", "a", 0, yes(0.3)), ("q", "a", 6, yes(1.0)), ("q", "late", 7, yes(1.0))],
    )
    rows = by_user(data)
    assert set(rows) == {"a"}
    assert rows["a"]["brier"] == pytest.approx(brier_yes(0.3))


def test_a_forecast_before_opening_stands_from_the_first_day() -> None:
    data = history([{"id": "q", "open": 2, "close": 5}], [("q", "a", 1, yes(0.8))])
    row = by_user(data)["a"]
    assert (row["active_days"], row["scored_days"]) == (3, 3)


def test_a_question_shorter_than_a_day_has_no_daily_scores() -> None:
    data = history([{"id": "q", "open": 0.25, "close": 0.75}], [("q", "a", 0.5, yes(0.8))])
    row = by_user(data)["a"]
    assert row["scored_days"] == 0
    assert row["relative_brier"] is None and row["participation"] is None
    assert row["brier"] == pytest.approx(brier_yes(0.8))


def test_ties_within_a_second_are_settled_by_the_forecast_not_the_row_order() -> None:
    forecasts = [("q", "a", 1, yes(0.2)), ("q", "a", 1, yes(0.7))]
    first = by_user(history([{"id": "q", "close": 3}], forecasts))
    second = by_user(history([{"id": "q", "close": 3}], forecasts[::-1]))
    assert first == second
