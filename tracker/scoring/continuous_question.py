"""One numeric or date question's scores per member and for the team's pool, time-averaged.

Baseline and peer scores are Metaculus's, averaged over the question's whole window (0 before
a member's first forecast), by `continuous_scores.time_averaged`. CRPS and the log score are
averaged over the time a member's forecasts stood (first forecast to resolution), the way the
mean daily Brier score averages over a member's active days. The team pool is the mean of the
members' standing CDFs, re-formed at every forecast and scored the same way as one member.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracker.scoring import continuous_scores as cs
from tracker.scoring.continuous import ContinuousRange
from tracker.scoring.continuous_pools import mean_pool

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MemberScores:
    """Per member (in the order of `members`): time-averaged scores and forecast counts."""

    members: IntArray
    forecasts: IntArray
    crps: FloatArray
    log: FloatArray
    baseline: FloatArray
    peer: FloatArray


def _standing_mean(
    values: FloatArray, time: IntArray, pair_start: IntArray, end: int
) -> FloatArray:
    """Each pair's mean of `values` weighted by how long each forecast stood before `end`
    (its last value when none stood for any time, e.g. a forecast at the resolution)."""
    tau = np.minimum(time, end)
    nxt = np.empty_like(tau)
    nxt[:-1] = tau[1:]
    last = np.append(pair_start[1:], tau.size) - 1
    nxt[last] = end
    weight = (nxt - tau).astype(np.float64)
    total = np.add.reduceat(weight, pair_start)
    weighted = np.add.reduceat(values * weight, pair_start)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, weighted / total, values[last])


def score_members(
    rng: ContinuousRange,
    member: npt.ArrayLike,
    time: npt.ArrayLike,
    cdfs: npt.ArrayLike,
    outcome: float | str,
    open_time: int,
    end_time: int,
    close_time: int,
) -> MemberScores:
    """Scores of one question's forecasts (member codes, Unix seconds, one CDF per row)."""
    m = np.asarray(member, dtype=np.int64)
    t = np.asarray(time, dtype=np.int64)
    f = np.asarray(cdfs, dtype=np.float64).reshape(m.size, -1)
    if m.size == 0:
        empty = np.zeros(0)
        return MemberScores(m, m, empty, empty, empty, empty)
    order = np.lexsort((t, m))
    m, t, f = m[order], t[order], f[order]
    pair_start = np.flatnonzero(np.r_[True, m[1:] != m[:-1]])
    logs = cs.log_score(rng, f, outcome)
    averaged = cs.time_averaged(
        np.zeros(m.size, dtype=np.int64),
        t,
        logs,
        cs.baseline_score(rng, f, outcome),
        pair_start,
        np.array([open_time]),
        np.array([end_time]),
        np.array([close_time]),
    )
    return MemberScores(
        members=m[pair_start],
        forecasts=np.diff(np.append(pair_start, m.size)),
        crps=_standing_mean(cs.crps(rng, f, outcome), t, pair_start, end_time),
        log=_standing_mean(logs, t, pair_start, end_time),
        baseline=np.asarray(averaged.baseline),
        peer=np.asarray(averaged.peer),
    )


def pool_path(
    member: npt.ArrayLike, time: npt.ArrayLike, cdfs: npt.ArrayLike
) -> tuple[IntArray, FloatArray]:
    """The mean of the members' standing CDFs after each moment someone forecast:
    (times, one pooled CDF per time)."""
    m = np.asarray(member, dtype=np.int64)
    t = np.asarray(time, dtype=np.int64)
    f = np.asarray(cdfs, dtype=np.float64).reshape(m.size, -1)
    order = np.argsort(t, kind="stable")
    standing: dict[int, FloatArray] = {}
    times: list[int] = []
    pools: list[FloatArray] = []
    for i in order:
        standing[int(m[i])] = f[i]
        pooled = mean_pool(np.array(list(standing.values())))
        if times and times[-1] == t[i]:
            pools[-1] = pooled  # several forecasts in the same second: one pool
        else:
            times.append(int(t[i]))
            pools.append(pooled)
    return np.array(times, dtype=np.int64), np.array(pools).reshape(len(pools), f.shape[-1])
