"""Numeric and date questions: the range, the 201-point CDF and the rules it obeys (DESIGN §3).

A forecast is Metaculus's representation (questions/models.py, ``Forecast.continuous_cdf``):
the CDF at 201 evenly spaced *positions* 0, 1/200, …, 1 across the range, with
cdf[0] = P(X < lower) and cdf[200] = P(X ≤ upper). So cdf[0] is the mass below an open lower
bound, 1 − cdf[200] the mass above an open upper one, and the 202-entry PMF is
[cdf[0], the 200 in-range bins, 1 − cdf[200]] (``Forecast.get_pmf``). A position is linear in
the value, or in its logarithm on a log scale (Metaculus's ``zero_point`` at 0, i.e. geometric
spacing). Dates are plain numbers here: pass epoch days (`epoch_days`) or seconds, and CRPS
comes out in that unit.

All functions take one CDF (201 values) or a matrix of them (one forecast per row).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: In-range bins and CDF points (questions/models.py: DEFAULT_INBOUND_OUTCOME_COUNT = 200).
N_BINS = 200
N_POINTS = N_BINS + 1
#: Every in-range bin holds at least this much: 1 % of the probability spread uniformly
#: (serializers/common.py ``continuous_validation``: steps ≥ 0.01 / 200; scores FAQ: "all pdfs
#: have a uniform distribution of height 0.01 added to them"). A PDF of at least 0.01.
UNIFORM_SHARE = 0.01
MIN_STEP = UNIFORM_SHARE / N_BINS
#: No bin holds more than this (same validation: steps ≤ 0.2), a PDF of at most 40.
MAX_STEP = 0.2
#: An open bound keeps at least this much beyond it (cdf[0] ≥ 0.001, cdf[200] ≤ 0.999).
MIN_OUTSIDE = 0.001
#: Metaculus rounds a submitted CDF to 10 decimals and its steps to 9 before checking them.
CDF_DECIMALS = 10
STEP_DECIMALS = 9
#: Tolerance of the bucket rule (utils/the_math/formulas.py ``unscaled_location_to_bucket_index``).
BUCKET_EPS = 1e-10

#: The baseline's mass beyond each open bound (scores FAQ "continuous Baseline score";
#: scoring/score_math.py ``evaluate_forecasts_baseline_accuracy``).
BASELINE_OUTSIDE = 0.05

BELOW = "below"
ABOVE = "above"

Scale = Literal["linear", "log"]
_Rule = tuple[npt.NDArray[np.bool_], int | None, Callable[[FloatArray, FloatArray, int], str]]


def epoch_days(when: str | datetime) -> float:
    """An ISO date or time as days since 1970-01-01 UTC; naive times are read as UTC."""
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() / 86_400


@dataclass(frozen=True)
class ContinuousRange:
    """A numeric or date question's range: bounds, which of them are open, and the scale."""

    lower: float
    upper: float
    open_lower: bool = False
    open_upper: bool = False
    scale: Scale = "linear"

    def __post_init__(self) -> None:
        if self.scale not in ("linear", "log"):
            raise ValueError(f"scale must be 'linear' or 'log', not {self.scale!r}")
        if not (math.isfinite(self.lower) and math.isfinite(self.upper)):
            raise ValueError("the range bounds must be finite numbers")
        if self.lower >= self.upper:
            raise ValueError(f"need lower < upper, got {self.lower:g} and {self.upper:g}")
        if self.scale == "log" and self.lower <= 0:
            raise ValueError(f"a log scale needs a positive lower bound, not {self.lower:g}")

    @property
    def open_bounds(self) -> int:
        return int(self.open_lower) + int(self.open_upper)

    @cached_property
    def grid(self) -> FloatArray:
        """The values at the 201 CDF points (geometric on a log scale), bounds exact."""
        x = self.value(np.linspace(0.0, 1.0, N_POINTS))
        x[0], x[-1] = self.lower, self.upper
        x.setflags(write=False)  # shared by every caller of this range
        return x

    def position(self, values: npt.ArrayLike) -> FloatArray:
        """Where values sit on the range: 0 at the lower bound, 1 at the upper, extrapolated
        beyond (−inf for a value ≤ 0 on a log scale)."""
        x = np.asarray(values, dtype=np.float64)
        if self.scale == "linear":
            return (x - self.lower) / (self.upper - self.lower)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.log(x / self.lower) / math.log(self.upper / self.lower)
        return np.where(x > 0, u, -np.inf)

    def value(self, positions: npt.ArrayLike) -> FloatArray:
        """The inverse of `position`."""
        u = np.asarray(positions, dtype=np.float64)
        if self.scale == "linear":
            return self.lower + u * (self.upper - self.lower)
        return self.lower * (self.upper / self.lower) ** u


