"""Team forecasts: pooling the team's latest forecasts on a question into one vector.

Each function takes ``probs`` of shape (n_forecasters, n_options), rows summing to 1, and
returns one probability vector summing to 1.

For binary questions every pool except the extremized one lies between the lowest and the
highest input on each option. With three or more options the per-option median and geometric
mean must be renormalised, which can carry an option outside that range (e.g. three forecasts
(.4, .6, 0, 0), (.4, 0, .6, 0), (.4, 0, 0, .6): medians (.4, 0, 0, 0) become (1, 0, 0, 0)).
"""

import numpy as np
import numpy.typing as npt

from tracker.scoring.rules import LOG_FLOOR

FloatArray = npt.NDArray[np.float64]

#: The default extremizing factor; `Settings.extremize_factor` overrides it in the app.
EXTREMIZE = 1.5


def _matrix(probs: npt.ArrayLike) -> FloatArray:
    p = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    if p.shape[0] == 0:
        raise ValueError("need at least one forecast to aggregate")
    return p


def _normalise(v: FloatArray, fallback: FloatArray) -> FloatArray:
    total = v.sum()
    return v / total if total > 0 else fallback


def mean(probs: npt.ArrayLike) -> FloatArray:
    """Linear pool: the average forecast."""
    return _matrix(probs).mean(axis=0)


def median(probs: npt.ArrayLike) -> FloatArray:
    """Per-option median, renormalised (the mean if every option's median is 0)."""
    p = _matrix(probs)
    return _normalise(np.median(p, axis=0), p.mean(axis=0))


def _log_pool(p: FloatArray, factor: float) -> FloatArray:
    """p ∝ exp(factor · mean ln p_i) per option; for two options this is the mean of the
    log-odds times ``factor``. A 0 on an option from anyone makes that option 0, unless
    every option has one, when inputs are first floored at LOG_FLOOR."""
    if factor <= 0:
        raise ValueError("factor must be positive")
    with np.errstate(divide="ignore"):
        pooled = factor * np.log(p).mean(axis=0)
    top = pooled.max()
    if not np.isfinite(top):
        pooled = factor * np.log(np.maximum(p, LOG_FLOOR)).mean(axis=0)
        top = pooled.max()
    weights = np.exp(pooled - top)
    return weights / weights.sum()


def geometric_mean_of_odds(probs: npt.ArrayLike) -> FloatArray:
    """Geometric mean of the odds (binary); the normalised geometric mean of the
    probabilities for more options, which is the same thing for two."""
    return _log_pool(_matrix(probs), 1.0)


def extremized_log_odds(probs: npt.ArrayLike, factor: float = EXTREMIZE) -> FloatArray:
    """Mean log-odds multiplied by ``factor`` > 1, pushing the pool away from 50%: averaging
    forecasters who each hold part of the evidence is under-confident (Satopää et al. 2014;
    Baron et al. 2014)."""
    return _log_pool(_matrix(probs), factor)


def recency_weights(n: int) -> FloatArray:
    """Metaculus community-prediction weights: the k-th oldest of n forecasts gets e^√k,
    normalised; equal weights when n ≤ 2, as Metaculus does."""
    if n <= 2:
        return np.full(n, 1.0 / n)
    w = np.exp(np.sqrt(np.arange(1, n + 1)) - np.sqrt(n))
    return w / w.sum()


def weighted_median(values: FloatArray, weights: FloatArray) -> FloatArray:
    """Per-column weighted median, Metaculus's rule: sort, accumulate normalised weights and
    average the first value reaching 0.5 with the first value passing it."""
    order = np.argsort(values, axis=0, kind="stable")
    ranked = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(weights[order], axis=0) / weights.sum()
    left = np.argmax(cumulative >= 0.5, axis=0)
    right = np.argmax(cumulative > 0.5, axis=0)
    cols = np.arange(values.shape[1])
    return 0.5 * (ranked[left, cols] + ranked[right, cols])


def recency_weighted_median(probs: npt.ArrayLike, times: npt.ArrayLike | None = None) -> FloatArray:
    """Metaculus-style community prediction: the recency-weighted median per option,
    renormalised. ``times`` orders the forecasts (oldest first); by default row order."""
    p = _matrix(probs)
    age = np.argsort(np.argsort(times, kind="stable")) if times is not None else np.arange(len(p))
    weights = recency_weights(len(p))[age]
    return _normalise(weighted_median(p, weights), p.mean(axis=0))


def team_aggregates(
    probs: npt.ArrayLike, times: npt.ArrayLike | None = None, factor: float = EXTREMIZE
) -> dict[str, FloatArray]:
    """Every pool at once, keyed by name (for display side by side)."""
    return {
        "median": median(probs),
        "mean": mean(probs),
        "geometric_mean_of_odds": geometric_mean_of_odds(probs),
        "extremized_log_odds": extremized_log_odds(probs, factor),
        "recency_weighted_median": recency_weighted_median(probs, times),
    }


POOLS = ("median", "mean", "geometric_mean_of_odds", "extremized_log_odds",
         "recency_weighted_median")  # fmt: skip


def pool(
    name: str, probs: npt.ArrayLike, times: npt.ArrayLike | None = None, factor: float = EXTREMIZE
) -> FloatArray:
    """One pool by its name (the team's chosen aggregate); ``times`` orders the forecasts."""
    if name == "median":
        return median(probs)
    if name == "mean":
        return mean(probs)
    if name == "geometric_mean_of_odds":
        return geometric_mean_of_odds(probs)
    if name == "extremized_log_odds":
        return extremized_log_odds(probs, factor)
    if name == "recency_weighted_median":
        return recency_weighted_median(probs, times)
    raise ValueError(f"unknown pool {name!r}; choose one of {', '.join(POOLS)}")
