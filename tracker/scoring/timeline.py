"""How forecasts are scored over a question's life (DESIGN §3).

Two readings of time, both vectorised over every (question, user) *pair* at once:

* **Daily carry-forward** (Good Judgment / Cultivate / Fatebook): scored days are the UTC
  days D with date(open) ≤ D and D + 1 day ≤ end; a user's forecast on day D is their latest
  made before D + 1 day 00:00 UTC. Gives mean daily Brier, the daily median and relative Brier.
* **Continuous time-averaging** (Metaculus): a score is integrated over [open, end) and divided
  by the scheduled (close − open), so it is 0 before the first forecast and after an early
  resolution.

Inputs are per-forecast arrays sorted by pair and then time, with ``pair_start`` the index of
each pair's first forecast; ``q`` indexes the per-question arrays.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracker.scoring._arrays import order_by_rank, rank_of, segmented_cumsum, with_next
from tracker.scoring.medians import daily_medians

DAY = 86_400

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DailyScores:
    """Per pair: the day counts and the sums that every daily statistic is a ratio of."""

    active_days: IntArray
    scored_days: IntArray
    own_sum: FloatArray  # Σ over active days of the user's daily Brier
    median_sum: FloatArray  # Σ over the same days of the daily median
    day_medians: FloatArray  # the median of every scored question-day, question by question

    @property
    def mean_daily_brier(self) -> FloatArray:
        return _ratio(self.own_sum, self.active_days)

    @property
    def median_daily_brier(self) -> FloatArray:
        return _ratio(self.median_sum, self.active_days)

    @property
    def relative_brier(self) -> FloatArray:
        """Σ(own − median) over active days / scored days: days not forecast count as 0."""
        return _ratio(self.own_sum - self.median_sum, self.scored_days)

    @property
    def participation(self) -> FloatArray:
        return _ratio(self.active_days.astype(np.float64), self.scored_days)


def _ratio(num: npt.NDArray, den: npt.NDArray) -> FloatArray:
    out = np.full(np.shape(num), np.nan)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def scored_day_range(open_time: IntArray, end_time: IntArray) -> tuple[IntArray, IntArray]:
    """First scored day and the (exclusive) day after the last one, as day numbers."""
    first = np.floor_divide(open_time, DAY)
    return first, np.maximum(np.floor_divide(end_time, DAY), first)


def _next_in_pair(
    values: npt.NDArray, pair_start: IntArray, last_value: npt.NDArray
) -> npt.NDArray:
    """Each forecast's successor's value within its pair; ``last_value`` for the pair's last."""
    nxt = np.empty_like(values)
    nxt[:-1] = values[1:]
    last = np.append(pair_start[1:], values.size) - 1
    nxt[last] = last_value
    return nxt


def daily_scores(
    q: IntArray,
    time: IntArray,
    brier: FloatArray,
    pair_start: IntArray,
    open_time: IntArray,
    end_time: IntArray,
) -> DailyScores:
    """Carry each forecast forward day by day and compare it with that day's median."""
    first_day, stop_day = scored_day_range(open_time, end_time)
    n_days = stop_day - first_day
    if q.size == 0:
        nothing = np.zeros(0)
        empty = np.zeros(0, dtype=np.int64)
        return DailyScores(empty, empty, nothing, nothing, np.full(int(n_days.sum()), np.nan))
    day = np.clip(np.floor_divide(time, DAY), first_day[q], stop_day[q])
    pair_q = q[pair_start]
    until = _next_in_pair(day, pair_start, stop_day[q[np.append(pair_start[1:], q.size) - 1]])
    length = until - day

    seg = length > 0
    medians = daily_medians(q[seg], day[seg], until[seg], brier[seg], first_day, n_days)

    first_active = day[pair_start]
    active = stop_day[pair_q] - first_active
    own = np.add.reduceat(length * brier, pair_start)
    row_off = np.cumsum(n_days) - n_days
    running = segmented_cumsum(np.nan_to_num(medians), n_days)
    exclusive = running - np.nan_to_num(medians)
    lo = row_off[pair_q] + first_active - first_day[pair_q]
    hi = row_off[pair_q] + n_days[pair_q] - 1
    median_sum = np.zeros(pair_start.size)
    has = active > 0
    median_sum[has] = running[hi[has]] - exclusive[lo[has]]
    return DailyScores(active, n_days[pair_q], own, median_sum, medians)


