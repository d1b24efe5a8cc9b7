"""Making a continuous forecast the way a Metaculus user does, and reading one back.

Two ways in, both ending in `conform_cdf` so the result always passes `validate_cdf`:

* `cdf_from_components`: a weighted mixture of one to three logistic components, each given
  by its centre (median) and spread (distance to its quartiles), like Metaculus's sliders
  (front_end utils/math.ts ``cdfFromSliders``: logistic, truncated at closed bounds);
* `cdf_from_percentiles`: handles such as {10: 62, 50: 75, 90: 95}.

And back out: `cdf_at`, `quantiles` (median and 80 % interval) and `pdf_bins` for drawing.
Between grid points the CDF is linear in the question's units, the same reading as CRPS.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracker.scoring.continuous import (
    MIN_OUTSIDE,
    N_BINS,
    N_POINTS,
    UNIFORM_SHARE,
    ContinuousRange,
    conform_cdf,
)

FloatArray = npt.NDArray[np.float64]

MAX_COMPONENTS = 3
_LN3 = math.log(3.0)  # a logistic's quartiles lie ln 3 scale units from its centre


@dataclass(frozen=True)
class Component:
    """A logistic bump: median ``centre``; quartiles ``spread`` below and ``spread_above``
    (default: the same) above it, in the question's units; ``weight`` its relative share."""

    centre: float
    spread: float
    weight: float = 1.0
    spread_above: float | None = None

    def quartiles(self) -> tuple[float, float]:
        above = self.spread if self.spread_above is None else self.spread_above
        return self.centre - self.spread, self.centre + above


def _logistic(z: FloatArray) -> FloatArray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _component_cdf(rng: ContinuousRange, c: Component, u: FloatArray, n: int) -> FloatArray:
    """A split logistic in position space (one scale each side of the centre, so the given
    quartiles are exact), truncated at closed bounds as Metaculus truncates each component."""
    low, high = c.quartiles()
    if not (c.spread > 0 and high > c.centre and c.weight > 0):
        raise ValueError(f"component {n}: spreads and weight must be positive")
    pos = rng.position([low, c.centre, high])
    if not np.isfinite(pos).all():
        raise ValueError(
            f"component {n}: on a log scale its centre and quartiles must be positive "
            f"(lower quartile {low:g})"
        )
    left, mid, right = pos
    z = np.where(u < mid, (u - mid) / (mid - left), (u - mid) / (right - mid)) * _LN3
    f = _logistic(z)
    lo = 0.0 if rng.open_lower else f[0]
    hi = 1.0 if rng.open_upper else f[-1]
    if hi - lo < 1e-9:
        raise ValueError(f"component {n} puts (almost) no probability inside the range")
    return (f - lo) / (hi - lo)


def cdf_from_components(rng: ContinuousRange, components: Sequence[Component]) -> FloatArray:
    """The weighted mixture of 1–3 logistic components, conformed to the bound rules."""
    if not 1 <= len(components) <= MAX_COMPONENTS:
        raise ValueError(f"give 1 to {MAX_COMPONENTS} components, not {len(components)}")
    u = np.linspace(0.0, 1.0, N_POINTS)
    weights = np.array([c.weight for c in components], dtype=np.float64)
    parts = [_component_cdf(rng, c, u, n + 1) for n, c in enumerate(components)]
    return conform_cdf(rng, (weights / weights.sum()) @ np.array(parts))


def _pchip_slopes(x: FloatArray, y: FloatArray) -> FloatArray:
    """Fritsch–Carlson tangents for increasing data: the weighted harmonic mean of the
    neighbouring secants inside, the end secant at each end (monotone, no overshoot)."""
    h, d = np.diff(x), np.diff(y) / np.diff(x)
    m = np.empty_like(x)
    m[0], m[-1] = d[0], d[-1]
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    m[1:-1] = (w1 + w2) / (w1 / d[:-1] + w2 / d[1:])
    return m


