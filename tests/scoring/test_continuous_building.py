"""Entering a numeric forecast as a Metaculus user would (components or percentile handles)
and reading it back in words: median, 80 % interval, the PDF to draw."""

import math

import numpy as np
import pytest

from tracker.scoring.continuous import (
    MAX_STEP,
    N_POINTS,
    ContinuousRange,
    uniform_cdf,
    validate_cdf,
)
from tracker.scoring.continuous_build import (
    Component,
    cdf_at,
    cdf_from_components,
    cdf_from_percentiles,
    pdf_bins,
    quantiles,
    summary,
)

CLOSED = ContinuousRange(0.0, 200.0)
OPEN = ContinuousRange(0.0, 200.0, open_lower=True, open_upper=True)
LOG = ContinuousRange(1.0, 1000.0, open_upper=True, scale="log")
U = np.linspace(0.0, 1.0, N_POINTS)


class TestComponents:
    def test_one_component_has_its_centre_as_median_and_its_spread_at_the_quartiles(self) -> None:
        # Centre 100, spread 20, far from the bounds: quartiles 80 and 120 (the 1 % uniform
        # mixed in moves nothing at the centre of a symmetric range).
        f = cdf_from_components(OPEN, [Component(100, 20)])
        validate_cdf(OPEN, f)
        np.testing.assert_allclose(quantiles(OPEN, f, [0.25, 0.5, 0.75]), [80, 100, 120], atol=0.3)

    def test_a_skewed_component_has_different_quartile_distances(self) -> None:
        f = cdf_from_components(OPEN, [Component(100, 10, spread_above=40)])
        q1, med, q3 = quantiles(OPEN, f, [0.25, 0.5, 0.75])
        assert med == pytest.approx(100, abs=0.3)
        assert med - q1 == pytest.approx(10, abs=0.5) and q3 - med == pytest.approx(40, abs=0.5)

    def test_weights_share_the_probability_between_components(self) -> None:
        # Two far-apart bumps weighted 3:1: the lower one holds about three quarters.
        f = cdf_from_components(CLOSED, [Component(50, 5, 3.0), Component(150, 5, 1.0)])
        assert float(cdf_at(CLOSED, f, 100.0)) == pytest.approx(0.75, abs=0.01)

    def test_closed_bounds_truncate_each_component(self) -> None:
        # A bump centred on the lower bound of a closed range: nothing below, and the half of
        # it that was inside is now all of it, so the median sits near its upper quartile.
        f = cdf_from_components(CLOSED, [Component(0.0, 20)])
        assert f[0] == 0.0 and f[-1] == 1.0
        assert float(quantiles(CLOSED, f, 0.5)) == pytest.approx(20, abs=1.0)

    def test_open_bounds_keep_the_tails_beyond(self) -> None:
        # Logistic median 0 on an open lower bound: half the component is below the range.
        f = cdf_from_components(OPEN, [Component(0.0, 20)])
        assert f[0] == pytest.approx(0.5 * 0.988 + 0.001, abs=1e-6)

    def test_log_scale_components_live_on_the_log_axis(self) -> None:
        # Quartiles 10 and 100 around centre ~31.6: symmetric in position, so a median at 31.6.
        rng = ContinuousRange(1.0, 1000.0, open_lower=True, open_upper=True, scale="log")
        centre = math.sqrt(1000)
        f = cdf_from_components(rng, [Component(centre, centre - 10, spread_above=100 - centre)])
        validate_cdf(rng, f)
        np.testing.assert_allclose(
            quantiles(rng, f, [0.25, 0.5, 0.75]), [10, centre, 100], rtol=0.01
        )

    def test_a_very_narrow_component_is_capped_at_the_densest_bin_allowed(self) -> None:
        f = cdf_from_components(CLOSED, [Component(100, 0.01)])
        assert np.diff(f).max() == pytest.approx(MAX_STEP)
        validate_cdf(CLOSED, f)

    @pytest.mark.parametrize(
        ("components", "message"),
        [
            ([], "1 to 3 components"),
            ([Component(10, 1)] * 4, "1 to 3 components"),
            ([Component(10, 0)], "component 1: spreads and weight must be positive"),
            ([Component(10, 1), Component(10, 1, weight=-1)], "component 2"),
            ([Component(500, 1)], "component 1 puts .* no probability inside the range"),
        ],
    )
    def test_bad_components_are_named(self, components: list, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            cdf_from_components(CLOSED, components)

    def test_a_log_scale_needs_positive_quartiles(self) -> None:
        with pytest.raises(ValueError, match="must be positive \\(lower quartile -5\\)"):
            cdf_from_components(LOG, [Component(5, 10)])


class TestPercentiles:
    @pytest.mark.parametrize("rng", [CLOSED, OPEN])
    def test_the_handles_are_where_they_were_put(self, rng: ContinuousRange) -> None:
        # The handles 62, 75, 95 fall on grid points of [0, 200] (bins of 1), so they are exact.
        f = cdf_from_percentiles(rng, {10: 62, 50: 75, 90: 95})
        validate_cdf(rng, f)
        np.testing.assert_allclose(quantiles(rng, f, [0.1, 0.5, 0.9]), [62, 75, 95], atol=1e-6)

    def test_five_handles_on_a_log_scale(self) -> None:
        handles = {10: 5.0, 25: 12.0, 50: 30.0, 75: 80.0, 90: 300.0}
        f = cdf_from_percentiles(LOG, handles)
        validate_cdf(LOG, f)
        got = quantiles(LOG, f, [0.1, 0.25, 0.5, 0.75, 0.9])
        np.testing.assert_allclose(got, list(handles.values()), rtol=0.005)

    def test_tails_beyond_open_bounds_continue_the_outer_handles(self) -> None:
        # 10th at 20, 50th at 100 on an open [0, 200]: the logistic tail puts a few % below 0.
        f = cdf_from_percentiles(OPEN, {10: 20, 50: 100, 90: 180})
        assert 0.01 < f[0] < 0.1 and 0.01 < 1 - f[-1] < 0.1
        assert f[0] == pytest.approx(1 - f[-1], abs=1e-9)  # symmetric handles, symmetric tails

    def test_closed_bounds_take_the_tails_in(self) -> None:
        f = cdf_from_percentiles(CLOSED, {10: 20, 50: 100, 90: 180})
        assert f[0] == 0.0 and f[-1] == 1.0
        np.testing.assert_allclose(quantiles(CLOSED, f, [0.1, 0.9]), [20, 180], atol=1e-6)

    def test_a_handle_beyond_an_open_bound_shapes_the_tail(self) -> None:
        # The 10th percentile at −50 on an open [0, 200]: more than 10 % lies below 0.
        f = cdf_from_percentiles(OPEN, {10: -50, 50: 20, 90: 100})
        assert 0.1 < f[0] < 0.5

    @pytest.mark.parametrize(
        ("handles", "message"),
        [
            ({50: 75}, "at least two percentiles"),
            ({0: 10, 50: 75}, "between 0 and 100"),
            ({10: 80, 50: 75}, "the 50th \\(75\\) is not above the 10th \\(80\\)"),
            ({10: -5, 50: 75}, "the 10th percentile -5 is not inside the closed lower bound 0"),
            ({50: 75, 90: 200}, "the 90th percentile 200 is not inside the closed upper bound 200"),
        ],
    )
    def test_bad_handles_are_named(self, handles: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            cdf_from_percentiles(CLOSED, handles)


class TestReadingBack:
    def test_quantiles_of_the_uniform_forecast(self) -> None:
        f = uniform_cdf(CLOSED)
        np.testing.assert_allclose(
            quantiles(CLOSED, f, [0, 0.1, 0.5, 0.9, 1]), [0, 20, 100, 180, 200]
        )

    def test_quantiles_beyond_open_bounds_are_infinite(self) -> None:
        # 5 % below and above: the 1st percentile is below the range, the 99th above it.
        f = uniform_cdf(OPEN)
        got = quantiles(OPEN, f, [0.01, 0.05, 0.5, 0.99])
        assert got[0] == -np.inf and got[-1] == np.inf
        np.testing.assert_allclose(got[1:3], [0.0, 100.0])

    def test_quantiles_on_a_log_scale_interpolate_in_the_units(self) -> None:
        # Uniform in position: the median is the geometric middle √1000, a grid point.
        f = uniform_cdf(ContinuousRange(1, 1000, scale="log"))
        assert float(quantiles(LOG, f, 0.5)) == pytest.approx(math.sqrt(1000))

    def test_summary_in_words(self) -> None:
        s = summary(CLOSED, uniform_cdf(CLOSED))
        assert (s.low, s.median, s.high) == pytest.approx((20, 100, 180))

    def test_cdf_at_reads_linearly_between_points(self) -> None:
        f = uniform_cdf(CLOSED)
        np.testing.assert_allclose(
            cdf_at(CLOSED, f, [0, 0.25, 50, 199.5, 250]), [0, 0.00125, 0.25, 0.9975, 1]
        )
        assert cdf_at(CLOSED, np.stack([f, f]), [1.0, 2.0]).shape == (2, 2)

    def test_pdf_bins_for_drawing(self) -> None:
        f = uniform_cdf(OPEN)  # 5 % each side, 90 % uniform: density 0.9 in position units
        bins = pdf_bins(OPEN, f)
        assert bins.edges.shape == (201,) and bins.centres.shape == (200,)
        assert bins.centres[0] == pytest.approx(0.5)
        np.testing.assert_allclose(bins.mass, 0.9 / 200)
        np.testing.assert_allclose(bins.density, 0.9)
        np.testing.assert_allclose(bins.per_unit, 0.9 / 200)  # bins are 1 unit wide here
        assert (bins.below, bins.above) == pytest.approx((0.05, 0.05))

    def test_pdf_bins_on_a_log_scale_centre_geometrically(self) -> None:
        rng = ContinuousRange(1, 1000, scale="log")
        bins = pdf_bins(rng, uniform_cdf(rng))
        np.testing.assert_allclose(bins.centres, np.sqrt(bins.edges[:-1] * bins.edges[1:]))
