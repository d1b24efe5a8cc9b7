"""Ordered bins from three handles, the way Metaculus-style inputs ask: the median and the
80 % range (10th and 90th percentiles), and the other way round for a compact summary.

Bin i spans [i − ½, i + ½] on a continuous axis; the CDF is piecewise linear through
(−½, 0), (lo, 0.1), (median, 0.5), (hi, 0.9), (K − ½, 1), knots at bin centres. Equal knots make
a jump, so lo = median = hi puts 80 % in that bin and 10 % spread on each side.
"""

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
LEVELS = (0.1, 0.5, 0.9)


def bins_from_quantiles(n_bins: int, lo: int, median: int, hi: int) -> FloatArray:
    """Probabilities of `n_bins` ordered bins whose 10th, 50th and 90th percentiles fall in
    bins lo ≤ median ≤ hi; they sum to 1."""
    if n_bins < 2:
        raise ValueError("need at least 2 bins")
    if not 0 <= lo <= median <= hi < n_bins:
        raise ValueError("need 0 ≤ lo ≤ median ≤ hi < number of bins")
    xs = np.array([-0.5, lo, median, hi, n_bins - 0.5], dtype=np.float64)
    fs = np.array([0.0, *LEVELS, 1.0])
    edges = np.arange(n_bins + 1, dtype=np.float64) - 0.5
    probs = np.diff(_piecewise(edges, xs, fs))
    return probs / probs.sum()


def _piecewise(x: FloatArray, xs: FloatArray, fs: FloatArray) -> FloatArray:
    """The CDF at bin edges. Edges never sit on a knot at a centre, so a jump between equal
    knots lands wholly inside that knot's bin."""
    out = np.empty_like(x)
    for i, v in enumerate(x):
        j = int(np.searchsorted(xs, v, side="right")) - 1
        j = min(max(j, 0), len(xs) - 2)
        x0, x1 = xs[j], xs[j + 1]
        out[i] = fs[j + 1] if x1 == x0 else fs[j] + (fs[j + 1] - fs[j]) * (v - x0) / (x1 - x0)
    return out


def quantile_bins(probs: npt.ArrayLike, levels: tuple[float, ...] = LEVELS) -> list[int]:
    """The bin holding each quantile level (the first bin whose cumulative share reaches it)."""
    p = np.asarray(probs, dtype=np.float64)
    cdf = np.cumsum(p / p.sum())
    return [
        int(min(np.searchsorted(cdf, level - 1e-12, side="left"), p.size - 1)) for level in levels
    ]
