"""The frame around every page: who is signed in, sign-out, and which summary engine runs."""

import streamlit as st

from tracker.schemas import UserRead
from tracker.services import summaries
from tracker.ui.shell import auth
from tracker.ui.shell.context import settings
from tracker.ui.widgets.render import esc

ROLE_LABELS = {"admin": "Administrator", "forecaster": "Forecaster", "viewer": "Viewer (read-only)"}


def sidebar(user: UserRead) -> None:
    with st.sidebar:
        st.markdown(f"**{esc(user.label)}**  \n:gray[{ROLE_LABELS.get(user.role, user.role)}]")
        if st.button("Sign out", icon=":material/logout:", width="stretch"):
            auth.sign_out(notice="You have signed out.")
            st.rerun()
        st.divider()
        st.caption(engine_caption())
        if "demo" in settings().database_url:
            st.caption("🧪 Practice database: synthetic questions and members.")


def engine_caption() -> str:
    """One plain line on the evidence-summary engine (never a secret, never model output)."""
    status = summaries.engine_status()
    return f"Summaries: {status.description}"