def _outcome_values(outcome: npt.ArrayLike | str) -> FloatArray:
    """Numbers as given; "below" / "above" (or ±inf) for a resolution outside the range."""
    named = {BELOW: -np.inf, ABOVE: np.inf}
    if isinstance(outcome, str):
        if outcome not in named:
            raise ValueError(f"an outcome is a number, {BELOW!r} or {ABOVE!r}, not {outcome!r}")
        return np.array(named[outcome])
    raw = np.asarray(outcome)
    if raw.dtype.kind in "OUS":  # a mixed list: numpy made every entry a string
        mixed = np.asarray(outcome, dtype=object)
        return np.array([_outcome_values(v) for v in mixed.ravel()]).reshape(mixed.shape)
    values = raw.astype(np.float64)
    if np.isnan(values).any():
        raise ValueError("an outcome must be a number, not NaN")
    return values


def outcome_positions(rng: ContinuousRange, outcome: npt.ArrayLike | str) -> FloatArray:
    """Positions of resolutions (a number, "below", "above", or an array of them).

    A closed bound cannot be passed: Metaculus resolves such a question at the bound, so a
    value beyond it (or "below"/"above" there) is an error, not a silent clamp.
    """
    u = rng.position(_outcome_values(outcome))
    for side, beyond, is_open, bound in (
        ("lower", u < 0, rng.open_lower, rng.lower),
        ("upper", u > 1, rng.open_upper, rng.upper),
    ):
        if not is_open and beyond.any():
            first = "" if u.ndim == 0 else f"outcome {int(np.argmax(beyond))}: "
            raise ValueError(
                f"{first}the {side} bound {bound:g} is closed: a resolution beyond it is "
                f"impossible (resolve at the bound instead)"
            )
    return u


