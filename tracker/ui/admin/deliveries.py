"""Admin panel: the team's notification channels and the deliveries that failed (a failing
webhook is reported here, never to the member whose action caused the message)."""

import pandas as pd
import streamlit as st

from tracker.errors import TrackerError
from tracker.services import notifications
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import esc, flash, show_error, when


def deliveries_panel() -> None:
    db, actor = get_db(), current_actor()
    st.markdown("**Team channels** — new questions, sessions and resolutions, without numbers.")
    for c in notifications.list_channels(db, actor, team=True):
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].markdown(f"{esc(c.label)} · `{esc(c.target)}`")
        if cols[1].button("Remove", key=f"adm_hook_rm_{c.id}"):
            try:
                notifications.remove_channel(db, actor, c.id)
                flash("Team channel removed.")
                st.rerun()
            except TrackerError as exc:
                show_error(exc)
    with st.form("adm_team_hook", clear_on_submit=True):
        url = st.text_input(
            "Add a team webhook", help="Slack or Discord incoming-webhook URL, or an apprise URL"
        )
        label = st.text_input("Label", placeholder="#forecasting")
        if st.form_submit_button("Add team channel"):
            try:
                notifications.add_webhook(db, actor, url, label=label, team=True)
                flash("Team channel added.")
                st.rerun()
            except TrackerError as exc:
                show_error(exc)
    st.markdown("**Failed and retried deliveries**")
    problems = notifications.deliveries(db, actor)
    if not problems:
        st.caption("Every notification so far was delivered.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Event": [d.event for d in problems],
                "To": [d.recipient or "team" for d in problems],
                "Channel": [d.channel for d in problems],
                "State": [d.state for d in problems],
                "Attempts": [d.attempts for d in problems],
                "Error": [d.last_error for d in problems],
                "Queued": [when(d.created_at, with_time=True) for d in problems],
                "Next try": [
                    when(d.next_attempt_at, with_time=True) if d.state == "pending" else "—"
                    for d in problems
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
