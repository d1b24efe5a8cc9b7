"""What the question page shows of a numeric or date question: forecasts in words (median,
80 % interval), the member's and the team's distributions, the outcome and the scores."""

import pandas as pd
import streamlit as st

from tracker.quantities import format_value, outcome_value
from tracker.schemas import ForecastRead, QuestionRead
from tracker.scoring.continuous_build import summary
from tracker.services import numeric_scores
from tracker.services.views import QuestionView
from tracker.ui.shell.context import get_db
from tracker.ui.widgets.continuous_charts import cdf_chart, in_words, pdf_chart, value_text
from tracker.ui.widgets.render import esc, show_error


def words(q: QuestionRead, cdf: list[float] | None) -> str:
    """'median 75 USD/bbl, 80 % interval 62 – 95 USD/bbl', or '—' without a distribution."""
    if not cdf or q.range is None:
        return "—"
    try:
        return in_words(q, cdf)
    except ValueError:  # a stored CDF the range no longer reads: say so rather than crash
        return "a distribution this page cannot read"


def forecast_words(q: QuestionRead, f: ForecastRead) -> str:
    return words(q, f.cdf)


def median_text(q: QuestionRead, cdf: list[float]) -> str:
    assert q.range is not None
    return value_text(q, summary(q.range.scoring_range(), cdf).median)


def outcome_text(q: QuestionRead) -> str:
    """The resolution as a person reads it: '82.5 USD/bbl', '2027-03-14', 'below the range'."""
    if q.resolution is None or q.range is None:
        return "—"
    value = outcome_value(q.type, q.resolution)
    if isinstance(value, str):
        bound = q.range.lower if value == "below" else q.range.upper
        return f"{value} the range (beyond {format_value(q.type, float(bound), q.range.unit)})"
    return format_value(q.type, value, q.range.unit)


def range_text(q: QuestionRead) -> str:
    """'40 USD/bbl (open) to 120 USD/bbl (open), linear scale'."""
    assert q.range is not None
    r = q.range
    low, high = (format_value(q.type, float(b), r.unit) for b in (r.lower, r.upper))
    sides = ("open" if r.open_lower else "closed", "open" if r.open_upper else "closed")
    return f"{low} ({sides[0]}) to {high} ({sides[1]}), {r.scale} scale"


def standing_metric(column, q: QuestionRead, who: str, cdf: list[float] | None, note: str) -> None:  # type: ignore[no-untyped-def]
    if not cdf:
        column.metric(who, note)
        return
    column.metric(f"{who}: median", median_text(q, cdf), help=esc(words(q, cdf)))


def _outcome_number(q: QuestionRead) -> float | None:
    if q.status != "resolved" or q.resolution is None:
        return None
    value = outcome_value(q.type, q.resolution)
    return None if isinstance(value, str) else value


def distributions(view: QuestionView) -> None:
    """The member's standing forecast and the team's pooled CDF, as a PDF and a CDF."""
    q = view.question
    series: dict[str, list[float]] = {}
    if view.my_latest and view.my_latest.cdf:
        series["Your forecast"] = view.my_latest.cdf
    if view.team_cdf:
        series["Team"] = view.team_cdf
    if not series:
        return
    outcome = _outcome_number(q)
    st.altair_chart(pdf_chart(q, series, outcome), width="stretch", key=f"qp_pdf_{q.id}")
    st.altair_chart(cdf_chart(q, series, outcome), width="stretch", key=f"qp_cdf_{q.id}")
    lines = [f"{esc(name)}: {esc(words(q, cdf))}" for name, cdf in series.items()]
    if outcome is not None:
        lines.append(f"green dashed rule: the outcome, {esc(outcome_text(q))}")
    st.caption(" · ".join(lines) + ".")
    if "Team" in series:
        st.caption("Team: the mean of each member's latest CDF.")


def scores(q: QuestionRead, me: str) -> None:
    """The outcome and the scores of a resolved numeric or date question."""
    st.subheader("Scores")
    if q.status == "annulled":
        st.info("Annulled questions are excluded from every score.")
        return
    st.markdown(f"Outcome: **{esc(outcome_text(q))}**")
    try:
        rows = numeric_scores.question_scores(get_db(), q.id)
    except ValueError as exc:
        show_error(exc)
        return
    if not rows:
        st.info("Nobody forecast on this question, so there is nothing to score.")
        return
    unit = "days" if q.type == "date" else (q.range.unit if q.range else "")
    mine = next((r for r in rows if r.user == me), None)
    if mine is not None:
        peer = f" · peer **{mine.peer:.1f}**" if mine.peer is not None else ""
        st.markdown(
            f"**Your scores:** CRPS **{mine.crps:.3g}**{' ' + esc(unit) if unit else ''} · "
            f"log **{mine.log:.2f}** · baseline **{mine.baseline:.1f}**{peer}"
        )
    frame = pd.DataFrame(
        [
            {
                "Member": "You" if r.user == me else r.user,
                "Forecasts": r.forecasts,
                "CRPS": round(r.crps, 4),
                "Log": round(r.log, 3),
                "Baseline": round(r.baseline, 1),
                "Peer": None if r.peer is None else round(r.peer, 1),
            }
            for r in rows
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(
        f"CRPS: the distance between the forecast's CDF and the outcome, in "
        f"{esc(unit) or 'the question’s units'}; lower is better. Log, baseline and peer: "
        "Metaculus's continuous scores, time-averaged over the question's window; higher is "
        "better, peer compares you with the other members."
    )
