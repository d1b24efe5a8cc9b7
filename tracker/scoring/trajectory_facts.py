"""Numbers a post-mortem is built from: the team's median and spread of the probability given
to what happened, after each forecast, and the steps where the median moved most.

Arrays in, arrays out: `user` (F,) indexes forecasters and `p` (F,) is each forecast's
probability of the outcome, both in time order.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Standing:
    """After each forecast: median, lower and upper quartile of the standing forecasts, and
    how many members stand."""

    median: FloatArray
    q25: FloatArray
    q75: FloatArray
    count: IntArray


def standing(user: npt.ArrayLike, p: npt.ArrayLike) -> Standing:
    user, p = np.asarray(user, dtype=np.int64), np.asarray(p, dtype=float)
    latest: dict[int, float] = {}
    out = np.empty((user.size, 3))
    count = np.empty(user.size, dtype=np.int64)
    for step, (u, value) in enumerate(zip(user.tolist(), p.tolist(), strict=True)):
        latest[u] = value
        values = np.fromiter(latest.values(), dtype=float)
        out[step] = np.percentile(values, [50, 25, 75])
        count[step] = values.size
    return Standing(out[:, 0], out[:, 1], out[:, 2], count)


def biggest_moves(median: npt.ArrayLike, top: int = 3) -> IntArray:
    """Steps (≥ 1) where the median changed most from the step before, largest first (ties:
    earliest); only steps that moved at all."""
    m = np.asarray(median, dtype=float)
    if m.size < 2:
        return np.zeros(0, dtype=np.int64)
    change = np.abs(np.diff(m))
    order = np.lexsort((np.arange(change.size), -change))
    chosen = [int(i) + 1 for i in order[:top] if change[i] > 0]
    return np.asarray(chosen, dtype=np.int64)
