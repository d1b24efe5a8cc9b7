"""Team sessions: forecast blind, reveal and discuss, update, close; then review whether the
discussion made the team more accurate. ?s=<id> in the address opens one session."""

import streamlit as st

from tracker.errors import TrackerError
from tracker.services import session_views, sessions
from tracker.ui.sessions import panels as session_panels
from tracker.ui.shell.context import current_actor, get_db, settings
from tracker.ui.widgets.render import esc, show_error, show_flash

db, actor = get_db(), current_actor()
show_flash()
st.title("Team sessions")
records = sessions.list_sessions(db)

if actor.role != "viewer":
    with st.expander("Start a new session", expanded=not records, icon="➕"):
        st.caption(
            "Pick the questions for the meeting and who takes part. You facilitate: you end the "
            "blind phase, open the updates and close the session."
        )
        session_panels.new_session_form()

if not records:
    st.info(
        "No team sessions yet. A session runs a meeting: everyone forecasts blind, the "
        "forecasts are revealed and discussed, members update, and the review later shows "
        "whether the discussion helped."
    )
    st.stop()

labels = {
    r.id: f"{r.title} · {session_panels.PHASE_LABELS[r.phase].lower()} · #{r.id}" for r in records
}
requested = st.query_params.get(session_panels.SESSION_PARAM)
chosen_id = int(requested) if requested and requested.isdigit() else None
if chosen_id not in labels:
    mine = [r for r in records if actor.name in r.participants and r.phase != "closed"]
    chosen_id = (mine or records)[0].id
picked = st.selectbox(
    "Session", list(labels), index=list(labels).index(chosen_id), format_func=labels.get
)
if picked != chosen_id or requested != str(picked):
    st.query_params[session_panels.SESSION_PARAM] = str(picked)

try:
    view = session_views.session_view(db, actor, picked, extremize=settings().extremize_factor)
except TrackerError as exc:
    show_error(exc)
    st.stop()

if view.record.phase in ("reveal", "update"):  # the blind phase's live board polls itself
    session_panels.follow(view.record.id, view.can_move)
session_panels.header(view)
session_panels.phase_controls(view)
if view.record.phase == "blind":
    session_panels.blind_phase(view)
else:
    session_panels.revealed(view)
session_panels.review(view)
st.divider()
st.markdown(f"**Record of “{esc(view.record.title)}”**")
session_panels.export(view)
