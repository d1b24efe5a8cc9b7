"""Account panel: the member's API tokens (create: the secret is shown once; list; revoke)."""

import pandas as pd
import streamlit as st

from tracker.errors import TrackerError
from tracker.services import tokens
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import flash, show_error, when

_JUST_MADE = "acct_token_secret"  # the new secret, for the one run that shows it
SCOPES = {
    "read": "Read: questions, forecasts, scores",
    "forecast": "Forecast: read and submit forecasts and evidence",
    "admin": "Admin: everything your role allows (export...)",
}


def tokens_panel() -> None:
    db, actor = get_db(), current_actor()
    st.markdown("**API tokens** — for scripts, spreadsheets and bots (`Authorization: Bearer`).")
    secret = st.session_state.pop(_JUST_MADE, None)
    if secret:
        st.success("Token created. Copy it now: it is not shown again.", icon="🔑")
        st.code(secret, language=None)
    with st.form("acct_token_new", clear_on_submit=True):
        name = st.text_input("Token name", placeholder="e.g. sheet-sync")
        scope = st.selectbox("Scope", list(SCOPES), format_func=SCOPES.__getitem__)
        days = st.number_input("Expires after (days)", min_value=1, max_value=3650, value=90)
        if st.form_submit_button("Create token", icon=":material/key:"):
            try:
                made = tokens.create_token(
                    db, actor, {"name": name, "scope": scope, "expires_days": int(days)}
                )
                st.session_state[_JUST_MADE] = made.secret
                st.rerun()
            except TrackerError as exc:
                show_error(exc)
    mine = tokens.list_tokens(db, actor, actor.name)
    if not mine:
        st.caption("No tokens yet.")
        return
    now = db.now()
    st.dataframe(
        pd.DataFrame(
            {
                "Name": [t.name for t in mine],
                "Starts with": [f"{t.prefix}…" for t in mine],
                "Scope": [t.scope for t in mine],
                "Status": [t.status(now) for t in mine],
                "Expires": [when(t.expires_at) for t in mine],
                "Last used": [when(t.last_used_at) if t.last_used_at else "never" for t in mine],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    active = {t.id: t for t in mine if t.status(now) == "active"}
    if not active:
        return
    cols = st.columns([3, 1], vertical_alignment="bottom")
    chosen = cols[0].selectbox(
        "Revoke a token",
        list(active),
        format_func=lambda i: f"{active[i].name} ({active[i].prefix}…)",
        key="acct_token_pick",
    )
    if cols[1].button("Revoke", key="acct_token_revoke", icon=":material/block:"):
        try:
            tokens.revoke_token(db, actor, chosen)
            flash(f"Token '{active[chosen].name}' revoked.")
            st.rerun()
        except TrackerError as exc:
            show_error(exc)
