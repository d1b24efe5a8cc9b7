"""Scores of numeric and date forecasts against the resolution (DESIGN §3, §4).

Every function takes one CDF or a matrix of them (a forecast per row) on a `ContinuousRange`
and an outcome: a number, "below" or "above" (or one per row). It returns one score per row.

* `crps`: ∫ over the range of (F(x) − 1[x ≥ outcome])² dx in the question's units, F linear
  between the 201 points; lower is better, 0 is unreachable on a fixed grid. Only the range
  is integrated, because the CDF beyond an open bound is not known: mass out there counts
  through F at the bound, and an outcome below the range sets the indicator to 1 across it
  (above: 0). That is the threshold-weighted CRPS with weight 1 on the range, still proper.
* `log_score`: Metaculus's continuous log score ln pdf(outcome), the pdf read per position
  unit (the uniform forecast has pdf 1) as the mass of the outcome's bin × 200; beyond an open
  bound, ln of the mass beyond it ("scored like a binary question", scores FAQ). Floored at
  the validation minimums (pdf 0.01, mass 0.001), which a valid CDF always meets.
* `baseline_score`, `peer_score`: Metaculus's, divided by 2 (scores FAQ; score_math.py).
* `time_averaged`: both averaged over the question's scheduled life by the binary machinery.
* `pit`, `pit_histogram`: calibration on the probability integral transform.
"""

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tracker.scoring import timeline
from tracker.scoring.continuous import (
    BASELINE_OUTSIDE,
    MIN_OUTSIDE,
    MIN_STEP,
    N_BINS,
    ContinuousRange,
    outcome_bucket,
    outcome_positions,
)
from tracker.scoring.rules import peer_from_logs

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Outcome = npt.ArrayLike | str

#: Metaculus divides continuous baseline and peer scores by this (scores FAQ: "chosen
#: empirically to bring continuous and discrete scores roughly in line").
CONTINUOUS_DIVISOR = 2.0
#: Rows scored at once by `crps` (bounds the temporaries to a few MB).
_CHUNK = 2048


def _rows(rng: ContinuousRange, cdf: npt.ArrayLike, outcome: Outcome) -> tuple[FloatArray, ...]:
    f = np.atleast_2d(np.asarray(cdf, dtype=np.float64))
    u = np.broadcast_to(outcome_positions(rng, outcome), (f.shape[0],))
    return f, u


def _shaped(cdf: npt.ArrayLike, scores: FloatArray) -> FloatArray:
    return scores.reshape(np.shape(cdf)[:-1])


def _segment(rng: ContinuousRange, u: FloatArray) -> tuple[IntArray, FloatArray]:
    """Grid segment k holding each outcome (−1 below the range, 200 above) and the fraction
    t of the way along it, in the question's units."""
    grid = rng.grid
    inner = np.clip(np.floor(np.clip(u, 0, 1) * N_BINS), 0, N_BINS - 1).astype(np.int64)
    x = rng.value(np.clip(u, 0, 1))
    t = np.clip((x - grid[inner]) / (grid[inner + 1] - grid[inner]), 0.0, 1.0)
    k = np.where(u < 0, -1, np.where(u > 1, N_BINS, inner))
    return k, t


def _crps_rows(f: FloatArray, k: IntArray, t: FloatArray, h: FloatArray) -> FloatArray:
    """Exact integral of a piecewise-linear F against a step. On a segment of width h where F
    runs from a to b, ∫(F − 0)² = h(a² + ab + b²)/3 ("left" of the outcome) and ∫(F − 1)² is
    that plus h(1 − a − b) ("right"); the outcome's own segment k is split at the outcome.
    Σ_{i<k} left + Σ_{i>k} right = Σ right − Σ_{i<k} h(1 − a − b) − right_k, so the whole
    matrix is needed only for Σ left and one running sum."""
    a, b = f[:, :-1], f[:, 1:]
    s = a + b
    sum_left = ((s * s - a * b) @ h) / 3
    running = np.cumsum(s * h, axis=1)  # Σ_{i≤j} h(a + b)
    h_running = np.cumsum(h)
    sum_right = sum_left + h_running[-1] - running[:, -1]
    rows = np.arange(f.shape[0])
    before = np.clip(k - 1, 0, N_BINS - 1)
    prefix = np.where(k >= 1, running[rows, before] - h_running[before], 0.0)
    kk = np.clip(k, 0, N_BINS - 1)
    a_k, b_k, h_k = a[rows, kk], b[rows, kk], h[kk]
    right_k = h_k * ((a_k * a_k + a_k * b_k + b_k * b_k) / 3 + 1 - a_k - b_k)
    c = a_k + t * (b_k - a_k)
    split = h_k * (
        t * (a_k * a_k + a_k * c + c * c)
        + (1 - t) * ((1 - c) ** 2 + (1 - c) * (1 - b_k) + (1 - b_k) ** 2)
    ) / 3  # fmt: skip
    inside = (k >= 0) & (k < N_BINS)
    return sum_right + prefix + np.where(inside, split - right_k, 0.0)


def crps(rng: ContinuousRange, cdf: npt.ArrayLike, outcome: Outcome) -> FloatArray:
    """Continuous ranked probability score in the question's units (days for a date range
    given in epoch days); see the module docstring for the treatment of the bounds."""
    f, u = _rows(rng, cdf, outcome)
    k, t = _segment(rng, u)
    h = np.diff(rng.grid)
    out = np.empty(f.shape[0])
    for s in range(0, f.shape[0], _CHUNK):
        block = slice(s, s + _CHUNK)
        out[block] = _crps_rows(f[block], k[block], t[block], h)
    return _shaped(cdf, out)