@dataclass(frozen=True)
class TimeAveraged:
    """Per pair: Metaculus baseline and peer scores averaged over [open, scheduled close)."""

    baseline: FloatArray
    peer: FloatArray


def time_averaged(
    q: IntArray,
    time: IntArray,
    log_p: FloatArray,
    baseline: FloatArray,
    pair_start: IntArray,
    open_time: IntArray,
    end_time: IntArray,
    close_time: IntArray,
    time_rank: IntArray | None = None,
) -> TimeAveraged:
    """Integrate baseline and peer scores over each forecast's standing time.

    Peer at an instant is 100·(ln p_u − mean ln p of the other active users), i.e.
    100·(ln p_u · n/(n−1) − S/(n−1)) with n active users whose ln p sum to S. Both n and S
    only change at forecasts, so their integrals are running sums over the question's
    forecasts in time order, and each forecast's share is a difference of two of them.
    ``time_rank`` (any ranking consistent with ``time``) saves re-sorting the times.
    """
    if q.size == 0:
        return TimeAveraged(np.zeros(0), np.zeros(0))
    duration = (close_time - open_time).astype(np.float64)
    valid = duration > 0
    scale = np.zeros(duration.size)
    scale[valid] = 1.0 / duration[valid]

    tau = np.clip(time, open_time[q], end_time[q])
    last_q = q[np.append(pair_start[1:], q.size) - 1]
    tau_next = _next_in_pair(tau, pair_start, end_time[last_q])
    weight = (tau_next - tau) * scale[q]
    pair_q = q[pair_start]
    base = np.add.reduceat(baseline * weight, pair_start)

    first = np.zeros(q.size, dtype=bool)
    first[pair_start] = True
    change = log_p.copy()
    change[1:] -= np.where(first[1:], 0.0, log_p[:-1])

    # The same forecasts in time order within each question ("events").
    ev, qe, _ = order_by_rank(q, rank_of(time)[0] if time_rank is None else time_rank)
    _settle_ties(ev, qe, time)
    counts = np.bincount(q, minlength=open_time.size)
    n = segmented_cumsum(first[ev].astype(np.int64), counts)
    total = segmented_cumsum(change[ev], counts)
    tau_e = tau[ev]
    after = np.empty_like(tau_e)
    after[:-1] = tau_e[1:]
    q_last = np.cumsum(counts)[counts > 0] - 1
    after[q_last] = end_time[qe[q_last]]
    w = (after - tau_e) * scale[qe]
    many = n >= 2
    peers = np.where(many, n - 1, 1)
    g = np.where(many, n / peers, 0.0) * w
    h = np.where(many, total / peers, 0.0) * w
    g_run, h_run = segmented_cumsum(g, counts), segmented_cumsum(h, counts)
    g_total = np.zeros(counts.size)
    h_total = np.zeros(counts.size)
    g_total[qe[q_last]], h_total[qe[q_last]] = g_run[q_last], h_run[q_last]

    # Integrals up to each forecast's time, back in pair order; a forecast stands until the
    # next one in its pair (the following row) or the question's end.
    g_at = np.empty(q.size)
    h_at = np.empty(q.size)
    g_at[ev] = g_run - g
    h_at[ev] = h_run - h
    g_to = _next_in_pair(g_at, pair_start, g_total[last_q])
    h_to = _next_in_pair(h_at, pair_start, h_total[last_q])
    share = log_p * (g_to - g_at) - (h_to - h_at)
    peer = 100.0 * np.add.reduceat(share, pair_start)
    undefined = ~valid[pair_q]
    return TimeAveraged(np.where(undefined, np.nan, base), np.where(undefined, np.nan, peer))


def _settle_ties(ev: IntArray, qe: IntArray, time: IntArray) -> None:
    """Put forecasts made in the same second on the same question in pair order, in place.

    A time ranking breaks such ties by input row, and the running sums over events add in
    event order, so without this the last bits of a peer score could depend on the order the
    rows arrived in. Pair order (``ev`` itself) does not.
    """
    t = time[ev]
    tied = np.flatnonzero((qe[1:] == qe[:-1]) & (t[1:] == t[:-1]))
    if tied.size:
        at = with_next(tied)
        ev[at] = ev[at][np.lexsort((ev[at], t[at], qe[at]))]
