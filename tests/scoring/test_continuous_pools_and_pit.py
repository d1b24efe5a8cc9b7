"""Team pools of numeric forecasts (mean of CDFs, Metaculus's recency-weighted mean) and
calibration on the probability integral transform (DESIGN §3)."""

import math

import numpy as np
import pytest

from tracker.scoring.continuous import N_POINTS, ContinuousRange, uniform_cdf, validate_cdf
from tracker.scoring.continuous_build import Component, cdf_from_components
from tracker.scoring.continuous_pools import mean_pool, recency_weighted_pool
from tracker.scoring.continuous_scores import pit, pit_histogram

U = np.linspace(0.0, 1.0, N_POINTS)
CLOSED = ContinuousRange(0.0, 10.0)
OPEN = ContinuousRange(0.0, 10.0, open_lower=True, open_upper=True)


class TestPools:
    def test_mean_of_cdfs_point_by_point(self) -> None:
        # U and U² average to (U + U²)/2: at u = 0.5, (0.5 + 0.25)/2 = 0.375.
        pooled = mean_pool([U, U**2])
        assert pooled[100] == pytest.approx(0.375)
        np.testing.assert_allclose(mean_pool([U, U**2], weights=[3, 1]), 0.75 * U + 0.25 * U**2)

    def test_recency_weights_for_three_members(self) -> None:
        # e^(√k − √3) for k = 1, 2, 3: 0.4809, 0.7277, 1; normalised 0.2177, 0.3295, 0.4528.
        a, b, c = U, U**2, U**3
        w = np.exp(np.sqrt([1, 2, 3]) - math.sqrt(3))
        w /= w.sum()
        assert w == pytest.approx([0.2177, 0.3295, 0.4528], abs=1e-4)
        pooled = recency_weighted_pool([c, a, b], times=[30, 10, 20])  # a oldest, c newest
        np.testing.assert_allclose(pooled, w[0] * a + w[1] * b + w[2] * c)

    def test_two_or_fewer_members_weigh_the_same(self) -> None:
        np.testing.assert_allclose(
            recency_weighted_pool([U, U**2], times=[1, 2]), mean_pool([U, U**2])
        )

    def test_members_forecasting_at_the_same_time_share_their_weight(self) -> None:
        # Ranks 2 and 3 tie: each gets (0.3295 + 0.4528)/2, whatever the row order.
        cdfs, times = [U, U**2, U**3], [5, 9, 9]
        first = recency_weighted_pool(cdfs, times)
        swapped = recency_weighted_pool([U, U**3, U**2], times)
        np.testing.assert_allclose(first, swapped)
        w = np.exp(np.sqrt([1, 2, 3]) - math.sqrt(3))
        w /= w.sum()
        tied = (w[1] + w[2]) / 2
        np.testing.assert_allclose(first, w[0] * U + tied * (U**2 + U**3))

    def test_a_pool_of_valid_forecasts_is_valid(self) -> None:
        members = [
            cdf_from_components(OPEN, [Component(c, s)]) for c, s in ((2, 1), (5, 0.2), (9, 3))
        ]
        validate_cdf(OPEN, mean_pool(members))
        validate_cdf(OPEN, recency_weighted_pool(members, times=[3, 1, 2]))

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="at least one CDF of 201"):
            mean_pool(np.zeros((0, 201)))
        with pytest.raises(ValueError, match="one non-negative weight per CDF"):
            mean_pool([U, U], weights=[1, -1])
        with pytest.raises(ValueError, match="one time per CDF"):
            recency_weighted_pool([U, U, U], times=[1, 2])


class TestPit:
    def test_pit_is_the_forecast_cdf_at_the_outcome(self) -> None:
        # Uniform on [0, 10]: F(2.5) = 0.25, F(0) = 0, F(10) = 1, F(7.3) = 0.73.
        np.testing.assert_allclose(pit(CLOSED, [U] * 4, [2.5, 0.0, 10.0, 7.3]), [0.25, 0, 1, 0.73])

    def test_outside_an_open_bound_the_pit_is_the_middle_of_what_is_known(self) -> None:
        # 5 % below and above: below → somewhere in [0, 0.05], reported as 0.025; above → 0.975.
        f = uniform_cdf(OPEN)
        np.testing.assert_allclose(
            pit(OPEN, [f, f, f], ["below", "above", -3.0]), [0.025, 0.975, 0.025]
        )

    def test_histogram_counts_right_closed_bins(self) -> None:
        # 0.05 and 0.1 fall in (0, 0.1]; 0.15 in the second bin; 0.95 and 1.0 in the last.
        h = pit_histogram([0.05, 0.1, 0.15, 0.95, 1.0])
        assert h.count.tolist() == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]
        assert h.expected == 0.5
        np.testing.assert_allclose(h.edges, np.linspace(0, 1, 11))
        assert h.frequency.tolist()[:2] == [4.0, 2.0]

    def test_calibrated_forecaster_has_a_flat_histogram(self) -> None:
        # Outcomes drawn from the forecast itself (inverse CDF of one logistic component):
        # 2000 PITs, about 200 per bin; a chi-square of 9 degrees of freedom stays under 30.
        rng = np.random.default_rng(7)
        f = cdf_from_components(OPEN, [Component(4.0, 1.5)])
        draws = np.interp(rng.random(2000), f, OPEN.grid, left=-1.0, right=11.0)
        h = pit_histogram(pit(OPEN, np.tile(f, (2000, 1)), draws))
        chi2 = float(np.sum((h.count - h.expected) ** 2 / h.expected))
        assert h.count.sum() == 2000 and chi2 < 30

    def test_overconfident_forecaster_piles_up_at_the_ends(self) -> None:
        # Forecasts spread 0.3 when outcomes spread 1.5: most PITs land in the outer bins.
        rng = np.random.default_rng(8)
        truth = cdf_from_components(OPEN, [Component(5.0, 1.5)])
        narrow = cdf_from_components(OPEN, [Component(5.0, 0.3)])
        draws = np.interp(rng.random(1000), truth, OPEN.grid)
        h = pit_histogram(pit(OPEN, np.tile(narrow, (1000, 1)), draws))
        assert h.count[0] + h.count[-1] > 0.5 * 1000

    def test_histogram_refuses_non_probabilities(self) -> None:
        with pytest.raises(ValueError, match="probabilities"):
            pit_histogram([0.5, 1.2])
        assert pit_histogram([]).count.sum() == 0
