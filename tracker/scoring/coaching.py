"""Calibration coaching: where a member's record shows, beyond chance, that their
probabilities run too high or too low — by probability band and by tag.

A band is flagged only where the confidence interval for how often its events happened
excludes the band's mean forecast. Intervals: exact Clopper-Pearson (beta quantiles from
scipy; conservative, so few false alarms) or Wilson's score interval. Pure functions of arrays.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Method = Literal["exact", "wilson"]
BAND_EDGES = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
"""Bands [lower, upper), the last one closed: extremes are where confidence usually shows."""


def clopper_pearson(k: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95):  # type: ignore[no-untyped-def]
    """Exact two-sided interval for k successes in n trials: beta quantiles, with the bound
    at 0 (k = 0) or 1 (k = n) exact. NaN where n = 0."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
        upper = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    empty = n <= 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


def wilson(k: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95):  # type: ignore[no-untyped-def]
    """Wilson score interval for k successes in n trials; NaN where n = 0."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        margin = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return centre - margin, centre + margin


@dataclass(frozen=True)
class GroupStats:
    """Per group: events, how many happened, mean forecast, frequency, interval, and whether
    the interval excludes the mean forecast (`flagged`)."""

    count: IntArray
    happened: IntArray
    mean_forecast: FloatArray
    frequency: FloatArray
    lower: FloatArray
    upper: FloatArray
    flagged: npt.NDArray[np.bool_]


def group_stats(
    p: npt.ArrayLike,
    outcome: npt.ArrayLike,
    group: npt.ArrayLike,
    n_groups: int,
    *,
    confidence: float = 0.95,
    method: Method = "exact",
) -> GroupStats:
    """Statistics of binary events (forecast p, outcome 0/1) grouped by integer `group`."""
    p, o = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    g = np.asarray(group, dtype=np.int64)
    count = np.bincount(g, minlength=n_groups).astype(np.int64)
    happened = np.bincount(g, weights=o, minlength=n_groups).round().astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=p, minlength=n_groups) / count
        frequency = happened / count
    interval = clopper_pearson if method == "exact" else wilson
    lower, upper = interval(happened, count, confidence)
    flagged = (count > 0) & ((mean < lower) | (mean > upper))
    return GroupStats(count, happened, mean, frequency, lower, upper, flagged)


def band_of(p: npt.ArrayLike, edges: tuple[float, ...] = BAND_EDGES) -> IntArray:
    """Each forecast's band index: [lower, upper), the top band including 1."""
    inner = np.asarray(edges[1:-1])
    return np.searchsorted(inner, np.asarray(p, dtype=float), side="right").astype(np.int64)


def by_band(
    p: npt.ArrayLike,
    outcome: npt.ArrayLike,
    *,
    edges: tuple[float, ...] = BAND_EDGES,
    confidence: float = 0.95,
    method: Method = "exact",
) -> GroupStats:
    return group_stats(
        p, outcome, band_of(p, edges), len(edges) - 1, confidence=confidence, method=method
    )
