"""Numeric and date questions (DESIGN §3): the range, the 201-point CDF, the outcome's bucket
and the rules a stored CDF obeys (Metaculus's, with its messages made specific)."""

import math

import numpy as np
import pytest

from tracker.scoring.continuous import (
    MAX_STEP,
    MIN_OUTSIDE,
    MIN_STEP,
    N_POINTS,
    CdfError,
    ContinuousRange,
    conform_cdf,
    epoch_days,
    outcome_bucket,
    outcome_positions,
    pmf,
    uniform_cdf,
    validate_cdf,
)

CLOSED = ContinuousRange(0.0, 100.0)
OPEN = ContinuousRange(0.0, 100.0, open_lower=True, open_upper=True)
LOG = ContinuousRange(1.0, 1000.0, scale="log")
U = np.linspace(0.0, 1.0, N_POINTS)


class TestRange:
    def test_linear_grid_is_evenly_spaced_with_exact_bounds(self) -> None:
        grid = CLOSED.grid
        assert grid.shape == (201,)
        assert grid[0] == 0.0 and grid[-1] == 100.0
        np.testing.assert_allclose(np.diff(grid), 0.5)

    def test_the_grid_cannot_be_changed_by_a_caller(self) -> None:
        with pytest.raises(ValueError, match="read-only"):
            CLOSED.grid[3] = 7.0

    def test_log_grid_is_geometric(self) -> None:
        # 1..1000 over 200 bins: each point is 1000^(1/200) ≈ 1.0351 times the previous one.
        grid = LOG.grid
        assert grid[0] == 1.0 and grid[-1] == 1000.0
        np.testing.assert_allclose(grid[1:] / grid[:-1], 1000 ** (1 / 200))
        assert grid[100] == pytest.approx(math.sqrt(1000))

    def test_position_is_zero_to_one_across_the_range_and_extrapolates_beyond(self) -> None:
        np.testing.assert_allclose(CLOSED.position([0, 25, 100, -10, 110]), [0, 0.25, 1, -0.1, 1.1])
        np.testing.assert_allclose(
            LOG.position([1, 10, 100, 1000, 10_000]), [0, 1 / 3, 2 / 3, 1, 4 / 3]
        )
        assert LOG.position(0.0) == -np.inf  # log scale: 0 and below are far below the range
        np.testing.assert_allclose(LOG.value(LOG.position([2.5, 40.0])), [2.5, 40.0])

    def test_dates_are_numbers_of_days(self) -> None:
        assert epoch_days("1970-01-02") == 1.0
        assert epoch_days("2026-06-30T12:00:00Z") - epoch_days("2026-06-30") == 0.5
        rng = ContinuousRange(epoch_days("2026-01-01"), epoch_days("2027-01-01"))
        assert rng.position(epoch_days("2026-07-02T12:00:00Z")) == pytest.approx(0.5)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"lower": 5.0, "upper": 5.0}, "need lower < upper"),
            ({"lower": 0.0, "upper": math.inf}, "finite"),
            ({"lower": 0.0, "upper": 10.0, "scale": "log"}, "positive lower bound"),
            ({"lower": 1.0, "upper": 10.0, "scale": "sqrt"}, "'linear' or 'log'"),
        ],
    )
    def test_bad_ranges_are_refused(self, kwargs: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            ContinuousRange(**kwargs)


class TestOutcomeBucket:
    def test_bins_are_right_closed_with_the_lower_bound_in_the_first(self) -> None:
        # [0, 100] has bins of 0.5: 0 and 0.5 are in bin 1, 0.6 in bin 2, 50 in bin 100,
        # 50.1 in bin 101, 100 in bin 200 (Metaculus formulas.py bucket rule).
        u = CLOSED.position([0, 0.5, 0.6, 50, 50.1, 100])
        assert outcome_bucket(u).tolist() == [1, 1, 2, 100, 101, 200]

    def test_strictly_outside_is_bucket_0_or_201(self) -> None:
        u = outcome_positions(OPEN, ["below", -0.001, 100.001, "above"])
        assert outcome_bucket(u).tolist() == [0, 0, 201, 201]

    def test_a_closed_bound_cannot_be_resolved_beyond(self) -> None:
        with pytest.raises(ValueError, match="lower bound 0 is closed"):
            outcome_positions(CLOSED, "below")
        with pytest.raises(ValueError, match="outcome 1: the upper bound 100 is closed"):
            outcome_positions(CLOSED, [50, 100.5])
        with pytest.raises(ValueError, match="'below' or 'above'"):
            outcome_positions(OPEN, "sideways")

    def test_pmf_has_the_outside_masses_at_its_ends(self) -> None:
        f = 0.1 + 0.8 * U  # 10 % below, 80 % spread over 200 bins, 10 % above
        p = pmf(f)
        assert p.shape == (202,)
        assert p[0] == pytest.approx(0.1) and p[-1] == pytest.approx(0.1)
        np.testing.assert_allclose(p[1:-1], 0.004)
        assert p.sum() == pytest.approx(1.0)


class TestValidation:
    def test_uniform_forecasts_pass_and_come_back_rounded_to_ten_decimals(self) -> None:
        for rng in (CLOSED, OPEN, LOG, ContinuousRange(0, 1, open_upper=True)):
            f = uniform_cdf(rng)
            np.testing.assert_array_equal(validate_cdf(rng, f + 1e-12 * (U > 0)), np.round(f, 10))

    @pytest.mark.parametrize(
        ("rng", "edit", "message", "index"),
        [
            (CLOSED, lambda f: f[:150], "needs 201 values .* got 150", None),
            (
                CLOSED,
                lambda f: np.where(U == 0.5, np.nan, f),
                r"cdf\[100\] is nan, not a number",
                100,
            ),
            (
                OPEN,
                lambda f: np.where(U == 1, 1.2, f),
                r"cdf\[200\] = 1.2 is outside \[0, 1\]",
                200,
            ),
            (
                CLOSED,
                lambda f: np.where(U == 0.5, 0.4, f),
                r"cdf\[100\] = 0.4 is below cdf\[99\] = 0.495: a CDF never decreases",
                99,
            ),
            (
                CLOSED,
                lambda f: np.where(U == 0.5, f[99] + 1e-6, f),
                r"rises by only 1e-06 from cdf\[99\] to cdf\[100\]; every bin needs at least 5e-05",
                99,
            ),
            (
                CLOSED,
                lambda f: (f + 0.25 * (U >= 0.5)) / 1.25,
                r"rises by 0.204 from cdf\[99\] to cdf\[100\]; no bin may hold more than 0.2",
                99,
            ),
            (
                CLOSED,
                lambda f: 0.01 + 0.99 * f,
                r"cdf\[0\] = 0.01, but the lower bound is closed: it must be 0 "
                r"\(nothing can resolve below 0\)",
                0,
            ),
            (
                CLOSED,
                lambda f: 0.99 * f,
                r"cdf\[200\] = 0.99, but the upper bound is closed: it must be 1",
                200,
            ),
            (
                OPEN,
                lambda f: f - f[0] + 0.0005,
                r"cdf\[0\] = 0.0005, but the lower bound is open: at least 0.001 must lie below 0",
                0,
            ),
            (
                OPEN,
                lambda f: f + (0.9995 - f[-1]),
                r"cdf\[200\] = 0.9995, but the upper bound is open: at least 0.001 must lie "
                r"above 100",
                200,
            ),
        ],
    )
    def test_each_rule_names_the_point_and_the_reason(self, rng, edit, message, index) -> None:
        with pytest.raises(CdfError, match=message) as caught:
            validate_cdf(rng, edit(uniform_cdf(rng)))
        assert caught.value.row is None
        assert caught.value.index == index

    def test_many_forecasts_report_the_first_offending_row(self) -> None:
        good = uniform_cdf(CLOSED)
        bad_late = np.where(U == 1, 0.5, good)
        bad_early = np.where(U == 0.25, 0.9, good)
        with pytest.raises(
            CdfError, match=r"^forecast 1: cdf\[51\] = 0.255 is below cdf\[50\] = 0.9"
        ) as caught:
            validate_cdf(CLOSED, [good, bad_early, bad_late])
        assert (caught.value.row, caught.value.index) == (1, 50)
        assert validate_cdf(CLOSED, [good, good]).shape == (2, 201)

    def test_not_numbers_at_all(self) -> None:
        for junk in (["a"] * 201, [None] * 201, ["0.5"] * 201, [[0.0] * 201, [0.0] * 3]):
            with pytest.raises(CdfError, match="list of 201 numbers"):
                validate_cdf(CLOSED, junk)
        with pytest.raises(CdfError, match="got a single number"):
            validate_cdf(CLOSED, 0.5)

    def test_the_limits_themselves_are_allowed(self) -> None:
        # Bin 1 at the 0.2 ceiling, bin 2 at the 5e-5 floor, the rest shared: valid.
        bins = np.full(200, (1 - MAX_STEP - MIN_STEP) / 198)
        bins[:2] = MAX_STEP, MIN_STEP
        f = np.concatenate([[0.0], np.cumsum(bins)])
        f[-1] = 1.0
        validate_cdf(CLOSED, f)
        edge = MIN_OUTSIDE + (1 - 2 * MIN_OUTSIDE) * U
        validate_cdf(OPEN, edge)


class TestConform:
    def test_mixes_in_one_percent_uniform(self) -> None:
        # A closed question, a forecast uniform on the lower half: F = min(2u, 1).
        # 0.99 F + 0.01 u at u = 0.25 is 0.495 + 0.0025 = 0.4975; at u = 0.75 it is 0.9975.
        f = conform_cdf(CLOSED, np.minimum(2 * U, 1.0))
        assert f[50] == pytest.approx(0.4975) and f[150] == pytest.approx(0.9975)
        assert f[0] == 0.0 and f[-1] == 1.0
        assert np.diff(f)[-1] == pytest.approx(MIN_STEP)

    def test_open_bounds_keep_their_minimum_outside(self) -> None:
        # Both open, F = u: 0.988 u + 0.01 u + 0.001 runs from 0.001 to 0.999.
        f = conform_cdf(OPEN, U)
        assert f[0] == pytest.approx(0.001) and f[-1] == pytest.approx(0.999)
        validate_cdf(OPEN, f)

    def test_closed_sides_are_truncated(self) -> None:
        # 20 % below and 20 % above a closed range: the in-range 60 % is rescaled to all of it.
        f = conform_cdf(CLOSED, 0.2 + 0.6 * U)
        np.testing.assert_allclose(f, U, atol=1e-12)

    def test_caps_a_spike_and_keeps_the_total(self) -> None:
        step = (U >= 0.5).astype(float)  # a point mass at 50
        f = conform_cdf(CLOSED, step)
        bins = np.diff(f)
        assert bins.max() == pytest.approx(MAX_STEP)
        assert bins.sum() == pytest.approx(1.0)
        validate_cdf(CLOSED, f)

    def test_refuses_a_forecast_with_nothing_inside(self) -> None:
        with pytest.raises(ValueError, match="no probability inside"):
            conform_cdf(CLOSED, np.zeros(201))