def _monotone_curve(x: FloatArray, y: FloatArray, at: FloatArray) -> FloatArray:
    """Piecewise cubic Hermite through (x, y), extended linearly past the ends."""
    m = _pchip_slopes(x, y)
    k = np.clip(np.searchsorted(x, at, side="right") - 1, 0, x.size - 2)
    h = x[k + 1] - x[k]
    t = (at - x[k]) / h
    cubic = (
        (2 * t**3 - 3 * t**2 + 1) * y[k] + (t**3 - 2 * t**2 + t) * h * m[k]
        + (-2 * t**3 + 3 * t**2) * y[k + 1] + (t**3 - t**2) * h * m[k + 1]
    )  # fmt: skip
    below, above = at < x[0], at > x[-1]
    return np.where(
        below, y[0] + m[0] * (at - x[0]), np.where(above, y[-1] + m[-1] * (at - x[-1]), cubic)
    )


def _handles(rng: ContinuousRange, percentiles: Mapping[float, float]) -> tuple[FloatArray, ...]:
    """The handles as (positions, probabilities), checked and sorted."""
    if len(percentiles) < 2:
        raise ValueError("give at least two percentiles (e.g. 10=62,50=75,90=95)")
    levels = sorted(float(k) for k in percentiles)
    values = [float(percentiles[k]) for k in sorted(percentiles, key=float)]
    for level in levels:
        if not 0 < level < 100:
            raise ValueError(f"a percentile is between 0 and 100 (exclusive), not {level:g}")
    for i in range(1, len(levels)):
        if not values[i] > values[i - 1]:
            raise ValueError(
                f"percentiles must rise with their level: the {levels[i]:g}th ({values[i]:g}) "
                f"is not above the {levels[i - 1]:g}th ({values[i - 1]:g})"
            )
    u = rng.position(values)
    for level, value, pos in zip(levels, values, u, strict=True):
        if not np.isfinite(pos):
            raise ValueError(f"the {level:g}th percentile {value:g} is not positive (log scale)")
        if (pos <= 0 and not rng.open_lower) or (pos >= 1 and not rng.open_upper):
            side = "lower" if pos <= 0 else "upper"
            bound = rng.lower if pos <= 0 else rng.upper
            raise ValueError(
                f"the {level:g}th percentile {value:g} is not inside the closed {side} bound "
                f"{bound:g}"
            )
    return u, np.array(levels) / 100.0


def _shape_through(rng: ContinuousRange, u: FloatArray, p: FloatArray) -> FloatArray:
    """A CDF on the grid through (u, p): monotone cubic in log-odds between the handles,
    logistic tails beyond them; a tail meeting a closed bound is rescaled to reach 0 (or 1)
    exactly there, so the handles stay where they were put."""
    grid = np.linspace(0.0, 1.0, N_POINTS)
    y = np.log(p / (1 - p))
    f = _logistic(_monotone_curve(u, y, grid))
    if not rng.open_lower:
        left = grid <= u[0]
        f0 = f[0]
        f[left] = p[0] * (f[left] - f0) / (p[0] - f0)
    if not rng.open_upper:
        right = grid >= u[-1]
        f1 = f[-1]
        f[right] = p[-1] + (1 - p[-1]) * (f[right] - p[-1]) / (f1 - p[-1])
    return f


def cdf_from_percentiles(rng: ContinuousRange, percentiles: Mapping[float, float]) -> FloatArray:
    """A CDF through percentile handles {level: value} (levels in percent, values in the
    question's units; beyond an open bound is allowed, shaping the tail).

    The handles are first moved so that, after `conform_cdf` mixes in its 1 % uniform and
    the open-bound minimum, the result passes through the original ones (where that keeps
    them in order); so the median handle is the median of the stored CDF, up to the linear
    reading between grid points.
    """
    u, p = _handles(rng, percentiles)
    keep = 1.0 - UNIFORM_SHARE - MIN_OUTSIDE * rng.open_bounds
    target = (p - UNIFORM_SHARE * np.clip(u, 0, 1) - MIN_OUTSIDE * rng.open_lower) / keep
    if np.all((target > 0) & (target < 1)) and np.all(np.diff(target) > 0):
        p = target
    return conform_cdf(rng, _shape_through(rng, u, p))


