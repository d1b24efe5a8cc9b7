"""Values of numeric and date questions as people write them and as the maths reads them.

A date question's values are days since 1970-01-01 UTC inside the app (the scoring maths
wants numbers) and ISO dates everywhere a person or a file sees them. Resolutions are stored
as text: a number, an ISO date, or "below"/"above" an open bound.
"""

import math
from datetime import UTC, datetime, timedelta

from tracker.schemas import ComponentSpec, ContinuousSpec, QuestionRead, _epoch_days

BELOW, ABOVE = "below", "above"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_value(kind: str, raw: object) -> float:
    """A number (numeric) or an ISO date (date) as the float the maths uses."""
    if kind == "date":
        return _epoch_days(raw)
    if isinstance(raw, str):
        try:
            raw = float(raw.replace(",", "").strip())
        except ValueError:
            raise ValueError(f"{raw[:40]!r} is not a number") from None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValueError(f"{raw!r} is not a finite number")
    return float(raw)


def iso_date(days: float) -> str:
    """Days since 1970 as an ISO date (with the time when it is not midnight)."""
    moment = _EPOCH + timedelta(days=days)
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def format_value(kind: str, value: float, unit: str = "") -> str:
    """How a value reads on a page: dates as ISO dates, numbers to 4 significant figures."""
    if math.isinf(value):
        return "below the range" if value < 0 else "above the range"
    if kind == "date":
        return iso_date(value)
    text = f"{value:,.4g}" if abs(value) < 1e15 else f"{value:.4g}"
    if "e" not in text and "." not in text and abs(value) >= 1e4:
        text = f"{value:,.0f}"
    return f"{text} {unit}".strip()


def resolution_text(kind: str, spec: ContinuousSpec, raw: object) -> str:
    """The stored resolution of a numeric or date question, checked against its range:
    beyond a closed bound is an error (the question resolves at the bound), beyond an open
    one is kept as the value, "below" or "above"."""
    if isinstance(raw, str) and raw.strip().lower() in (BELOW, ABOVE):
        side = raw.strip().lower()
        if not (spec.open_lower if side == BELOW else spec.open_upper):
            bound = "lower" if side == BELOW else "upper"
            raise ValueError(f"the {bound} bound is closed: resolve at the bound, not '{side}'")
        return side
    value = parse_value(kind, raw)
    lower, upper = float(spec.lower), float(spec.upper)
    if value < lower and not spec.open_lower:
        raise ValueError(
            f"{format_value(kind, value)} is below the closed lower bound "
            f"{format_value(kind, lower)}"
        )
    if value > upper and not spec.open_upper:
        raise ValueError(
            f"{format_value(kind, value)} is above the closed upper bound "
            f"{format_value(kind, upper)}"
        )
    if spec.scale == "log" and value <= 0:
        raise ValueError("a log-scale question resolves to a positive number")
    return iso_date(value) if kind == "date" else repr(value)


def outcome_value(kind: str, text: str) -> float | str:
    """A stored resolution as the maths reads it: a float, or "below"/"above"."""
    if text in (BELOW, ABOVE):
        return text
    return parse_value(kind, text)


def forecast_cdf(
    kind: str,
    spec: ContinuousSpec,
    *,
    cdf: list[float] | None = None,
    percentiles: dict[float, float | str] | None = None,
    components: list[ComponentSpec] | None = None,
) -> list[float]:
    """A numeric or date forecast as its checked 201-point CDF, from exactly one of: the CDF
    itself, percentile handles {10: 62, 50: 75, 90: 95}, or one to three components."""
    from tracker.scoring.continuous import validate_cdf
    from tracker.scoring.continuous_build import (
        Component,
        cdf_from_components,
        cdf_from_percentiles,
    )

    given = [x for x in (cdf, percentiles, components) if x]
    if len(given) != 1:
        raise ValueError(
            f"a {kind} forecast is a distribution: give one of a CDF, percentiles or components"
        )
    rng = spec.scoring_range()
    if cdf:
        built = validate_cdf(rng, cdf)
    elif percentiles:
        handles = {float(level): parse_value(kind, value) for level, value in percentiles.items()}
        built = cdf_from_percentiles(rng, handles)
    else:
        assert components is not None
        parts = [Component(parse_value(kind, c.centre), c.spread, c.weight) for c in components]
        built = cdf_from_components(rng, parts)
    return [float(x) for x in validate_cdf(rng, built)]


def parse_percentiles(text: str) -> dict[float, str]:
    """ "10=62,50=75,90=95" (the CLI's form) as {10.0: "62", ...}; values are parsed later,
    by the question's type."""
    handles: dict[float, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        level, sep, value = part.partition("=")
        if not sep or not value.strip():
            raise ValueError(f"{part[:40]!r}: write each handle as LEVEL=VALUE, e.g. 50=75")
        try:
            key = float(level.strip().rstrip("%"))
        except ValueError:
            raise ValueError(f"{level[:20]!r} is not a percentile level") from None
        if key in handles:
            raise ValueError(f"the {key:g}th percentile is given twice")
        handles[key] = value.strip()
    if not handles:
        raise ValueError("no percentiles given (e.g. 10=62,50=75,90=95)")
    return handles


def distribution_words(question: QuestionRead, cdf: list[float]) -> str:
    """ "median 75 USD/bbl, 80 % interval 62 – 95 USD/bbl" for a numeric or date forecast."""
    from tracker.scoring.continuous_build import summary

    assert question.range is not None
    said = summary(question.range.scoring_range(), cdf)
    unit = question.range.unit

    def show(x: float) -> str:  # a date's percentile reads to the day, not to the second
        return format_value(
            question.type, round(x) if question.type == "date" and math.isfinite(x) else x, unit
        )

    return f"median {show(said.median)}, 80 % interval {show(said.low)} – {show(said.high)}"
