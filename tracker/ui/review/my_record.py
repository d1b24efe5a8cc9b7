"""The Review page's "My record" tab: my score over time, calibration by tag, my resolved
questions (my path against the outcome) and my open forecasts from the stalest. Data from
`tracker.services.my_record`; the page draws."""

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from tracker.schemas import Actor, QuestionRead
from tracker.services import numeric_scores, questions
from tracker.services.my_record import my_record
from tracker.services.numeric_scores import NumericScoreRow
from tracker.ui.review import numeric
from tracker.ui.shell.context import get_db, settings
from tracker.ui.widgets import cached, charts
from tracker.ui.widgets.score_table import number


def show(actor: Actor, version: int, paths_chart: Callable[[QuestionRead], None]) -> None:
    db = get_db()
    record = my_record(db, actor, settings().stale_forecast_days)
    numeric_rows = [r for r in numeric_scores.all_numeric_scores(db) if r.user == actor.name]
    if not record.resolved and not record.open and not numeric_rows:
        st.info("No record yet: forecast on a question; once it resolves, your score shows here.")
        return
    if record.resolved:
        last = record.resolved[-1]
        a, b = st.columns(2)
        a.metric("Questions scored", len(record.resolved))
        b.metric("Mean final Brier", number(last.running_mean_brier), help="0 perfect, 2 worst")
        frame = pd.DataFrame([r.model_dump() for r in record.resolved]).dropna(
            subset=["resolved_time", "running_mean_brier"]
        )
        if len(frame) >= 2:
            st.altair_chart(
                alt.Chart(frame)
                .mark_line(point=True, interpolate="step-after")
                .encode(
                    x=alt.X("resolved_time:T", title=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("running_mean_brier:Q", title="Mean final Brier so far"),
                    tooltip=["title:N", alt.Tooltip("brier:Q", format=".3f")],
                )
                .properties(height=220),
                width="stretch",
            )
        st.markdown("**My resolved questions**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Question": [r.title for r in record.resolved],
                    "Outcome": [r.resolution for r in record.resolved],
                    "My final Brier": [number(r.brier) for r in record.resolved],
                    "Relative Brier": [
                        number(r.relative_brier, signed=True) for r in record.resolved
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        titles = {r.question_id: r.title for r in record.resolved}
        picked = st.selectbox(
            "My path against the outcome", list(titles), format_func=titles.get, key="mr_pick"
        )
        if picked:
            paths_chart(questions.get_question(db, picked))
        tag = st.selectbox(
            "Calibration by tag (binary questions, P(Yes))",
            [None, *record.tags],
            format_func=lambda t: "All tags" if t is None else t,
            key="mr_tag",
        )
        cal = cached.calibration(db.url, version, actor.name, "binary", tag)
        bins = pd.DataFrame(cal["bins"])
        if bins.empty or not bins["count"].sum():
            st.caption("No resolved binary questions with this tag yet.")
        else:
            bins = bins[bins["count"] > 0].rename(columns={"observed_frequency": "observed"})
            st.altair_chart(charts.calibration(bins), width="stretch")
    if numeric_rows:
        _numeric(numeric_rows, paths_chart)
    if record.open:
        st.markdown("**My open forecasts, stalest first**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Question": [o.title for o in record.open],
                    "Last forecast": [o.last_forecast.strftime("%Y-%m-%d") for o in record.open],
                    "Days since": [o.days_since for o in record.open],
                    "Why update": [o.update_reason for o in record.open],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _numeric(rows: list[NumericScoreRow], paths_chart: Callable[[QuestionRead], None]) -> None:
    """My numeric and date questions: my scores on each, my path against the outcome."""
    db = get_db()
    asked = {r.question_id: questions.get_question(db, r.question_id) for r in rows}
    st.markdown("**My numeric and date questions**")
    st.dataframe(
        pd.DataFrame(
            {
                "Question": [asked[r.question_id].title for r in rows],
                "Outcome": [numeric.outcome_text(asked[r.question_id]) for r in rows],
                "CRPS": [
                    f"{number(r.crps)} {numeric.crps_unit(asked[r.question_id])}".strip()
                    for r in rows
                ],
                "Baseline score": [number(r.baseline, 1, signed=True) for r in rows],
                "Peer score": [number(r.peer, 1, signed=True) for r in rows],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    picked = st.selectbox(
        "My numeric path against the outcome",
        list(asked),
        format_func=lambda qid: asked[qid].title,
        key="mr_numeric_pick",
    )
    if picked:
        paths_chart(asked[picked])
