"""Team forecasts pooled from members' latest forecasts (DESIGN §3)."""

import math

import numpy as np
import pytest

from tracker.scoring import aggregate


def binary(*ps: float) -> np.ndarray:
    return np.array([[p, 1 - p] for p in ps])


def test_mean_and_median() -> None:
    team = binary(0.1, 0.6, 0.8)
    np.testing.assert_allclose(aggregate.mean(team), [0.5, 0.5])
    np.testing.assert_allclose(aggregate.median(team), [0.6, 0.4])


def test_geometric_mean_of_odds() -> None:
    # Odds 1:1 and 9:1 pool to 3:1.
    np.testing.assert_allclose(aggregate.geometric_mean_of_odds(binary(0.5, 0.9)), [0.75, 0.25])


def test_extremizing_multiplies_the_mean_log_odds() -> None:
    # Mean log-odds of 50% and 90% is ln 3; doubled it is ln 9, i.e. 90%.
    pooled = aggregate.extremized_log_odds(binary(0.5, 0.9), factor=2.0)
    np.testing.assert_allclose(pooled, [0.9, 0.1])
    default = aggregate.extremized_log_odds(binary(0.7, 0.7))
    odds = (0.7 / 0.3) ** aggregate.EXTREMIZE
    assert default[0] == pytest.approx(odds / (1 + odds))


def test_multi_option_log_pools_are_normalised() -> None:
    team = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    pooled = aggregate.geometric_mean_of_odds(team)
    gm = np.sqrt(team[0] * team[1])
    np.testing.assert_allclose(pooled, gm / gm.sum())
    assert aggregate.extremized_log_odds(team).sum() == pytest.approx(1.0)


def test_a_zero_from_anyone_makes_the_log_pool_zero_on_that_option() -> None:
    np.testing.assert_allclose(aggregate.geometric_mean_of_odds(binary(0.0, 0.8)), [0.0, 1.0])


def test_recency_weights_follow_metaculus() -> None:
    w = aggregate.recency_weights(4)
    raw = np.exp(np.sqrt([1, 2, 3, 4]))
    np.testing.assert_allclose(w, raw / raw.sum())
    np.testing.assert_allclose(aggregate.recency_weights(2), [0.5, 0.5])


def test_recency_weighted_median_leans_to_recent_forecasts() -> None:
    # Oldest first: 10%, 20%, 80%, 90%. Plain median 50%; recent ones outweigh.
    team = binary(0.1, 0.2, 0.8, 0.9)
    assert aggregate.median(team)[0] == pytest.approx(0.5)
    assert aggregate.recency_weighted_median(team)[0] == pytest.approx(0.8)
    by_time = aggregate.recency_weighted_median(team, times=[4, 3, 2, 1])  # now oldest last
    assert by_time[0] == pytest.approx(0.2)


def test_weighted_median_averages_when_the_weights_split_evenly() -> None:
    values = np.array([[0.2], [0.4], [0.6], [0.8]])
    assert aggregate.weighted_median(values, np.ones(4))[0] == pytest.approx(0.5)


def test_pools_always_sum_to_one() -> None:
    team = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
    for name, pooled in aggregate.team_aggregates(team, times=[1, 2, 3]).items():
        assert pooled.sum() == pytest.approx(1.0), name


def test_renormalised_median_can_leave_the_inputs_range_with_three_options() -> None:
    """Why the 'between min and max' property is promised for binary questions only."""
    team = np.array([[0.4, 0.6, 0, 0], [0.4, 0, 0.6, 0], [0.4, 0, 0, 0.6]])
    np.testing.assert_allclose(aggregate.median(team), [1.0, 0.0, 0.0, 0.0])
    assert aggregate.median(team)[0] > team[:, 0].max()


def test_all_zero_medians_fall_back_to_the_mean() -> None:
    team = np.eye(3)
    np.testing.assert_allclose(aggregate.median(team), [1 / 3] * 3)


def test_needs_at_least_one_forecast() -> None:
    with pytest.raises(ValueError):
        aggregate.mean(np.zeros((0, 2)))
    assert math.isclose(aggregate.mean(binary(0.3))[0], 0.3)
