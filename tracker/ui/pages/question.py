"""Question page: wording and criteria, the evidence summary, your forecast form, the trajectory
chart, the team's rationales, linked evidence, sources and revisions; scores once resolved."""

import streamlit as st

from tracker.errors import TrackerError
from tracker.services import questions, views
from tracker.ui import charts, forms, nav, panels
from tracker.ui.context import current_actor, current_user, get_db, settings
from tracker.ui.render import (
    esc,
    friendly_errors,
    show_flash,
    state_badge,
    type_label,
    vector_text,
    when,
)

db, actor = get_db(), current_actor()
all_questions = questions.list_questions(db)
if not all_questions:
    st.title("Question")
    st.info("There are no questions yet.")
    st.page_link(nav.QUESTIONS, label="Back to the questions list", icon="📋")
    st.stop()

titles = {q.id: q.title for q in all_questions}
requested = st.query_params.get(nav.QUESTION_PARAM)
if requested not in titles:
    st.query_params.pop(nav.QUESTION_PARAM, None)
top = st.columns([1, 4])
top[0].page_link(nav.QUESTIONS, label="All questions", icon="⬅️")
chosen = top[1].selectbox(
    "Question",
    list(titles),
    format_func=lambda qid: titles[qid],
    key=nav.QUESTION_PARAM,
    bind="query-params",
    label_visibility="collapsed",
    placeholder="Choose a question…",
    index=None if requested not in titles else list(titles).index(requested),
)
if chosen is None:
    st.title("Question")
    st.info("Pick a question above, or open one from the questions list.")
    st.stop()

try:
    view = views.question_view(db, actor, chosen, extremize=settings().extremize_factor)
except TrackerError as exc:
    st.error(str(exc))
    st.stop()
q = view.question
show_flash()

st.markdown(f"## {esc(q.title)}")
tags = f" · tags: {esc(', '.join(q.tags))}" if q.tags else ""
st.markdown(f"{state_badge(q.state)} {type_label(q.type)} · `{q.id}`{tags}")
if q.status == "resolved":
    st.success(f"Resolved **{esc(q.resolution)}** on {when(q.resolved_time)}.", icon="🏁")
elif q.status == "annulled":
    st.warning(f"Annulled on {when(q.resolved_time)}: excluded from every score.", icon="🚫")

m = st.columns(4)
mine_now = view.my_latest
m[0].metric(
    "Your forecast",
    vector_text(mine_now.probabilities if mine_now else None, q.options)
    if q.type == "binary"
    else ("set" if mine_now else "—"),
)
if view.team_visible and view.team_now:
    team_text = (
        vector_text(view.team_now.vector, q.options) if q.type == "binary" else "shown below"
    )
else:
    team_text = "🔒 hidden" if view.forecasters else "—"
m[1].metric("Team median", team_text)
m[2].metric("Forecasters", view.forecasters)
m[3].metric("Closes", when(q.close_time), help=f"Opened {when(q.open_time)}")

left, right = st.columns([1.15, 1], gap="large")
with left:
    panels.criteria(q)
    st.subheader("Evidence summary")
    summary_id = panels.summary_section(db, view, actor)
    st.subheader("Your forecast")
    if q.state != "open":
        message = {"upcoming": f"Forecasting opens on {when(q.open_time)}."}.get(
            q.state, "This question no longer takes forecasts."
        )
        st.info(message)
    elif actor.role == "viewer":
        st.info("You have read-only access: viewers can follow the team but not forecast.")
    else:
        if mine_now:
            st.caption(
                f"Your standing forecast: {vector_text(mine_now.probabilities, q.options)}, "
                f"made {when(mine_now.created_at, with_time=True)}."
            )
        team_session = views.forecasting_session(db, actor, q.id)
        if team_session is not None:
            st.caption(
                f"Part of the team session “{esc(team_session.title)}” "
                f"({team_session.phase} phase): this forecast is recorded with it."
            )
        with friendly_errors():
            forms.forecast_form(
                q,
                mine_now.probabilities if mine_now else None,
                summary_id,
                team_session.id if team_session else None,
            )

with right:
    st.subheader("Trajectory")
    chart = charts.trajectory(q, view.mine, view.aggregate, view.evidence, db.now())
    if chart is None:
        st.info("No forecasts yet. Yours will be the first point on this chart.")
    else:
        st.altair_chart(chart, width="stretch")
        st.caption("Step lines: you and the team median; dashed grey rules: evidence arrivals.")
    if not view.team_visible and view.forecasters > (1 if view.mine else 0):
        st.info(views.HIDDEN_REASON, icon="🔒")
    if view.pools:
        panels.pools(view.pools, q)
    st.subheader("Rationales")
    panels.rationales(view, q)

if q.status in ("resolved", "annulled"):
    panels.scores(q, current_user().name)

tabs = st.tabs(
    [
        f"Linked evidence ({len(view.evidence)})",
        "Background & sources",
        f"Revisions ({len(view.revisions)})",
    ]
)
with tabs[0]:
    panels.evidence_table(view.evidence)
with tabs[1]:
    panels.background(q)
with tabs[2]:
    panels.revisions(view.revisions)
if actor.is_admin:
    st.page_link(
        nav.ADMIN,
        label="Edit, resolve or annul this question (Admin)",
        icon="🛠️",
        query_params={nav.QUESTION_PARAM: q.id},
    )