def _outcome_mass(f: FloatArray, u: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The PMF entry of each row's outcome bucket, and whether that bucket is in range."""
    b = outcome_bucket(u)
    rows = np.arange(f.shape[0])
    upper = np.where(b > N_BINS, 1.0, f[rows, np.minimum(b, N_BINS)])
    lower = np.where(b == 0, 0.0, f[rows, np.maximum(b - 1, 0)])
    return upper - lower, (b >= 1) & (b <= N_BINS)


def _log_and_baseline(rng: ContinuousRange, f: FloatArray, u: FloatArray) -> tuple[FloatArray, ...]:
    mass, inside = _outcome_mass(f, u)
    log = np.where(
        inside,
        np.log(np.maximum(mass, MIN_STEP) * N_BINS),
        np.log(np.maximum(mass, MIN_OUTSIDE)),
    )
    # The uniform baseline's pdf in range (1 − 5 % per open bound) or its 5 % beyond a bound.
    base = np.where(
        inside, math.log(1 - BASELINE_OUTSIDE * rng.open_bounds), math.log(BASELINE_OUTSIDE)
    )
    return log, base


def log_score(rng: ContinuousRange, cdf: npt.ArrayLike, outcome: Outcome) -> FloatArray:
    """Metaculus's continuous log score ln pdf(outcome); higher is better, can exceed 0."""
    f, u = _rows(rng, cdf, outcome)
    return _shaped(cdf, _log_and_baseline(rng, f, u)[0])


def baseline_score(rng: ContinuousRange, cdf: npt.ArrayLike, outcome: Outcome) -> FloatArray:
    """Metaculus's continuous baseline score 100·(ln pdf − ln baseline)/2 against the uniform
    forecast (baseline pdf 1, 0.95 or 0.9 in range for 0, 1 or 2 open bounds; 0.05 mass
    beyond an open bound): 0 for the uniform forecast, −230 at the pdf floor of a closed
    question (scores FAQ, "continuous Baseline score"; score_math.py)."""
    f, u = _rows(rng, cdf, outcome)
    log, base = _log_and_baseline(rng, f, u)
    return _shaped(cdf, 100.0 * (log - base) / CONTINUOUS_DIVISOR)


def peer_score(rng: ContinuousRange, cdf: npt.ArrayLike, outcome: Outcome) -> FloatArray:
    """Peer scores of forecasts standing at the same moment: 100·(ln pdf − mean ln pdf of the
    others)/2 (scores FAQ, "continuous Peer score"); they sum to 0, a lone forecaster scores 0."""
    return peer_from_logs(log_score(rng, cdf, outcome)) / CONTINUOUS_DIVISOR


def time_averaged(
    q: IntArray,
    time: IntArray,
    log_scores: FloatArray,
    baselines: FloatArray,
    pair_start: IntArray,
    open_time: IntArray,
    end_time: IntArray,
    close_time: IntArray,
    time_rank: IntArray | None = None,
) -> timeline.TimeAveraged:
    """Continuous baseline and peer scores averaged over [open, scheduled close), 0 before the
    first forecast and after an early resolution, by `timeline.time_averaged` (same inputs:
    rows sorted by (question, user) pair then time). ``log_scores`` and ``baselines`` are
    the per-forecast `log_score` and `baseline_score` of this module. The peer score is
    linear in the logs, so halving them is Metaculus's halving of the continuous peer score;
    that is all this wrapper adds. To average binary and continuous questions in one call,
    give `timeline.time_averaged` the binary ln p as they are and the continuous log scores
    divided by CONTINUOUS_DIVISOR."""
    halved = np.asarray(log_scores, dtype=np.float64) / CONTINUOUS_DIVISOR
    return timeline.time_averaged(
        q, time, halved, baselines, pair_start, open_time, end_time, close_time, time_rank
    )


def pit(rng: ContinuousRange, cdf: npt.ArrayLike, outcome: Outcome) -> FloatArray:
    """Probability integral transform F(outcome) of each forecast, F linear in the units
    between points. An outcome beyond an open bound only tells that the PIT lies in
    [0, cdf[0]] (or [cdf[200], 1]): the midpoint of that interval is returned, the mean of
    the randomised PIT there, so a calibrated forecaster's values stay uniform on average."""
    f, u = _rows(rng, cdf, outcome)
    k, t = _segment(rng, u)
    rows = np.arange(f.shape[0])
    kk = np.clip(k, 0, N_BINS - 1)
    inside = f[rows, kk] + t * (f[rows, kk + 1] - f[rows, kk])
    values = np.where(k < 0, f[:, 0] / 2, np.where(k >= N_BINS, (1 + f[:, -1]) / 2, inside))
    return _shaped(cdf, values)


@dataclass(frozen=True)
class PitHistogram:
    """PIT values counted in uniform bins, right-closed like the calibration curve's; a
    calibrated forecaster's counts scatter around ``expected`` in every bin."""

    edges: FloatArray
    count: IntArray
    expected: float

    @property
    def frequency(self) -> FloatArray:
        """Each bin's share of the forecasts divided by the uniform share (1 = calibrated)."""
        return self.count / self.expected if self.expected else np.full(self.count.size, np.nan)


def pit_histogram(values: npt.ArrayLike, n_bins: int = 10) -> PitHistogram:
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size and (np.isnan(v).any() or v.min() < 0 or v.max() > 1):
        raise ValueError("PIT values are probabilities in [0, 1]")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    count = np.bincount(np.searchsorted(edges[1:-1], v), minlength=n_bins).astype(np.int64)
    return PitHistogram(edges, count, v.size / n_bins)
