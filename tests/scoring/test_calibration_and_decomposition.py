"""Calibration tables and the decomposition of the binary Brier score (DESIGN §3)."""

import numpy as np
import pytest

from tracker.scoring.calibration import (
    binary_events,
    brier_decomposition,
    calibration_curve,
    yes_events,
)


def test_ten_uniform_bins_by_default() -> None:
    table = calibration_curve([0.05, 0.95], [0, 1])
    assert table.edges.tolist() == pytest.approx(np.linspace(0, 1, 11).tolist())
    assert table.count.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_bins_are_closed_on_the_right() -> None:
    table = calibration_curve([0.0, 0.1, 0.1000001, 0.2, 1.0], [0, 0, 1, 1, 1])
    assert table.count[:3].tolist() == [2, 2, 0]  # 0 and 0.1 in (0, .1]; 0.1000001, 0.2 in the next
    assert table.count[-1] == 1


def test_each_bin_reports_mean_forecast_observed_frequency_and_count() -> None:
    table = calibration_curve([0.72, 0.78, 0.75, 0.71], [1, 0, 1, 1])
    assert table.count[7] == 4
    assert table.mean_forecast[7] == pytest.approx(0.74)
    assert table.observed_frequency[7] == pytest.approx(0.75)
    assert np.isnan(table.observed_frequency[0])  # empty bins have no frequency


def test_decomposition_parts_add_up_to_the_brier_score() -> None:
    rng = np.random.default_rng(7)
    p = rng.random(500)
    o = (rng.random(500) < p).astype(float)
    parts = brier_decomposition(p, o)
    assert parts.total == pytest.approx(parts.brier, abs=1e-12)
    assert parts.brier == pytest.approx(np.mean((p - o) ** 2))


def test_murphy_terms_alone_are_exact_when_each_bin_holds_one_forecast_value() -> None:
    p = np.repeat([0.15, 0.45, 0.85], 4)
    o = np.array([0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0])
    parts = brier_decomposition(p, o)
    assert parts.within_bin_variance == 0.0 and parts.within_bin_covariance == 0.0
    murphy = parts.reliability - parts.resolution + parts.uncertainty
    assert murphy == pytest.approx(parts.brier)


def test_uncertainty_is_the_base_rate_variance() -> None:
    parts = brier_decomposition([0.2, 0.4, 0.6, 0.9], [0, 1, 1, 1])
    assert parts.uncertainty == pytest.approx(0.75 * 0.25)


def test_a_perfect_forecaster_has_no_reliability_error_and_full_resolution() -> None:
    parts = brier_decomposition([0, 1, 1, 0], [0, 1, 1, 0])
    assert parts.brier == 0.0 and parts.reliability == 0.0
    assert parts.resolution == pytest.approx(parts.uncertainty)


def test_multi_option_forecasts_become_one_event_per_option() -> None:
    p, happened = binary_events([[0.2, 0.5, 0.3, 0.0], [0.6, 0.4, 0.0, 0.0]], [1, 0], [3, 2])
    assert p.tolist() == [0.2, 0.5, 0.3, 0.6, 0.4]
    assert happened.tolist() == [0, 1, 0, 1, 0]


def test_rejects_outcomes_that_are_not_zero_or_one() -> None:
    with pytest.raises(ValueError, match="0 or 1"):
        brier_decomposition([0.5], [2])


def test_a_binary_forecast_is_one_event_on_p_yes() -> None:
    p, happened = yes_events([[0.1, 0.9], [0.7, 0.3]], [1, 0])
    assert p.tolist() == [0.1, 0.7]
    assert happened.tolist() == [0.0, 1.0]  # Yes is option 0


def test_ten_forecasts_at_ten_percent_that_all_resolve_no_have_no_resolution_or_uncertainty():
    """The worked example of issue 13: counting P(No) too would give 0.25 and 0.25."""
    p, happened = yes_events(np.tile([0.1, 0.9], (10, 1)), np.ones(10, dtype=int))
    parts = brier_decomposition(p, happened)
    assert parts.resolution == 0.0 and parts.uncertainty == 0.0
    assert parts.brier == pytest.approx(0.01)
    assert parts.reliability == pytest.approx(0.01)  # said 10 %, happened 0 %
    table = calibration_curve(p, happened)
    assert table.count.sum() == 10 and table.count[0] == 10
    both_sides = brier_decomposition(*binary_events(np.tile([0.1, 0.9], (10, 1)), np.ones(10)))
    assert both_sides.resolution == pytest.approx(0.25)  # the symmetric count the issue found
