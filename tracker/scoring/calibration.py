"""Calibration of binary forecasts and the decomposition of their Brier score.

Scale: here the Brier score is the 0..1 binary one, mean (p − o)², which is what the Murphy
decomposition decomposes (half the 0..2 score of `rules.brier` for a binary question).
A binary question is one event, P(Yes) against "Yes happened" (`yes_events`): counting P(No)
too would mirror every point and change the decomposition. `binary_events` turns multi-option
forecasts into one-vs-rest events, one per option, which the UI labels as such.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

N_BINS = 10


@dataclass(frozen=True)
class Calibration:
    """Per bin (lower, upper]: mean forecast, observed frequency (NaN when empty), count."""

    edges: FloatArray
    mean_forecast: FloatArray
    observed_frequency: FloatArray
    count: IntArray

    def nonempty(self) -> tuple[FloatArray, FloatArray]:
        """(observed frequency, mean forecast) of the non-empty bins: sklearn's
        ``calibration_curve`` return value (prob_true, prob_pred)."""
        keep = self.count > 0
        return self.observed_frequency[keep], self.mean_forecast[keep]


def _bins(p: FloatArray, n_bins: int) -> tuple[FloatArray, IntArray]:
    """Uniform edges and each forecast's bin, right-closed exactly as sklearn bins them."""
    if p.size and (np.nanmin(p) < 0 or np.nanmax(p) > 1):
        raise ValueError("forecasts must be probabilities in [0, 1]")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return edges, np.searchsorted(edges[1:-1], p).astype(np.int64)


def _binary(forecasts: npt.ArrayLike, outcomes: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    p = np.asarray(forecasts, dtype=np.float64).ravel()
    o = np.asarray(outcomes, dtype=np.float64).ravel()
    if p.shape != o.shape:
        raise ValueError("need one outcome per forecast")
    if not np.all((o == 0) | (o == 1)):
        raise ValueError("outcomes must be 0 or 1")
    return p, o


def calibration_curve(
    forecasts: npt.ArrayLike, outcomes: npt.ArrayLike, n_bins: int = N_BINS
) -> Calibration:
    """Reliability table: do events forecast at ~p happen about p of the time?"""
    p, o = _binary(forecasts, outcomes)
    edges, bin_of = _bins(p, n_bins)
    count = np.bincount(bin_of, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(bin_of, weights=p, minlength=n_bins) / count
        freq = np.bincount(bin_of, weights=o, minlength=n_bins) / count
    return Calibration(edges, mean_p, freq, count)


@dataclass(frozen=True)
class BrierDecomposition:
    """brier = reliability − resolution + uncertainty + within_bin_variance
    − within_bin_covariance, exactly (Stephenson, Coelho & Jolliffe 2008).

    Murphy's three terms alone are exact only when every forecast in a bin is identical; the
    two within-bin terms account for binning distinct forecasts together.
    """

    brier: float
    reliability: float  # calibration error: weighted (mean forecast − frequency)² per bin
    resolution: float  # how far bin frequencies move from the base rate (higher is better)
    uncertainty: float  # base rate × (1 − base rate): what no forecaster can remove
    within_bin_variance: float
    within_bin_covariance: float

    @property
    def total(self) -> float:
        return (
            self.reliability - self.resolution + self.uncertainty
            + self.within_bin_variance - self.within_bin_covariance
        )  # fmt: skip


def brier_decomposition(
    forecasts: npt.ArrayLike, outcomes: npt.ArrayLike, n_bins: int = N_BINS
) -> BrierDecomposition:
    """Decompose the 0..1 binary Brier score of ``forecasts`` against 0/1 ``outcomes``."""
    p, o = _binary(forecasts, outcomes)
    n = p.size
    if n == 0:
        raise ValueError("need at least one forecast")
    _, bin_of = _bins(p, n_bins)
    count = np.bincount(bin_of, minlength=n_bins)
    used = count > 0
    f_bar = np.zeros(n_bins)
    o_bar = np.zeros(n_bins)
    f_bar[used] = np.bincount(bin_of, weights=p, minlength=n_bins)[used] / count[used]
    o_bar[used] = np.bincount(bin_of, weights=o, minlength=n_bins)[used] / count[used]
    base = o.mean()
    df = p - f_bar[bin_of]
    do = o - o_bar[bin_of]
    return BrierDecomposition(
        brier=float(np.mean((p - o) ** 2)),
        reliability=float(np.sum(count * (f_bar - o_bar) ** 2) / n),
        resolution=float(np.sum(count * (o_bar - base) ** 2) / n),
        uncertainty=float(base * (1.0 - base)),
        within_bin_variance=float(np.sum(df * df) / n),
        within_bin_covariance=float(2.0 * np.sum(do * df) / n),
    )


def yes_events(probs: npt.ArrayLike, outcome: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(P(Yes), Yes happened) per binary forecast; Yes is option 0, as questions store it."""
    p = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    happened = np.broadcast_to(np.asarray(outcome), (p.shape[0],)) == 0
    return p[:, 0].copy(), happened.astype(np.float64)


def binary_events(
    probs: npt.ArrayLike, outcome: npt.ArrayLike, n_options: npt.ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """One (forecast, happened) pair per option of each forecast: the usual way to put
    multi-option forecasts on a reliability diagram. Padding columns are skipped."""
    p = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    n, width = p.shape
    k = np.broadcast_to(np.asarray(width if n_options is None else n_options), (n,))
    live = np.arange(width) < k[:, None]
    happened = np.arange(width) == np.broadcast_to(np.asarray(outcome), (n,))[:, None]
    return p[live], happened[live].astype(np.float64)