def cdf_at(rng: ContinuousRange, cdf: npt.ArrayLike, values: npt.ArrayLike) -> FloatArray:
    """F(value) for each CDF (rows) at each value, linear in the units between grid points;
    cdf[0] at and below the lower bound, cdf[200] at and above the upper."""
    f = np.atleast_2d(np.asarray(cdf, dtype=np.float64))
    x = np.atleast_1d(np.asarray(values, dtype=np.float64))
    grid = rng.grid
    k = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, N_BINS - 1)
    t = np.clip((x - grid[k]) / (grid[k + 1] - grid[k]), 0.0, 1.0)
    out = f[:, k] + t * (f[:, k + 1] - f[:, k])
    return out.reshape(np.shape(cdf)[:-1] + np.shape(values))


def quantiles(rng: ContinuousRange, cdf: npt.ArrayLike, levels: npt.ArrayLike) -> FloatArray:
    """The values where each CDF reaches each probability level (e.g. [0.1, 0.5, 0.9]);
    −inf when that quantile lies below an open lower bound, +inf above an open upper one."""
    f = np.atleast_2d(np.asarray(cdf, dtype=np.float64))
    q = np.atleast_1d(np.asarray(levels, dtype=np.float64))
    if q.size and (q.min() < 0 or q.max() > 1):
        raise ValueError("quantile levels are probabilities in [0, 1]")
    j = (f[:, :, None] < q[None, None, :]).sum(axis=1)  # points strictly below the level
    lo = np.clip(j - 1, 0, N_BINS - 1)
    rows = np.arange(f.shape[0])[:, None]
    f0, f1 = f[rows, lo], f[rows, lo + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(f1 > f0, (q - f0) / (f1 - f0), 1.0), 0.0, 1.0)
    grid = rng.grid
    x = grid[lo] + t * (grid[lo + 1] - grid[lo])
    x = np.where(j == 0, np.where(q < f[:, :1], -np.inf, rng.lower), x)
    x = np.where(j == N_POINTS, np.inf, x)
    return x.reshape(np.shape(cdf)[:-1] + np.shape(levels))


@dataclass(frozen=True)
class Summary:
    """What a forecast says in words: the median and the central 80 % interval."""

    median: float
    low: float  # 10th percentile (−inf: below the range)
    high: float  # 90th percentile (+inf: above the range)


def summary(rng: ContinuousRange, cdf: npt.ArrayLike) -> Summary:
    low, median, high = quantiles(rng, cdf, [0.1, 0.5, 0.9])
    return Summary(float(median), float(low), float(high))


@dataclass(frozen=True)
class PdfBins:
    """The forecast as 200 bars: bin edges and centres in the question's units, each bin's
    probability, its density per position unit (the uniform forecast is 1, Metaculus's
    "pdf"), and the masses beyond the bounds."""

    edges: FloatArray
    centres: FloatArray
    mass: FloatArray
    density: FloatArray
    below: float
    above: float

    @property
    def per_unit(self) -> FloatArray:
        """Density per unit of the question (mass / bin width), for a linear axis."""
        return self.mass / np.diff(self.edges)


def pdf_bins(rng: ContinuousRange, cdf: npt.ArrayLike) -> PdfBins:
    f = np.asarray(cdf, dtype=np.float64)
    if f.shape != (N_POINTS,):
        raise ValueError(f"pdf_bins takes one CDF of {N_POINTS} values")
    mass = np.diff(f)
    centres = rng.value(np.arange(0.5, N_BINS) / N_BINS)
    return PdfBins(rng.grid, centres, mass, mass * N_BINS, float(f[0]), float(1.0 - f[-1]))
