"""Numeric and date questions of a score document (DESIGN §4): their range, resolution and the
forecasts' 201-point CDFs, checked row by row with messages naming the row.

Dates are read as days since 1970-01-01 UTC (`continuous.epoch_days`), so a date question's
CRPS comes out in days. Only numpy and the engine's `continuous` module: no pydantic here.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tracker.scoring.continuous import (
    ABOVE,
    BELOW,
    N_POINTS,
    ContinuousRange,
    epoch_days,
    outcome_positions,
    validate_cdf,
)

CONTINUOUS_TYPES = ("numeric", "date")


class ContinuousDocumentError(ValueError):
    """Raised with the row's name; `document.DocumentError` re-raises it as its own."""


@dataclass
class ContinuousQuestion:
    """A numeric or date question: its range and outcome (a number, ±inf beyond an open
    bound, None unresolved, or annulled)."""

    position: int
    range: ContinuousRange
    outcome: float | str | None
    annulled: bool


@dataclass
class ContinuousForecasts:
    """The forecasts on numeric and date questions, one row each (any order)."""

    question: list[int] = field(default_factory=list)  # the question's position in the file
    user: list[str] = field(default_factory=list)
    time: list[int] = field(default_factory=list)
    cdf: list[npt.NDArray[np.float64]] = field(default_factory=list)


def _value(kind: str, raw: Any, what: str) -> float:
    if kind == "date":
        if not isinstance(raw, str):
            raise ContinuousDocumentError(f"{what} must be an ISO date, got {raw!r}")
        try:
            return epoch_days(raw.strip())
        except ValueError:
            raise ContinuousDocumentError(f"{what}: {raw!r} is not an ISO date") from None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ContinuousDocumentError(f"{what} must be a finite number, got {raw!r}")
    return float(raw)


def continuous_question(question: Mapping[str, Any], position: int) -> ContinuousQuestion:
    """The range and resolution of a numeric or date question, or an error saying what is
    wrong (the caller prefixes the question's name)."""
    kind = question["type"]
    bounds = question.get("range")
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise ContinuousDocumentError("range must be [lower, upper]")
    lower, upper = (
        _value(kind, b, f"the {n} bound") for b, n in zip(bounds, ("lower", "upper"), strict=True)
    )
    flags = {}
    for name in ("open_lower", "open_upper"):
        flag = question.get(name, False)
        if not isinstance(flag, bool):
            raise ContinuousDocumentError(f"{name} must be true or false, got {flag!r}")
        flags[name] = flag
    scale = question.get("scale", "linear")
    if kind == "date" and scale != "linear":
        raise ContinuousDocumentError("a date question has a linear scale")
    try:
        rng = ContinuousRange(lower, upper, flags["open_lower"], flags["open_upper"], scale)
    except ValueError as exc:
        raise ContinuousDocumentError(str(exc)) from None
    resolution = question.get("resolution")
    if resolution is None:
        return ContinuousQuestion(position, rng, None, False)
    if resolution == "annulled":
        return ContinuousQuestion(position, rng, None, True)
    if resolution in (BELOW, ABOVE):
        outcome: float | str = resolution
    else:
        outcome = _value(kind, resolution, "resolution")
    try:
        outcome_positions(rng, outcome)  # beyond a closed bound is an error
    except ValueError as exc:
        raise ContinuousDocumentError(f"resolution {resolution!r}: {exc}") from None
    return ContinuousQuestion(position, rng, outcome, False)


def checked_cdf(rng: ContinuousRange, forecast: Mapping[str, Any]) -> npt.NDArray[np.float64]:
    """A forecast's CDF as `validate_cdf` keeps it, or an error saying which rule it breaks."""
    cdf = forecast.get("cdf")
    if not isinstance(cdf, list) or len(cdf) != N_POINTS:
        raise ContinuousDocumentError(f"needs a cdf of {N_POINTS} numbers")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in cdf):
        raise ContinuousDocumentError(f"needs a cdf of {N_POINTS} numbers")
    try:
        return np.asarray(validate_cdf(rng, cdf), dtype=np.float64)
    except ValueError as exc:
        raise ContinuousDocumentError(str(exc)) from None


@dataclass
class ContinuousInput:
    """The numeric and date questions of a document (in file order) and their forecasts."""

    question_ids: list[str]
    questions: list[ContinuousQuestion]
    open_time: list[int]
    close_time: list[int]
    resolved_time: list[int]
    forecasts: ContinuousForecasts
