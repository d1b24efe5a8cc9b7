"""Coaching statistics: intervals against hand-computed values, flags only outside them."""

import numpy as np
import pytest

from tracker.scoring.coaching import band_of, by_band, clopper_pearson, group_stats, wilson


def test_wilson_interval_matches_the_hand_computation():
    # 9 of 15, z = 1.959964: centre (0.6 + z²/30) / (1 + z²/15) = 0.579611,
    # margin z·sqrt(0.6·0.4/15 + z²/900) / (1 + z²/15) = 0.222143
    lower, upper = wilson(9, 15)
    assert lower == pytest.approx(0.357468, abs=1e-6)
    assert upper == pytest.approx(0.801755, abs=1e-6)


def test_clopper_pearson_edges_have_closed_forms():
    # k = 0: upper = 1 − (α/2)^(1/n); k = n: lower = (α/2)^(1/n)
    lower, upper = clopper_pearson(0, 10)
    assert lower == 0 and upper == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-9)
    lower, upper = clopper_pearson(10, 10)
    assert upper == 1 and lower == pytest.approx(0.025 ** (1 / 10), abs=1e-9)


def test_clopper_pearson_contains_wilson_for_a_middle_count():
    """The exact interval is the conservative one: 9 of 15 gives 32.3–83.7 %."""
    lower, upper = clopper_pearson(9, 15)
    assert lower == pytest.approx(0.32287, abs=1e-5) and upper == pytest.approx(0.83664, abs=1e-5)
    w_lower, w_upper = wilson(9, 15)
    assert lower < w_lower and w_upper < upper


def test_an_empty_group_has_no_interval_and_no_flag():
    stats = group_stats([0.9], [1], [0], 2)
    assert np.isnan(stats.lower[1]) and not stats.flagged[1]


def test_bands_are_half_open_with_the_top_one_closed():
    assert band_of([0.0, 0.1, 0.29, 0.9, 1.0]).tolist() == [0, 1, 1, 5, 5]


def test_overconfidence_is_flagged_only_when_the_interval_excludes_the_mean_forecast():
    # 15 events at 0.86 that happened 9 times: 86 % is above the exact upper bound 83.7 %
    p = np.full(15, 0.86)
    o = np.array([1] * 9 + [0] * 6)
    stats = by_band(p, o, edges=(0.0, 0.8, 1.0))
    assert stats.count.tolist() == [0, 15] and stats.happened.tolist() == [0, 9]
    assert stats.mean_forecast[1] == pytest.approx(0.86)
    assert stats.flagged.tolist() == [False, True]
    # at 0.80 the same record is within the interval: no statement
    assert not by_band(np.full(15, 0.80), o, edges=(0.0, 0.8, 1.0)).flagged.any()


def test_wilson_method_can_flag_what_the_exact_one_does_not():
    p, o = np.full(15, 0.82), np.array([1] * 9 + [0] * 6)
    assert by_band(p, o, edges=(0.0, 0.8, 1.0), method="wilson").flagged[1]
    assert not by_band(p, o, edges=(0.0, 0.8, 1.0), method="exact").flagged[1]
