"""Question page: wording and criteria, the evidence summary, your forecast form, the trajectory
chart, the team's rationales, linked evidence, sources and revisions; scores once resolved."""

import streamlit as st

from tracker.errors import TrackerError
from tracker.services import comments, pool_scores, questions, views
from tracker.ui.question import bot_panel, continuous, discussion, panels
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, current_user, get_db, settings
from tracker.ui.widgets import charts, continuous_form, phone
from tracker.ui.widgets import forecast_form as forms
from tracker.ui.widgets.pools import pools_table
from tracker.ui.widgets.render import (
    closes_text,
    esc,
    friendly_errors,
    ordered_handles,
    ordered_summary,
    pct,
    show_error,
    show_flash,
    state_badge,
    type_label,
    vector_brief,
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
PICK_KEY = "question_pick"


def _follow_pick() -> None:
    """Keep ?q= in the address bar on the chosen question (links and reloads open it)."""
    st.query_params[nav.QUESTION_PARAM] = st.session_state[PICK_KEY]


# The URL decides which question is open (other pages link here with ?q=<id>); the picker
# only changes the URL. Not `bind="query-params"`: that would put the title in the URL.
requested = st.query_params.get(nav.QUESTION_PARAM)
if requested in titles:
    st.session_state[PICK_KEY] = requested
elif requested is not None:
    st.query_params.pop(nav.QUESTION_PARAM, None)
top = st.columns([1, 4])
top[0].page_link(nav.QUESTIONS, label="All questions", icon="⬅️")
chosen = top[1].selectbox(
    "Question",
    list(titles),
    format_func=lambda qid: titles[qid],
    key=PICK_KEY,
    on_change=_follow_pick,
    label_visibility="collapsed",
    placeholder="Choose a question…",
    index=None,
)
if chosen is None:
    st.title("Question")
    st.info("Pick a question above, or open one from the questions list.")
    st.stop()

try:
    view = views.question_view(db, actor, chosen, extremize=settings().extremize_factor)
except TrackerError as exc:
    show_error(exc)
    st.stop()
q = view.question
show_flash()

st.markdown(f"## {esc(q.title)}")
tags = f" · tags: {esc(', '.join(q.tags))}" if q.tags else ""
st.markdown(f"{state_badge(q.state)} {type_label(q.type)} · `{q.id}`{tags}")
if q.status == "resolved":
    outcome = continuous.outcome_text(q) if q.is_continuous else q.resolution
    st.success(f"Resolved **{esc(outcome)}** on {when(q.resolved_time)}.", icon="🏁")
elif q.status == "annulled":
    st.warning(f"Annulled on {when(q.resolved_time)}: excluded from every score.", icon="🚫")

m = st.columns(4)
mine_now = view.my_latest


def _standing_metric(column, who: str, vector: dict[str, float] | None, note: str) -> None:
    """Binary: P(Yes). Otherwise the option rated most likely, named in the label."""
    if vector is None:
        column.metric(who, note)
    elif q.type == "binary":
        column.metric(who, vector_brief(vector, q.options))
    elif q.type == "ordered":  # the median bin, with the 80 % range beside it
        column.metric(
            f"{who}: median", esc(ordered_handles(vector, q.options)[1]),
            help=esc(ordered_summary(vector, q.options)),
        )  # fmt: skip
    else:
        top = max(q.options, key=lambda o: vector.get(o, 0.0))
        column.metric(
            f"{who}: {esc(top)}", pct(vector.get(top)), help="The option rated most likely."
        )


def _in_words(vector: dict[str, float]) -> str:
    if q.type == "ordered":
        return ordered_summary(vector, q.options)
    return vector_text(vector, q.options)


if actor.role == "viewer":  # viewers do not forecast: show what there is to read instead
    m[0].metric("Linked evidence", len(view.evidence))
elif q.is_continuous:
    continuous.standing_metric(m[0], q, "Your forecast", mine_now.cdf if mine_now else None, "—")
else:
    _standing_metric(m[0], "Your forecast", mine_now.probabilities if mine_now else None, "—")
team_vector = view.team_now.vector if view.team_visible and view.team_now else None
team_label = "Team median"
if team_vector and view.pools:  # any pool, the team's default first (a per-view override)
    names = list(pool_scores.POOL_LABELS)
    default = pool_scores.team_pool()
    pool = st.selectbox(
        "Team pool", [n for n in names if n in view.pools], key="qp_pool",
        index=[n for n in names if n in view.pools].index(default) if default in view.pools else 0,
        format_func=pool_scores.POOL_LABELS.get,
        help="How the members' forecasts are combined; the team's default is the TEAM_POOL "
        "setting. The Review page shows how each pool would have scored.",
    )  # fmt: skip
    team_vector, team_label = view.pools[pool], f"Team ({pool_scores.POOL_LABELS[pool].lower()})"
hidden_note = "🔒 session is blind" if view.blind_session else "🔒 hidden"
if q.is_continuous:
    hidden = hidden_note if view.forecasters and not view.team_visible else "—"
    continuous.standing_metric(m[1], q, "Team", view.team_cdf, hidden)
else:
    _standing_metric(
        m[1], team_label, team_vector, hidden_note if view.forecasters and not team_vector else "—"
    )
m[2].metric("Forecasters", view.forecasters)
m[3].metric(
    "Closes",
    closes_text(q.close_time),
    help=f"Forecasts are taken until {when(q.close_time, with_time=True)}; opened "
    f"{when(q.open_time)}",
)

if q.status in ("resolved", "annulled") and q.is_continuous:
    continuous.scores(q, current_user().name)
elif q.status in ("resolved", "annulled"):
    panels.scores(q, current_user().name)

# Left: what the question asks and what the evidence says; right: your update, then how the
# forecasts moved and why. The summary is drawn first: the form records which one was shown.
# On phones the right column comes first, so the form is not under the criteria.
phone.stack_reversed("qp_body")
left, right = st.container(key="qp_body").columns([1.1, 1], gap="large")
with left:
    panels.criteria(q)
    st.subheader("Evidence summary")
    shown_summary = panels.summary_section(db, view, actor)
    # A save is handled in the run its click starts; the summary on screen when the user
    # clicked is the one the previous run showed (someone may have made a newer one since).
    on_screen_key = f"_summary_on_screen_{q.id}"
    summary_id = st.session_state.get(on_screen_key, shown_summary)
    st.session_state[on_screen_key] = shown_summary

with right:
    if q.status in ("resolved", "annulled"):
        pass  # the scores above say how it went; nothing to update
    elif q.state != "open":
        st.subheader("Your forecast")
        message = {"upcoming": f"Forecasting opens on {when(q.open_time)}."}.get(
            q.state, "Forecasting has closed; the question awaits its resolution."
        )
        st.info(message)
    elif actor.role == "viewer":
        st.subheader("Your forecast")
        st.info("You have read-only access: viewers can follow the team but not forecast.")
    else:
        st.subheader("Your forecast")
        if mine_now:
            said = (
                continuous.forecast_words(q, mine_now)
                if q.is_continuous
                else _in_words(mine_now.probabilities)
            )
            st.caption(
                "Your standing forecast: "
                f"{esc(said)}, "
                f"made {when(mine_now.created_at, with_time=True)}."
            )
        team_session = views.forecasting_session(db, actor, q.id)
        if team_session is not None:
            st.caption(
                f"Part of the team session “{esc(team_session.title)}” "
                f"({team_session.phase} phase): this forecast is recorded with it."
            )
            nav.session_link(team_session.id, "Open the session page")
        with friendly_errors():
            (continuous_form.continuous_form if q.is_continuous else forms.forecast_form)(
                q,
                (mine_now.cdf if q.is_continuous else mine_now.probabilities) if mine_now else None,
                summary_id,
                team_session.id if team_session else None,
            )
    if q.is_continuous:
        st.subheader("Distributions")
        continuous.distributions(view)
        if not (view.mine or view.team_cdf) and not view.forecasters:
            st.info("Nobody has forecast on this question yet.")
    else:
        st.subheader("Trajectory")
        chart = charts.trajectory(q, view.mine, view.aggregate, view.evidence, db.now())
        if chart is None:
            if view.forecasters and not view.team_visible:
                pass  # the reason is shown just below
            elif actor.role == "viewer" or q.state != "open":
                st.info("Nobody has forecast on this question yet.")
            else:
                st.info("No forecasts yet. Yours will be the first point on this chart.")
        else:
            st.altair_chart(chart, width="stretch")
            shown = (("you", view.mine), ("the team median", view.aggregate))
            lines = [name for name, present in shown if present]
            marks = "; dashed grey rules: evidence arrivals" if view.evidence else ""
            st.caption(f"Step lines: {' and '.join(lines)}{marks}.")
    if view.blind_session:
        st.info(views.BLIND_REASON, icon="🔒")
    elif not view.team_visible and view.forecasters > (1 if view.mine else 0):
        st.info(views.HIDDEN_REASON, icon="🔒")
    if view.pools:
        pools_table(view.pools, q)
    bot_panel.show(view, q)
    st.subheader("Rationales")
    panels.rationales(view, q)

thread = comments.discussion(db, actor, q.id)
tabs = st.tabs(
    [
        discussion.tab_label(thread),
        f"Linked evidence ({len(view.evidence)})",
        "Background & sources",
        f"Revisions ({len(view.revisions)})",
    ]
)
with tabs[0]:
    discussion.discussion_tab(db, actor, q, thread, view.mine, view.evidence)
with tabs[1]:
    panels.evidence_table(view.evidence)
with tabs[2]:
    panels.background(q)
with tabs[3]:
    panels.revisions(view.revisions)
if actor.is_admin:
    st.page_link(
        nav.ADMIN,
        label="Edit, resolve or annul this question (Admin)",
        icon="🛠️",
        query_params={nav.QUESTION_PARAM: q.id},
    )
