"""Sign-in page: the first-run admin form on an empty database, else name and password
(plus single sign-on when configured)."""

import streamlit as st

from tracker.services import auth as auth_service
from tracker.ui.shell import auth
from tracker.ui.shell.context import get_db

_, middle, _ = st.columns([1, 1.4, 1])
with middle:
    st.title("🎯 forecast-tracker")
    st.caption("Team forecasting: questions, evidence summaries, calibrated updates, scores.")
    notice = st.session_state.pop(auth.NOTICE_KEY, None)
    if notice:
        st.info(notice)
    if auth_service.needs_first_admin(get_db()):
        auth.first_admin_form()
    else:
        auth.password_form()
        auth.oidc_button()
        if auth.oidc_signed_in():
            st.warning("Your single sign-on account is not linked to a user here.")
            if st.button("Sign out of single sign-on"):
                st.logout()
