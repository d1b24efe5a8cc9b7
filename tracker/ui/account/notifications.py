"""Account panel: where the member's notifications go and which events they want."""

import streamlit as st

from tracker.errors import TrackerError
from tracker.services import notifications
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import esc, flash, show_error


def notifications_panel() -> None:
    db, actor = get_db(), current_actor()
    st.markdown("**Notifications**")
    channels = notifications.list_channels(db, actor)
    email = next((c for c in channels if c.kind == "email"), None)
    with st.form("acct_notify_email"):
        address = st.text_input("E-mail address", value=email.target if email else "")
        if st.form_submit_button("Save e-mail address"):
            _run(lambda: notifications.set_email(db, actor, address.strip() or None), "Saved.")
    hooks = [c for c in channels if c.kind == "webhook"]
    for c in hooks:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].markdown(f"{esc(c.label)} · `{esc(c.target)}`")
        if cols[1].button("Remove", key=f"acct_hook_rm_{c.id}"):
            _run(lambda c=c: notifications.remove_channel(db, actor, c.id), "Webhook removed.")
    with st.form("acct_notify_hook", clear_on_submit=True):
        url = st.text_input(
            "Add a personal webhook",
            placeholder="https://hooks.slack.com/services/… or https://discord.com/api/webhooks/…",
            help="A Slack or Discord incoming-webhook URL, or any apprise URL.",
        )
        label = st.text_input("Label (optional)")
        if st.form_submit_button("Add webhook"):
            _run(lambda: notifications.add_webhook(db, actor, url, label=label), "Webhook added.")
    _preferences(db, actor)


def _preferences(db, actor) -> None:  # type: ignore[no-untyped-def]
    chosen = notifications.preferences(db, actor)
    with st.form("acct_notify_prefs"):
        st.caption("Tell me about…")
        head = st.columns([3, 1, 1])
        head[1].caption("e-mail")
        head[2].caption("webhook")
        picks = {}
        for event, label in notifications.EVENT_LABELS.items():
            row = st.columns([3, 1, 1])
            row[0].markdown(label)
            for col, kind in zip(row[1:], ("email", "webhook"), strict=True):
                picks[(event, kind)] = col.checkbox(
                    f"{label} by {kind}",
                    value=chosen[event][kind],
                    key=f"acct_pref_{event}_{kind}",
                    label_visibility="collapsed",
                )
        if st.form_submit_button("Save preferences"):

            def save() -> None:
                for (event, kind), on in picks.items():
                    if on != chosen[event][kind]:
                        notifications.set_preference(db, actor, event, kind, on)

            _run(save, "Preferences saved.")


def _run(action, done: str) -> None:  # type: ignore[no-untyped-def]
    try:
        action()
    except TrackerError as exc:
        show_error(exc)
        return
    flash(done)
    st.rerun()
