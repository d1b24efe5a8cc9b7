"""Ordered bins filled from a median and an 80 % range, and read back as the same handles."""

import itertools

import numpy as np
import pytest

from tracker.scoring.quantile_bins import bins_from_quantiles, quantile_bins


@pytest.mark.parametrize("n_bins", [2, 3, 6, 7])
def test_the_filled_bins_have_the_chosen_percentiles(n_bins):
    for lo, median, hi in itertools.combinations_with_replacement(range(n_bins), 3):
        probs = bins_from_quantiles(n_bins, lo, median, hi)
        assert probs.sum() == pytest.approx(1.0) and np.all(probs >= 0)
        assert quantile_bins(probs) == [lo, median, hi], (lo, median, hi)


def test_one_bin_for_all_three_handles_holds_most_of_the_mass():
    probs = bins_from_quantiles(6, 2, 2, 2)
    assert probs.argmax() == 2 and probs[2] >= 0.8


def test_handles_out_of_order_are_refused():
    with pytest.raises(ValueError):
        bins_from_quantiles(6, 3, 2, 4)
    with pytest.raises(ValueError):
        bins_from_quantiles(6, 0, 2, 6)


def test_the_summary_of_a_hand_made_distribution():
    assert quantile_bins([0.05, 0.10, 0.20, 0.40, 0.20, 0.05]) == [1, 3, 4]
