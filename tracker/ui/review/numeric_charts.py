"""Altair charts of numeric and date questions on the Review page: each member's median and
80 % interval over time against the outcome, and a member's PIT histogram."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import altair as alt
import pandas as pd

from tracker.quantities import ABOVE, BELOW, outcome_value
from tracker.schemas import QuestionRead
from tracker.services.numeric_scores import TEAM_POOL, PathPoint, PitCalibration
from tracker.services.views import EvidenceArrival
from tracker.ui.widgets.charts import ME, chart_end, evidence_frame, time_axis, time_domain

TEAM = "Team pool"
ROLES, COLOURS = [ME, TEAM, "Member"], ["#1f6feb", "#d1242f", "#8c959f"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _shown(question: QuestionRead, value: float) -> object:
    """A value as the y axis reads it: a date question's days as a timestamp."""
    return _EPOCH + timedelta(days=value) if question.type == "date" else value


def _outcome(question: QuestionRead) -> tuple[float, str] | None:
    """Where the outcome line goes and its label ("below"/"above" at the bound)."""
    if question.resolution is None or question.range is None:
        return None
    value = outcome_value(question.type, question.resolution)
    rng = question.range.scoring_range()
    if value == BELOW:
        return rng.lower, "outcome: below the range"
    if value == ABOVE:
        return rng.upper, "outcome: above the range"
    assert isinstance(value, float)
    return value, "outcome"


def paths(
    question: QuestionRead,
    points: Sequence[PathPoint],
    evidence: Sequence[EvidenceArrival],
    me: str,
    now: datetime,
) -> alt.LayerChart | None:
    """Medians as step lines, 80 % intervals as bands, each carried to the question's end; the
    outcome as a solid rule (a median on it was right on)."""
    if not points:
        return None
    end = chart_end(question, now)
    rows, last = [], {}
    for p in points:
        rows.append((p.user, p.time, p.low, p.median, p.high))
        last[p.user] = p
    rows += [(u, end, p.low, p.median, p.high) for u, p in last.items() if end > p.time]
    frame = pd.DataFrame(rows, columns=["who", "time", "low", "median", "high"])
    for column in ("low", "median", "high"):
        frame[column] = [_shown(question, v) for v in frame[column]]
    frame["role"] = [TEAM if w == TEAM_POOL else ME if w == me else "Member" for w in frame["who"]]
    frame["band"] = frame["role"]
    frame["who"] = frame["who"].replace({TEAM_POOL: TEAM})
    kind = "T" if question.type == "date" else "Q"
    unit = question.range.unit if question.range else ""
    start, stop = time_domain(question, frame["time"].min(), end, now)
    x = alt.X("time:T", scale=alt.Scale(domain=[start, stop]), axis=time_axis(start, stop))
    colour = alt.Color(
        "role:N", title=None, scale=alt.Scale(domain=ROLES, range=COLOURS),
        legend=alt.Legend(orient="top"),
    )  # fmt: skip
    value_format = "%Y-%m-%d" if kind == "T" else ",.4~g"
    tooltip = [
        alt.Tooltip("who:N", title="Who"),
        alt.Tooltip("time:T", title="Time", format="%Y-%m-%d"),
        alt.Tooltip(f"median:{kind}", title="Median", format=value_format),
        alt.Tooltip(f"low:{kind}", title="10th percentile", format=value_format),
        alt.Tooltip(f"high:{kind}", title="90th percentile", format=value_format),
    ]
    base = alt.Chart(frame).encode(x=x, detail="who:N")
    axis = alt.Axis(format="%d %b %Y") if kind == "T" else alt.Axis()
    bands = base.mark_area(interpolate="step-after").encode(
        y=alt.Y(f"low:{kind}", title=None, scale=alt.Scale(zero=False), axis=axis),
        # its own field and scale without a legend, so the legend shows only the solid lines
        fill=alt.Fill("band:N", scale=alt.Scale(domain=ROLES, range=COLOURS), legend=None),
        y2="high",
        opacity=alt.Opacity(  # the pool's band is the widest: the faintest
            "band:N", scale=alt.Scale(domain=ROLES, range=[0.16, 0.06, 0.08]), legend=None
        ),
    )
    lines = base.mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=20)).encode(
        y=alt.Y(f"median:{kind}"),
        color=colour,
        strokeWidth=alt.StrokeWidth(
            "role:N", scale=alt.Scale(domain=ROLES, range=[3, 3, 1.3]), legend=None
        ),
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = [bands, lines]
    outcome = _outcome(question)
    if outcome is not None:
        mark = pd.DataFrame({"y": [_shown(question, outcome[0])], "label": [outcome[1]]})
        rule = alt.Chart(mark).encode(y=f"y:{kind}")
        layers.append(rule.mark_rule(color="#1a7f37", strokeWidth=2))
        layers.append(
            rule.mark_text(align="left", dx=4, dy=-7, color="#1a7f37", fontSize=11).encode(
                x=alt.value(0), text="label:N"
            )
        )
    arrivals = evidence_frame(evidence, frame["time"].min(), frame["time"].max())
    if not arrivals.empty:
        layers.append(
            alt.Chart(arrivals)
            .mark_rule(color="#8b949e", strokeDash=[4, 3])
            .encode(x="time:T", tooltip=[alt.Tooltip("title:N", title="Evidence")])
        )
    title = "Median and 80 % interval" + (f" ({unit})" if unit else "")
    title += " — the green line is what happened" if outcome else ""
    return alt.layer(*layers).properties(
        height=300, title=alt.TitleParams(title, anchor="start", fontSize=13, limit=0)
    )


def pit_bars(pit: PitCalibration) -> alt.LayerChart:
    """Share of outcomes in each tenth of the member's distributions, the dashed line at the
    share a calibrated forecaster expects."""
    total = max(pit.values, 1)
    frame = pd.DataFrame(
        {
            "from": pit.edges[:-1],
            "to": pit.edges[1:],
            "count": pit.counts,
            "share": [c / total for c in pit.counts],
        }
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(color="#1f6feb", opacity=0.85)
        .encode(
            x=alt.X("from:Q", bin="binned", title="Where the outcome fell in the forecast (PIT)",
                    axis=alt.Axis(format="%", values=pit.edges[::2])),
            x2="to",
            y=alt.Y("share:Q", title="Share of outcomes", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("from:Q", title="From", format=".0%"),
                alt.Tooltip("to:Q", title="To", format=".0%"),
                alt.Tooltip("count:Q", title="Outcomes"),
            ],
        )
    )  # fmt: skip
    expected = pd.DataFrame({"y": [pit.expected / total]})
    line = alt.Chart(expected).mark_rule(color="#8c959f", strokeDash=[5, 4]).encode(y="y:Q")
    return alt.layer(bars, line).properties(height=260)
