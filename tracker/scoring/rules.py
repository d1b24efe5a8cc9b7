"""Proper scoring rules, vectorised over many forecasts at once (DESIGN §3).

Every function takes a probability matrix ``probs`` of shape (n_forecasts, max_options) whose
row i is meaningful in its first ``n_options[i]`` columns (the rest is padding, 0 or NaN, and is
ignored), and ``outcome``, the index of the option that happened. They return one score per row.
"""

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Probabilities are floored here before any logarithm, so a confident miss costs a finite
#: ln(0.001) ≈ -6.9 rather than -inf (Metaculus likewise bounds predictions to 0.1%..99.9%).
LOG_FLOOR = 1e-3


def _rows(
    probs: npt.ArrayLike, outcome: npt.ArrayLike, n_options: npt.ArrayLike | None
) -> tuple[FloatArray, IntArray, IntArray]:
    """The matrix (NaN padding read as 0), the outcomes and the option counts, validated.

    Padding columns are 0 after this, so sums over a whole row only see the live options.
    """
    p = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    n, width = p.shape
    o = np.broadcast_to(np.asarray(outcome, dtype=np.int64), (n,))
    k = np.broadcast_to(np.asarray(width if n_options is None else n_options, np.int64), (n,))
    if n and (k.min() < 2 or k.max() > width):
        raise ValueError("n_options must be between 2 and the width of probs")
    if n and (o.min() < 0 or np.any(o >= k)):
        raise ValueError("outcome must index one of the row's options")
    gaps = np.isnan(p)
    return (np.where(gaps, 0.0, p) if gaps.any() else p), o, k


def brier(
    probs: npt.ArrayLike,
    outcome: npt.ArrayLike,
    n_options: npt.ArrayLike | None = None,
    ordered: npt.ArrayLike = False,
) -> FloatArray:
    """Brier score Σ(p_i − o_i)² on the 0..2 scale (Good Judgment / Cultivate convention).

    Rows flagged ``ordered`` use the ordered-categorical rule instead: the mean, over the K−1
    cumulative splits {1..k} | {k+1..K}, of the two-option Brier of that split. A forecast
    that puts its mass next to the true bin then scores better than one that puts it far away.
    """
    p, o, k = _rows(probs, outcome, n_options)
    n = p.shape[0]
    p_true = p[np.arange(n), o]
    score = np.einsum("ij,ij->i", p, p) - 2.0 * p_true + 1.0
    flags = np.broadcast_to(np.asarray(ordered, dtype=bool), (n,))
    if flags.any():
        rows = np.flatnonzero(flags)
        score[rows] = _ordered_brier(p[rows], o[rows], k[rows])
    return score


def _ordered_brier(p: FloatArray, o: IntArray, k: IntArray) -> FloatArray:
    """Mean two-option Brier over cumulative splits: 2(C_j − [o ≤ j])² averaged over j < K−1."""
    cumulative = np.cumsum(p, axis=1)
    cols = np.arange(p.shape[1])
    below = (cols >= o[:, None]).astype(np.float64)
    split = cols < (k - 1)[:, None]
    squares = np.where(split, (cumulative - below) ** 2, 0.0)
    return 2.0 * squares.sum(axis=1) / (k - 1)


def outcome_probability(probs: npt.ArrayLike, outcome: npt.ArrayLike) -> FloatArray:
    """The probability each row gave to what happened."""
    p = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    o = np.broadcast_to(np.asarray(outcome, dtype=np.int64), (p.shape[0],))
    chosen = p[np.arange(p.shape[0]), o]
    return np.where(np.isnan(chosen), 0.0, chosen)


def log_score(probs: npt.ArrayLike, outcome: npt.ArrayLike) -> FloatArray:
    """ln p(outcome) with p floored at ``LOG_FLOOR``; 0 is perfect, higher is better."""
    return np.log(np.maximum(outcome_probability(probs, outcome), LOG_FLOOR))


def baseline_from_log(log_p: npt.ArrayLike, n_options: npt.ArrayLike) -> FloatArray:
    """Metaculus baseline 100·ln(p·N)/ln N from ln p: 0 for the uniform forecast, 100 perfect."""
    n = np.asarray(n_options, dtype=np.float64)
    return 100.0 * (np.asarray(log_p, dtype=np.float64) + np.log(n)) / np.log(n)


def baseline_score(
    probs: npt.ArrayLike, outcome: npt.ArrayLike, n_options: npt.ArrayLike | None = None
) -> FloatArray:
    """Metaculus baseline score; for a binary question this is 100·log2(2p)."""
    p = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    k = p.shape[1] if n_options is None else n_options
    return baseline_from_log(log_score(p, outcome), k)


def peer_from_logs(log_scores: npt.ArrayLike) -> FloatArray:
    """Metaculus peer score of each member of one group: 100·(ln p − mean ln p of the others).

    The scores of a group sum to zero; a lone forecaster has no peers and scores 0.
    """
    ls = np.asarray(log_scores, dtype=np.float64)
    n = ls.size
    if n < 2:
        return np.zeros_like(ls)
    return 100.0 * (ls - (ls.sum() - ls) / (n - 1))


def peer_score(probs: npt.ArrayLike, outcome: npt.ArrayLike) -> FloatArray:
    """Peer scores of forecasts standing at the same moment on the same question."""
    return peer_from_logs(log_score(probs, outcome))
