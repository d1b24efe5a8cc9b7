"""Altair charts: forecast trajectories with evidence arrivals, and calibration.

Tooltips and labels are data, not markup (Vega renders them as text), so titles taken from the
database are safe here.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

import altair as alt
import pandas as pd

from tracker.schemas import ForecastRead, QuestionRead
from tracker.services.views import AggregatePoint, EvidenceArrival

# Altair re-validates every schema object as it is built ("debug mode"); Streamlit validates
# the finished chart anyway, so building without it saves a large share of each rerun.
alt.utils.schemapi.disable_debug_mode()


def percent_axis(title: str | None = None) -> alt.Axis:
    return alt.Axis(format="%", title=title, values=[0, 0.25, 0.5, 0.75, 1])


PERCENT = percent_axis()  # untitled


ME = "You"
TEAM = "Team median"


def plotted_options(question: QuestionRead) -> list[str]:
    """Binary questions plot P(Yes) only; others plot every option."""
    return ["Yes"] if question.type == "binary" else list(question.options)


def trajectory_frame(
    question: QuestionRead,
    series: dict[str, Sequence[tuple[datetime, dict[str, float]]]],
    end: datetime,
) -> pd.DataFrame:
    """Long-form rows (series, option, time, p), each series carried forward to `end`."""
    rows = []
    for name, points in series.items():
        if not points:
            continue
        for option in plotted_options(question):
            for time, vector in points:
                rows.append((name, option, time, vector.get(option, 0.0)))
            last_time, last = points[-1]
            if end > last_time:
                rows.append((name, option, end, last.get(option, 0.0)))
    return pd.DataFrame(rows, columns=["series", "option", "time", "p"])


def chart_end(question: QuestionRead, now: datetime) -> datetime:
    end = question.resolved_time or question.close_time
    return min(end, now)


def trajectory(
    question: QuestionRead,
    mine: Sequence[ForecastRead],
    aggregate: Sequence[AggregatePoint],
    evidence: Sequence[EvidenceArrival],
    now: datetime,
    others: dict[str, Sequence[ForecastRead]] | None = None,
) -> alt.LayerChart | None:
    """My path and the team median over time; evidence arrivals are grey rules."""
    series: dict[str, list[tuple[datetime, dict[str, float]]]] = {
        ME: [(f.created_at, f.probabilities) for f in mine],
        TEAM: [(p.time, p.vector) for p in aggregate],
    }
    for name, path in (others or {}).items():
        series[name] = [(f.created_at, f.probabilities) for f in path]
    end = chart_end(question, now)
    frame = trajectory_frame(question, series, end)
    if frame.empty:
        return None
    start, stop = time_domain(question, frame["time"].min(), end, now)
    x = alt.X(
        "time:T", title=None, scale=alt.Scale(domain=[start, stop]), axis=time_axis(start, stop)
    )
    binary = question.type == "binary"
    tooltip = [
        alt.Tooltip("series:N", title="Who"),
        alt.Tooltip("option:N", title="Option"),
        alt.Tooltip("time:T", title="Time", format="%Y-%m-%d %H:%M"),
        alt.Tooltip("p:Q", title="Probability", format=".0%"),
    ]
    names = list(dict.fromkeys(frame["series"]))
    palette = _palette(names)
    if binary:
        encoding = {
            "color": alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=names, range=palette),
                legend=alt.Legend(orient="top"),
            ),
            "strokeWidth": alt.condition(
                alt.FieldOneOfPredicate(field="series", oneOf=[ME, TEAM]),
                alt.value(3),
                alt.value(1.2),
            ),
        }
    else:
        encoding = {
            "color": alt.Color(
                "option:N",
                title=None,
                sort=list(question.options),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=400),
            ),
            "strokeDash": alt.StrokeDash(
                "series:N",
                title=None,
                sort=names,
                legend=alt.Legend(orient="top", symbolType="stroke", symbolStrokeColor="#57606a"),
            ),
        }
    lines = (
        alt.Chart(frame)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=25))
        .encode(
            x=x,
            y=alt.Y(
                "p:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=percent_axis("P(Yes)" if binary else "Probability"),
            ),
            detail="series:N",
            tooltip=tooltip,
            **encoding,
        )
    )
    layers: list[alt.Chart] = [lines]
    arrivals = evidence_frame(evidence, start, end)
    if not arrivals.empty:
        layers.append(
            alt.Chart(arrivals)
            .mark_rule(color="#8b949e", strokeDash=[4, 3], opacity=0.8)
            .encode(
                x=x,
                tooltip=[
                    alt.Tooltip("title:N", title="Evidence"),
                    alt.Tooltip("time:T", title="Arrived", format="%Y-%m-%d"),
                ],
            )
        )
    if question.resolved_time is not None and question.status == "resolved":
        marker = pd.DataFrame(
            [{"time": question.resolved_time, "label": f"Resolved: {question.resolution}"}]
        )
        layers.append(
            alt.Chart(marker)
            .mark_rule(color="#8250df", strokeWidth=2)
            .encode(x="time:T", tooltip=alt.Tooltip("label:N", title="Resolution"))
        )
    # The chart is sized as a whole: give the option legend (one row each) its own room.
    height = 320 if binary else 320 + 22 * len(question.options)
    return alt.layer(*layers).properties(height=height).interactive(bind_y=False)


MIN_SPAN = timedelta(days=2)


def time_domain(
    question: QuestionRead, first: datetime, end: datetime, now: datetime
) -> tuple[datetime, datetime]:
    """The time axis for 1, 2 or many points: at least two days wide, with a margin on both
    sides so the first and the latest points never sit on an edge (the right margin only while
    the question is open: its path goes on), never before the question opened."""
    first = pd.Timestamp(first).to_pydatetime()
    span = max(end - first, MIN_SPAN)
    margin = span * 0.08
    start = max(question.open_time, min(first - margin, end - span - margin))
    stop = end + margin if question.state == "open" and end >= now else end
    return start, stop


def time_axis(start: datetime, stop: datetime) -> alt.Axis:
    """Horizontal labels that say days (with hours only on an axis under four days)."""
    short = stop - start < timedelta(days=4)
    return alt.Axis(
        format="%d %b %H:%M" if short else "%d %b %Y" if stop - start > timedelta(days=300)
        else "%d %b",
        labelAngle=0, labelOverlap=True, tickCount=4 if short else 6, title=None,
    )  # fmt: skip


def evidence_frame(
    evidence: Sequence[EvidenceArrival], start: datetime, end: datetime
) -> pd.DataFrame:
    rows = [
        {"time": e.added_at, "title": e.title}
        for e in evidence
        if start <= pd.Timestamp(e.added_at) <= end
    ]
    return pd.DataFrame(rows, columns=["time", "title"])


def _palette(names: Sequence[str]) -> list[str]:
    fixed = {ME: "#1f6feb", TEAM: "#d1242f"}
    others = [
        "#8c959f",
        "#57606a",
        "#bf8700",
        "#1a7f37",
        "#8250df",
        "#cf222e",
        "#0969da",
        "#953800",
        "#6e7781",
        "#116329",
        "#a40e26",
        "#0550ae",
    ]
    result, i = [], 0
    for name in names:
        if name in fixed:
            result.append(fixed[name])
        else:
            result.append(others[i % len(others)])
            i += 1
    return result


def calibration(bins: pd.DataFrame) -> alt.LayerChart:
    """Observed frequency against mean forecast per bin, dot size = count, with the diagonal.

    `bins` has columns mean_forecast, observed, count (empty bins already dropped).
    """
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1]}))
        .mark_line(color="#8c959f", strokeDash=[5, 4])
        .encode(x="x:Q", y="y:Q")
    )
    axis = alt.Axis(format="%", values=[0, 0.2, 0.4, 0.6, 0.8, 1])
    base = alt.Chart(bins).encode(
        x=alt.X(
            "mean_forecast:Q",
            title="Your forecast (bin mean)",
            scale=alt.Scale(domain=[0, 1]),
            axis=axis,
        ),
        y=alt.Y(
            "observed:Q", title="How often it happened", scale=alt.Scale(domain=[0, 1]), axis=axis
        ),
        tooltip=[
            alt.Tooltip("mean_forecast:Q", title="Mean forecast", format=".0%"),
            alt.Tooltip("observed:Q", title="Observed", format=".0%"),
            alt.Tooltip("count:Q", title="Forecast-days"),
        ],
    )
    line = base.mark_line(color="#1f6feb")
    dots = base.mark_circle(color="#1f6feb", opacity=0.85).encode(
        size=alt.Size("count:Q", title="Count", scale=alt.Scale(range=[40, 600]))
    )
    labels = base.mark_text(dy=-14, fontSize=11, color="#57606a").encode(text="count:Q")
    return alt.layer(diagonal, line, dots, labels).properties(height=360)


def review_paths(
    question: QuestionRead,
    history: Sequence[ForecastRead],
    aggregate: Sequence[AggregatePoint],
    evidence: Sequence[EvidenceArrival],
    me: str,
    now: datetime,
    marks: Sequence[tuple[datetime, str]] = (),
) -> alt.LayerChart | None:
    """Everyone's probability on what actually happened, over time (higher was better).

    For an unresolved question the first option is plotted instead. `marks` are labelled
    moments drawn as solid rules (a team session's phases).
    """
    target = question.resolution or question.options[0]
    paths: dict[str, list[tuple[datetime, dict[str, float]]]] = {}
    for f in history:
        paths.setdefault(f.user, []).append((f.created_at, f.probabilities))
    series = {TEAM: [(p.time, p.vector) for p in aggregate]} | paths
    end = chart_end(question, now)
    rows = []
    for name, points in series.items():
        for time, vector in points:
            rows.append((name, time, vector.get(target, 0.0)))
        if points and end > points[-1][0]:
            rows.append((name, end, points[-1][1].get(target, 0.0)))
    frame = pd.DataFrame(rows, columns=["who", "time", "p"])
    if frame.empty:
        return None
    frame["role"] = [TEAM if w == TEAM else ME if w == me else "Member" for w in frame["who"]]
    title = f"P({target})" + (" — what happened" if question.resolution else "")
    start, stop = time_domain(question, frame["time"].min(), end, now)
    lines = (
        alt.Chart(frame)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=20))
        .encode(
            x=alt.X(
                "time:T",
                scale=alt.Scale(domain=[start, stop]),
                axis=time_axis(start, stop),
            ),
            # the option can be long: it is the chart's title, never a rotated, cut axis title
            y=alt.Y("p:Q", scale=alt.Scale(domain=[0, 1]), axis=percent_axis(None)),
            detail="who:N",
            color=alt.Color(
                "role:N",
                title=None,
                scale=alt.Scale(
                    domain=[ME, TEAM, "Member"], range=["#1f6feb", "#d1242f", "#8c959f"]
                ),
                legend=alt.Legend(orient="top"),
            ),
            # scales rather than conditions: Altair builds those far faster on every rerun
            strokeWidth=alt.StrokeWidth(
                "role:N",
                scale=alt.Scale(domain=[ME, TEAM, "Member"], range=[3, 3, 1.3]),
                legend=None,
            ),
            opacity=alt.Opacity(
                "role:N",
                scale=alt.Scale(domain=[ME, TEAM, "Member"], range=[1, 1, 0.6]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("who:N", title="Who"),
                alt.Tooltip("time:T", title="Time", format="%Y-%m-%d"),
                alt.Tooltip("p:Q", title=title, format=".0%"),
            ],
        )
    )
    layers: list[alt.Chart] = [lines]
    arrivals = evidence_frame(evidence, frame["time"].min(), frame["time"].max())
    if not arrivals.empty:
        layers.append(
            alt.Chart(arrivals)
            .mark_rule(color="#8b949e", strokeDash=[4, 3])
            .encode(x="time:T", tooltip=[alt.Tooltip("title:N", title="Evidence")])
        )
    if marks:  # phases are often minutes apart: one label, a rule (with a tooltip) each
        moments = pd.DataFrame(list(marks), columns=["time", "label"])
        rule = alt.Chart(moments).encode(
            x="time:T", tooltip=[alt.Tooltip("label:N", title="Session")]
        )
        layers.append(rule.mark_rule(color="#bf8700", strokeWidth=2))
        layers.append(
            alt.Chart(moments.head(1).assign(label="team session"))
            .mark_text(align="right", dx=-4, color="#9a6700", fontSize=11)
            .encode(x="time:T", y=alt.value(10), text="label:N")
        )
    return alt.layer(*layers).properties(
        height=300, title=alt.TitleParams(title, anchor="start", fontSize=13, limit=0)
    )


def relative_brier_bars(frame: pd.DataFrame, me: str) -> alt.Chart:
    """Relative Brier per member: bars left of zero beat the team median."""
    values = frame["relative_brier"].dropna().abs()
    extent = max(float(values.max()) if len(values) else 0.0, 0.05)
    data = frame.dropna(subset=["relative_brier"]).assign(
        you=lambda d: [u == me for u in d["user"]],
        member=lambda d: [
            (n or u) + (" (you)" if u == me else "")
            for u, n in zip(d["user"], d.get("display_name", d["user"]), strict=True)
        ],
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("member:N", sort="x", title=None),
            x=alt.X(
                "relative_brier:Q",
                title="Relative Brier (negative beats the team median)",
                axis=alt.Axis(format="+.3~f", tickCount=5),
                # symmetric about 0 and at least ±0.05 wide, so a near-zero bar is not a sliver
                # on an axis of "0.000000"
                scale=alt.Scale(domain=[-extent, extent], nice=True),
            ),
            color=alt.condition("datum.you", alt.value("#1f6feb"), alt.value("#8c959f")),
            tooltip=[
                alt.Tooltip("member:N", title="Member"),
                alt.Tooltip("relative_brier:Q", title="Relative Brier", format="+.3f"),
                alt.Tooltip("questions:Q", title="Questions"),
            ],
        )
        .properties(height=max(160, 28 * len(data) + 70))  # Streamlit fits the axis in too
    )


# Blues, ambers and greys: members never share a colour with the pools' red, green and purple.
MEMBER_COLOURS = [
    "#0969da",
    "#bf8700",
    "#1b7c83",
    "#953800",
    "#57606a",
    "#0550ae",
    "#9a6700",
    "#3b8eea",
    "#6e7781",
    "#b35900",
]
POOL_NAMES = {
    "median": "Median",
    "geometric_mean_of_odds": "Geometric mean of odds",
    "extremized_log_odds": "Extremized",
}


def session_strip(
    question_type: str,
    options: Sequence[str],
    forecasts: Sequence[ForecastRead],
    pools: dict[str, dict[str, float]],
) -> alt.LayerChart:
    """The reveal: each member's forecast on each option (binary: P(Yes)) on a line of its own,
    labelled, with the team pools as ticks across the option's band, so the spread and the
    outliers are visible at a glance."""
    shown = ["Yes"] if question_type == "binary" else list(options)
    members = sorted({f.user for f in forecasts})
    dots = pd.DataFrame(
        [
            {"option": o, "p": f.probabilities.get(o, 0.0), "who": f.user}
            for f in forecasts
            for o in shown
        ],
        columns=["option", "p", "who"],
    )
    ticks = pd.DataFrame(
        [
            {"option": o, "p": pools[key][o], "pool": label}
            for key, label in POOL_NAMES.items()
            if key in pools
            for o in shown
        ],
        columns=["option", "p", "pool"],
    )
    band = 18 * len(members) + 14  # pixels per option: one line per member
    x = alt.X("p:Q", scale=alt.Scale(domain=[0, 1]), axis=percent_axis())
    y = alt.Y(
        "option:N",
        sort=shown,
        title="P(Yes)" if question_type == "binary" else None,
        axis=alt.Axis(labelLimit=220, labels=question_type != "binary"),
        scale=alt.Scale(type="band", paddingInner=0.25),
    )
    member_line = alt.YOffset("who:N", sort=members, scale=alt.Scale(paddingOuter=0.5))
    points = (
        alt.Chart(dots)
        .mark_circle(size=110, opacity=0.9)
        .encode(
            x=x,
            y=y,
            yOffset=member_line,
            color=alt.Color(
                "who:N", legend=None, sort=members, scale=alt.Scale(range=MEMBER_COLOURS)
            ),
            tooltip=[
                alt.Tooltip("who:N", title="Member"),
                alt.Tooltip("option:N", title="Option"),
                alt.Tooltip("p:Q", title="Forecast", format=".0%"),
            ],
        )
    )
    names = points.mark_text(align="left", dx=8, fontSize=11, color="#57606a").encode(text="who:N")
    pool_marks = (
        alt.Chart(ticks)
        .mark_tick(thickness=3, size=band, opacity=0.8)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "pool:N",
                title="Team pool",
                scale=alt.Scale(
                    domain=list(POOL_NAMES.values()), range=["#d1242f", "#1a7f37", "#8250df"]
                ),
                legend=alt.Legend(orient="bottom", symbolType="square"),
            ),
            tooltip=[
                alt.Tooltip("pool:N", title="Pool"),
                alt.Tooltip("p:Q", title="Value", format=".0%"),
            ],
        )
    )
    return (
        alt.layer(pool_marks, points, names)
        .resolve_scale(color="independent")
        # Streamlit fits axis and legend into the height too: leave them room
        .properties(height=int(band * len(shown) * 1.25) + 90)
    )


def bin_bars(bins: list[str], probs) -> alt.Chart:  # type: ignore[no-untyped-def]
    """A small bar per ordered bin, in the bins' own order (not alphabetical)."""
    data = pd.DataFrame({"bin": bins, "share": [float(p) for p in probs]})
    return (
        alt.Chart(data)
        .mark_bar(color="#1f6feb")
        .encode(
            x=alt.X("bin:N", sort=list(bins), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title=None, axis=alt.Axis(format="%", tickCount=3)),
            tooltip=[alt.Tooltip("bin:N", title="Bin"), alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=120)
    )
