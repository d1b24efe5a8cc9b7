"""Charts of numeric and date forecasts: the density (PDF) and the cumulative curve (CDF) of one
or more 201-point CDFs over the question's range, as Metaculus draws them.

The density is per position unit (the uniform forecast is 1), so a log-scale or a date question
reads the same way as a linear one. Dates are drawn on a time axis.
"""

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import altair as alt
import pandas as pd

from tracker.quantities import format_value
from tracker.schemas import QuestionRead
from tracker.scoring.continuous_build import pdf_bins, summary

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Series colours: the draft in blue, the standing forecast grey, the team orange.
COLOURS = {"Your draft": "#1f6feb", "Your forecast": "#6e7781", "Team": "#d9730d"}


def value_text(question: QuestionRead, value: float) -> str:
    """A value on a page: dates to the day (a quantile rarely falls on midnight)."""
    assert question.range is not None
    if question.type == "date" and math.isfinite(value):
        value = float(round(value))
    return format_value(question.type, value, question.range.unit)


def in_words(question: QuestionRead, cdf: Sequence[float]) -> str:
    """'median 75 USD/bbl, 80 % interval 62 USD/bbl – 95 USD/bbl' (quantities.
    distribution_words, with dates to the day)."""
    assert question.range is not None
    said = summary(question.range.scoring_range(), cdf)
    low, mid, high = (value_text(question, x) for x in (said.low, said.median, said.high))
    return f"median {mid}, 80 % interval {low} – {high}"


def _x(question: QuestionRead, values: Sequence[float]) -> list:  # type: ignore[type-arg]
    if question.type == "date":
        return [_EPOCH + timedelta(days=float(v)) for v in values]
    return [float(v) for v in values]


def _x_encoding(question: QuestionRead) -> alt.X:
    assert question.range is not None
    unit = question.range.unit
    if question.type == "date":
        return alt.X("x:T", title=None)
    scale = alt.Scale(type="log") if question.range.scale == "log" else alt.Scale(zero=False)
    return alt.X("x:Q", title=unit or None, scale=scale)


def _colour(names: Sequence[str]) -> alt.Color:
    palette = [COLOURS.get(n, "#8250df") for n in names]
    return alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=list(names), range=palette),
        legend=alt.Legend(orient="top"),
    )


def pdf_frame(question: QuestionRead, cdfs: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    assert question.range is not None
    rng = question.range.scoring_range()
    parts = []
    for name, cdf in cdfs.items():
        bins = pdf_bins(rng, cdf)
        parts.append(
            pd.DataFrame({"x": _x(question, bins.centres), "density": bins.density, "series": name})
        )
    return pd.concat(parts, ignore_index=True)


def cdf_frame(question: QuestionRead, cdfs: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    assert question.range is not None
    grid = question.range.scoring_range().grid
    parts = [
        pd.DataFrame({"x": _x(question, grid), "p": [float(p) for p in cdf], "series": name})
        for name, cdf in cdfs.items()
    ]
    return pd.concat(parts, ignore_index=True)


def _outcome_rule(question: QuestionRead, outcome: float | None) -> alt.Chart | None:
    if outcome is None:
        return None
    data = pd.DataFrame({"x": _x(question, [outcome])})
    return (
        alt.Chart(data)
        .mark_rule(color="#1a7f37", strokeWidth=2, strokeDash=[4, 3])
        .encode(x=_x_encoding(question), tooltip=[alt.Tooltip("x", title="Outcome")])
    )


def pdf_chart(
    question: QuestionRead,
    cdfs: Mapping[str, Sequence[float]],
    outcome: float | None = None,
    height: int = 260,
) -> alt.LayerChart:
    """The densities of the named CDFs, one area or line each (the first filled)."""
    frame = pdf_frame(question, cdfs)
    names = list(cdfs)
    base = alt.Chart(frame).encode(
        x=_x_encoding(question),
        y=alt.Y("density:Q", title="density (uniform = 1)", axis=alt.Axis(tickCount=3)),
        color=_colour(names),
        tooltip=[
            alt.Tooltip("series:N", title="Forecast"),
            alt.Tooltip("x", title="Value"),
            alt.Tooltip("density:Q", format=".2f"),
        ],
    )
    first = base.transform_filter(alt.datum.series == names[0]).mark_area(opacity=0.35)
    lines = base.mark_line(strokeWidth=2)
    layers = [first, lines]
    rule = _outcome_rule(question, outcome)
    if rule is not None:
        layers.append(rule)
    return alt.layer(*layers).properties(height=height)


def cdf_chart(
    question: QuestionRead,
    cdfs: Mapping[str, Sequence[float]],
    outcome: float | None = None,
    height: int = 220,
) -> alt.LayerChart:
    """The cumulative probabilities of the named CDFs (the masses beyond open bounds show as
    the curve's start above 0 and end below 1)."""
    frame = cdf_frame(question, cdfs)
    line = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=_x_encoding(question),
            y=alt.Y(
                "p:Q",
                title="P(below)",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", tickCount=3),
            ),
            color=_colour(list(cdfs)),
            tooltip=[
                alt.Tooltip("series:N", title="Forecast"),
                alt.Tooltip("x", title="Value"),
                alt.Tooltip("p:Q", format=".1%", title="P(below)"),
            ],
        )
    )
    rule = _outcome_rule(question, outcome)
    layers = [line] if rule is None else [line, rule]
    return alt.layer(*layers).properties(height=height)