def outcome_bucket(positions: npt.ArrayLike) -> IntArray:
    """Index into the 202-entry PMF: 0 strictly below the range, 1..200 the in-range bins
    (right-closed, the lower bound itself in bin 1), 201 strictly above
    (formulas.py ``unscaled_location_to_bucket_index``)."""
    u = np.asarray(positions, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = np.clip(np.ceil(u * N_BINS - BUCKET_EPS), 1, N_BINS)
    return np.where(u < 0, 0, np.where(u > 1, N_BINS + 1, inside)).astype(np.int64)


def pmf(cdf: npt.ArrayLike) -> FloatArray:
    """The 202-entry PMF of each CDF: mass below, the 200 bins, mass above."""
    f = np.asarray(cdf, dtype=np.float64)
    zeros = np.zeros((*f.shape[:-1], 1))
    return np.diff(np.concatenate([zeros, f, zeros + 1.0], axis=-1), axis=-1)


class CdfError(ValueError):
    """A CDF broke a rule; ``row`` is the offending forecast (None for a single CDF) and
    ``index`` the CDF point at fault (None when the whole vector is)."""

    def __init__(self, message: str, row: int | None = None, index: int | None = None):
        super().__init__(message)
        self.row = row
        self.index = index


def _checks(rng: ContinuousRange, f: FloatArray, steps: FloatArray) -> list[_Rule]:
    """Every rule as (mask over rows × points or steps, fixed index or None, message), in the
    order problems are reported; a message is built from (row values, row steps, index)."""
    low, high, last = f"{rng.lower:g}", f"{rng.upper:g}", N_BINS
    rules: list[_Rule] = [
        (~np.isfinite(f), None, lambda v, s, i: f"cdf[{i}] is {v[i]}, not a number"),
        ((f < 0) | (f > 1), None, lambda v, s, i: f"cdf[{i}] = {v[i]:g} is outside [0, 1]"),
        (steps < 0, None, lambda v, s, i: (
            f"cdf[{i + 1}] = {v[i + 1]:g} is below cdf[{i}] = {v[i]:g}: a CDF never decreases"
        )),
        (steps < round(MIN_STEP, STEP_DECIMALS), None, lambda v, s, i: (
            f"cdf rises by only {s[i]:.3g} from cdf[{i}] to cdf[{i + 1}]; every bin needs at "
            f"least {MIN_STEP:g} (the 1% of probability spread uniformly over the range)"
        )),
        (steps > MAX_STEP, None, lambda v, s, i: (
            f"cdf rises by {s[i]:.3g} from cdf[{i}] to cdf[{i + 1}]; no bin may hold more "
            f"than {MAX_STEP:g}"
        )),
    ]  # fmt: skip
    first, end = f[:, 0], f[:, -1]
    if rng.open_lower:
        rules.append((first < MIN_OUTSIDE, 0, lambda v, s, i: (
            f"cdf[0] = {v[0]:g}, but the lower bound is open: at least {MIN_OUTSIDE:g} must "
            f"lie below {low}"
        )))  # fmt: skip
    else:
        rules.append((first != 0, 0, lambda v, s, i: (
            f"cdf[0] = {v[0]:g}, but the lower bound is closed: it must be 0 (nothing can "
            f"resolve below {low})"
        )))  # fmt: skip
    if rng.open_upper:
        rules.append((end > 1 - MIN_OUTSIDE, last, lambda v, s, i: (
            f"cdf[{last}] = {v[last]:g}, but the upper bound is open: at least "
            f"{MIN_OUTSIDE:g} must lie above {high}"
        )))  # fmt: skip
    else:
        rules.append((end != 1, last, lambda v, s, i: (
            f"cdf[{last}] = {v[last]:g}, but the upper bound is closed: it must be 1 "
            f"(nothing can resolve above {high})"
        )))  # fmt: skip
    return rules


def validate_cdf(rng: ContinuousRange, cdf: npt.ArrayLike) -> FloatArray:
    """The CDF(s) rounded to 10 decimals, as Metaculus stores them, or `CdfError` naming the
    first offending forecast, the point and the rule (201 values, numbers in [0, 1],
    non-decreasing, each bin between MIN_STEP and MAX_STEP, cdf[0] = 0 at a closed lower bound
    and ≥ MIN_OUTSIDE at an open one, cdf[200] = 1 closed and ≤ 1 − MIN_OUTSIDE open)."""
    try:
        given = np.asarray(cdf)
    except ValueError:  # ragged rows
        given = np.asarray([None])
    if given.dtype.kind not in "fiu":  # strings, None, booleans, mixed rows
        raise CdfError(f"a CDF must be a list of {N_POINTS} numbers")
    raw = given.astype(np.float64)
    if raw.ndim not in (1, 2) or raw.shape[-1] != N_POINTS:
        got = "a single number" if raw.ndim == 0 else f"shape {raw.shape}"
        if raw.ndim == 1:
            got = f"{raw.shape[0]}"
        raise CdfError(f"a CDF needs {N_POINTS} values (one row each for many), got {got}")
    matrix = raw.ndim == 2
    f = np.round(np.atleast_2d(raw), CDF_DECIMALS)
    with np.errstate(invalid="ignore"):
        steps = np.round(np.diff(f, axis=1), STEP_DECIMALS)
        rules = _checks(rng, f, steps)
        bad = np.zeros(f.shape[0], dtype=bool)
        for mask, at, _ in rules:
            bad |= mask if at is not None else mask.any(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        for mask, at, message in rules:
            if mask[row].any():
                index = at if at is not None else int(np.argmax(mask[row]))
                text = message(f[row], steps[row], index)
                if matrix:
                    raise CdfError(f"forecast {row}: {text}", row, index)
                raise CdfError(text, None, index)
    return f if matrix else f[0]


def _cap_bins(bins: FloatArray, total: FloatArray) -> FloatArray:
    """Lower the bins above MAX_STEP to it and scale the others up by the one factor that
    keeps each row's total (water-filling: the k largest bins capped, k as small as fits)."""
    if not (bins > MAX_STEP).any():
        return bins
    top = -np.sort(-bins, axis=1)
    taken = np.cumsum(top, axis=1) - top  # mass of the k largest, k = 0..199
    k = np.arange(bins.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = (total[:, None] - k * MAX_STEP) / (bins.sum(axis=1)[:, None] - taken)
    fits = factor * top <= MAX_STEP * (1 + 1e-12)
    chosen = factor[np.arange(bins.shape[0]), np.argmax(fits, axis=1)]
    return np.minimum(MAX_STEP, chosen[:, None] * bins)


def conform_cdf(rng: ContinuousRange, cdf: npt.ArrayLike) -> FloatArray:
    """Turn any non-decreasing CDF on the grid into one `validate_cdf` accepts, the way
    Metaculus's forecast maker does (front_end utils/forecasts/dataset.ts ``standardizeCdf``):

    1. a closed side is truncated (the CDF rescaled so no mass lies beyond it);
    2. 1 % of the probability is spread uniformly over the range and MIN_OUTSIDE is put beyond
       each open bound: F' = (0.99 − 0.001·open bounds)·F + 0.01·position + 0.001·[open lower];
    3. bins above MAX_STEP are capped and the rest scaled up to keep the in-range mass.
    """
    f = np.array(cdf, dtype=np.float64, ndmin=2)
    if f.shape[1] != N_POINTS or not np.isfinite(f).all():
        raise ValueError(f"need finite CDF values at the {N_POINTS} points")
    f = np.maximum.accumulate(np.clip(f, 0.0, 1.0), axis=1)
    lo = f[:, :1] if not rng.open_lower else np.zeros((f.shape[0], 1))
    hi = f[:, -1:] if not rng.open_upper else np.ones((f.shape[0], 1))
    if np.any(hi - lo <= 1e-12):
        raise ValueError("the distribution puts no probability inside the range")
    f = (f - lo) / (hi - lo)
    keep = 1.0 - UNIFORM_SHARE - MIN_OUTSIDE * rng.open_bounds
    u = np.linspace(0.0, 1.0, N_POINTS)
    f = keep * f + UNIFORM_SHARE * u + MIN_OUTSIDE * rng.open_lower
    bins = _cap_bins(np.diff(f, axis=1), f[:, -1] - f[:, 0])
    f = np.concatenate([f[:, :1], f[:, :1] + np.cumsum(bins, axis=1)], axis=1)
    if not rng.open_upper:
        f[:, -1] = 1.0
    f = np.minimum(f, 1.0)
    return f if np.ndim(cdf) == 2 else f[0]


def uniform_cdf(rng: ContinuousRange) -> FloatArray:
    """Metaculus's baseline forecast: 5 % beyond each open bound, the rest uniform in range
    (scores FAQ, "continuous Baseline score")."""
    below = BASELINE_OUTSIDE * rng.open_lower
    inside = 1.0 - BASELINE_OUTSIDE * rng.open_bounds
    return below + inside * np.linspace(0.0, 1.0, N_POINTS)
