"""Account page: who you are, your password, and your standing forecasts at a glance."""

import pandas as pd
import streamlit as st

from tracker.errors import TrackerError
from tracker.services import auth as auth_service
from tracker.services import users, views
from tracker.ui.account import coaching_panel
from tracker.ui.account import notifications as account_notifications
from tracker.ui.account import tokens as account_tokens
from tracker.ui.shell import auth, nav
from tracker.ui.shell.chrome import ROLE_LABELS
from tracker.ui.shell.context import current_actor, current_user, get_db, settings
from tracker.ui.widgets.render import esc, flash, show_error, show_flash, vector_brief, when

db, user, actor = get_db(), current_user(), current_actor()
show_flash()
st.title("Account")
st.markdown(f"**{esc(user.label)}** · `{user.name}` · {ROLE_LABELS.get(user.role, user.role)}")
hours = settings().session_timeout_minutes / 60
st.caption(
    f"Member since {when(user.created_at)} · a sign-in lasts {hours:g} h; with “keep me signed "
    "in” this browser resumes it after a reload until then."
)
if st.button("Sign out", icon=":material/logout:", key="acct_sign_out"):
    auth.sign_out(notice="You have signed out.")
    st.rerun()

with st.expander("API tokens and notifications", icon=":material/notifications:"):
    tokens_col, notify_col = st.columns(2, gap="large")
    with tokens_col:
        account_tokens.tokens_panel()
    with notify_col:
        account_notifications.notifications_panel()

left, right = st.columns([1, 1.6], gap="large")
with left, st.form("acct_pw", clear_on_submit=True):
    st.markdown("**Change your password**")
    current = st.text_input("Current password", type="password")
    new = st.text_input("New password (at least 8 characters)", type="password")
    again = st.text_input("Repeat the new password", type="password")
    if st.form_submit_button("Change password", type="primary"):
        if new != again:
            st.error("The new passwords differ.")
        else:
            try:
                users.authenticate(db, user.name, current)
                users.set_password(db, actor, user.name, new)
                login = st.session_state.get(auth.LOGIN_KEY)
                if login is not None:  # this tab goes on; every other session has ended
                    login = auth_service.renewed(db, login)
                    st.session_state[auth.LOGIN_KEY] = login
                    if auth.has_saved_sign_in():
                        auth.remember(login)  # the old saved sign-in died with the old password
                flash("Password changed.")
                st.rerun()
            except TrackerError as exc:
                show_error(exc)

with right:
    if user.role == "viewer":
        st.markdown("**Your access**")
        st.caption(
            "Viewers read questions, evidence, forecasts and scores but do not forecast. "
            "Ask an admin if you should be a forecaster."
        )
        st.stop()
    st.markdown("**Your standing forecasts**")
    mine = [r for r in views.question_rows(db, actor) if r.my_latest is not None]
    if not mine:
        st.caption("You have not forecast yet. Open a question to make your first forecast.")
        st.page_link(nav.QUESTIONS, label="Go to the questions", icon="📋")
    else:
        mine.sort(key=lambda r: r.my_last_time or r.question.open_time, reverse=True)
        st.dataframe(
            pd.DataFrame(
                {
                    "Question": [r.question.title for r in mine],
                    "Forecast": [vector_brief(r.my_latest, r.question.options) for r in mine],
                    "Made": [when(r.my_last_time) for r in mine],
                    "Status": [r.question.state.capitalize() for r in mine],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Question": st.column_config.TextColumn(width="medium")},
        )
    coaching_panel.show(actor)
