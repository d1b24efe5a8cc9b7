"""Team forecasts on numeric and date questions: pooling members' CDFs (one per row).

Metaculus pools continuous forecasts by averaging CDFs, not medians of them
(utils/the_math/aggregations.py: ``MedianAggregatorMixin`` takes the weighted average for
continuous questions). A weighted average of valid CDFs is itself valid: every bound and
step rule is linear, so it holds for any mixture.
"""

import numpy as np
import numpy.typing as npt

from tracker.scoring.aggregate import recency_weights
from tracker.scoring.continuous import N_POINTS

FloatArray = npt.NDArray[np.float64]


def _matrix(cdfs: npt.ArrayLike) -> FloatArray:
    f = np.atleast_2d(np.asarray(cdfs, dtype=np.float64))
    if f.shape[0] == 0 or f.shape[1] != N_POINTS:
        raise ValueError(f"need at least one CDF of {N_POINTS} values to pool")
    return f


def mean_pool(cdfs: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> FloatArray:
    """The (weighted) mean of the members' CDFs: the linear opinion pool."""
    f = _matrix(cdfs)
    if weights is None:
        return f.mean(axis=0)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (f.shape[0],) or w.min() < 0 or w.sum() <= 0:
        raise ValueError("need one non-negative weight per CDF, not all zero")
    return (w / w.sum()) @ f


def recency_weighted_pool(cdfs: npt.ArrayLike, times: npt.ArrayLike | None = None) -> FloatArray:
    """Metaculus's recency-weighted community forecast for continuous questions: the mean of
    the CDFs with the k-th oldest of n weighted e^(√k − √n), equal weights for n ≤ 2
    (aggregations.py ``RecencyWeighted``). ``times`` orders the members (default: row order);
    members with the same time share the mean of their weights, so the pool never depends on
    the order of the rows."""
    f = _matrix(cdfs)
    n = f.shape[0]
    w_by_age = recency_weights(n)
    if times is None:
        return w_by_age @ f
    t = np.asarray(times)
    if t.shape != (n,):
        raise ValueError("need one time per CDF")
    order = np.argsort(t, kind="stable")
    _, group, size = np.unique(t[order], return_inverse=True, return_counts=True)
    shared = np.bincount(group, weights=w_by_age) / size
    weights = np.empty(n)
    weights[order] = shared[group]
    return weights @ f
