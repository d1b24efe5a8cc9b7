"""Properties of the numeric scores for any range and forecast (hypothesis): every built
forecast is valid, a sharper forecast centred on the outcome scores better, CRPS is positive,
pools and peer scores ignore row order, and the vectorised scores agree with the plain
reference."""

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracker.scoring.continuous import ContinuousRange, validate_cdf
from tracker.scoring.continuous_build import (
    Component,
    cdf_at,
    cdf_from_components,
    cdf_from_percentiles,
    quantiles,
)
from tracker.scoring.continuous_pools import mean_pool, recency_weighted_pool
from tracker.scoring.continuous_scores import baseline_score, crps, log_score, peer_score, pit
from tracker.testing import reference_continuous as reference

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def ranges(draw: st.DrawFn) -> ContinuousRange:
    open_lower, open_upper = draw(st.booleans()), draw(st.booleans())
    if draw(st.booleans()):
        lower = draw(st.floats(0.01, 1000))
        return ContinuousRange(
            lower, lower * draw(st.floats(1.5, 1e5)), open_lower, open_upper, "log"
        )
    lower = draw(st.floats(-1e4, 1e4))
    return ContinuousRange(lower, lower + draw(st.floats(1e-3, 1e5)), open_lower, open_upper)


def component_at(rng: ContinuousRange, centre: float, spread: float, weight: float = 1.0):
    """A component given in positions (centre, spread), converted to the question's units."""
    low, mid, high = rng.value([centre - spread, centre, centre + spread])
    return Component(float(mid), float(mid - low), weight, float(high - mid))


@st.composite
def components(draw: st.DrawFn, rng: ContinuousRange) -> list[Component]:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        lo = -0.2 if rng.open_lower else 0.05  # beyond an open bound is fine; a closed one
        hi = 1.2 if rng.open_upper else 0.95  # needs the component to reach inside
        centre = draw(st.floats(lo, hi))
        spread = draw(st.floats(0.002, 0.6))
        parts.append(component_at(rng, centre, spread, draw(st.floats(0.1, 5))))
    return parts


@st.composite
def percentile_handles(draw: st.DrawFn, rng: ContinuousRange) -> dict[float, float]:
    n = draw(st.integers(2, 5))
    levels = sorted(draw(st.lists(st.integers(1, 99), min_size=n, max_size=n, unique=True)))
    lo = -0.3 if rng.open_lower else 0.01
    hi = 1.3 if rng.open_upper else 0.99
    positions = sorted(draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n, unique=True)))
    assume(min(np.diff(positions)) > 1e-3)
    values = rng.value(positions)
    assume(np.all(np.diff(values) > 0) and np.all(np.isfinite(values)))
    return {float(level): float(v) for level, v in zip(levels, values, strict=True)}


@st.composite
def forecasts(draw: st.DrawFn) -> tuple[ContinuousRange, np.ndarray]:
    """A range and one to three forecasts built on it, either way."""
    rng = draw(ranges())
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            rows.append(cdf_from_components(rng, draw(components(rng))))
        else:
            rows.append(cdf_from_percentiles(rng, draw(percentile_handles(rng))))
    return rng, np.array(rows)


@st.composite
def outcomes(draw: st.DrawFn, rng: ContinuousRange) -> float:
    """A resolution: anywhere in range (bounds included), or beyond an open bound."""
    choices = [
        st.floats(0.0, 1.0).map(lambda u: float(rng.value(u))),
        st.just(rng.lower),
        st.just(rng.upper),
    ]
    if rng.open_lower:
        choices.append(st.just(-np.inf))
    if rng.open_upper:
        choices.append(st.just(np.inf))
    return draw(st.one_of(*choices))


@PROPERTY
@given(forecasts())
def test_validation_accepts_every_forecast_the_builders_make(case) -> None:
    rng, cdfs = case
    validate_cdf(rng, cdfs)


@PROPERTY
@given(ranges(), st.floats(0.3, 0.7), st.floats(0.01, 0.1), st.floats(1.5, 4.0))
def test_a_sharper_forecast_centred_on_the_outcome_scores_better(
    rng, centre, spread, ratio
) -> None:
    sharp = cdf_from_components(rng, [component_at(rng, centre, spread)])
    wide = cdf_from_components(rng, [component_at(rng, centre, spread * ratio)])
    outcome = float(rng.value(centre))
    both = np.array([sharp, wide])
    c, log, base = (
        crps(rng, both, outcome),
        log_score(rng, both, outcome),
        baseline_score(rng, both, outcome),
    )
    assert c[0] < c[1]
    assert log[0] > log[1] and base[0] > base[1]


@PROPERTY
@given(forecasts(), st.data())
def test_crps_is_positive_and_agrees_with_the_plain_reference(case, data) -> None:
    rng, cdfs = case
    y = data.draw(outcomes(rng))
    got = crps(rng, cdfs, y)
    assert np.all(got > 0)  # a valid CDF has no jump, so it never scores 0
    width = rng.upper - rng.lower
    for row, score in zip(cdfs, got, strict=True):
        assert abs(score - reference.crps(rng, row.tolist(), y)) <= 1e-9 * width
        assert score <= width  # (F − 1[x ≥ y])² ≤ 1 over the range


@PROPERTY
@given(forecasts(), st.data())
def test_log_and_baseline_agree_with_the_plain_reference(case, data) -> None:
    rng, cdfs = case
    y = data.draw(outcomes(rng))
    log, base = log_score(rng, cdfs, y), baseline_score(rng, cdfs, y)
    for i, row in enumerate(cdfs.tolist()):
        assert abs(log[i] - reference.log_score(rng, row, y)) < 1e-9
        assert abs(base[i] - reference.baseline_score(rng, row, y)) < 1e-7


@PROPERTY
@given(forecasts(), st.data())
def test_pools_and_peer_scores_ignore_row_order(case, data) -> None:
    rng, cdfs = case
    n = cdfs.shape[0]
    times = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    perm = np.array(data.draw(st.permutations(range(n))))
    np.testing.assert_allclose(mean_pool(cdfs[perm]), mean_pool(cdfs), atol=1e-12)
    np.testing.assert_allclose(
        recency_weighted_pool(cdfs[perm], times[perm]),
        recency_weighted_pool(cdfs, times),
        atol=1e-12,
    )
    validate_cdf(rng, recency_weighted_pool(cdfs, times))
    y = data.draw(outcomes(rng))
    peers = peer_score(rng, cdfs, y)
    np.testing.assert_allclose(peer_score(rng, cdfs[perm], y), peers[perm], atol=1e-9)
    assert abs(peers.sum()) < 1e-8


@PROPERTY
@given(forecasts(), st.data())
def test_quantiles_invert_the_cdf_and_pit_is_a_probability(case, data) -> None:
    rng, cdfs = case
    f = cdfs[0]
    level = data.draw(st.floats(float(f[0]) + 1e-6, float(f[-1]) - 1e-6))
    x = float(quantiles(rng, f, level))
    assert rng.lower <= x <= rng.upper
    assert abs(float(cdf_at(rng, f, x)) - level) < 1e-6  # x is rounded at the range's scale
    values = pit(rng, cdfs, data.draw(outcomes(rng)))
    assert np.all((values >= 0) & (values <= 1))
