"""Admin panels for the team and the data: users and roles, import/export, the LLM engine and
the audit log."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from tracker import interchange
from tracker.errors import TrackerError, parse
from tracker.schemas import UserCreate
from tracker.services import session_views, summaries, users
from tracker.ui.shell.context import current_actor, get_db, settings
from tracker.ui.widgets.render import esc, flash, show_error, when

ROLES = ["forecaster", "viewer", "admin"]


def users_panel() -> None:
    db, actor = get_db(), current_actor()
    people = users.list_users(db)
    st.dataframe(
        pd.DataFrame(
            {
                "User": [u.name for u in people],
                "Display name": [u.display_name for u in people],
                "Role": [u.role for u in people],
                "Active": [u.is_active for u in people],
                "Can sign in": [u.has_password for u in people],
                "Since": [when(u.created_at) for u in people],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    add, manage = st.columns(2, gap="large")
    with add, st.form("adm_user_add", clear_on_submit=True):
        st.markdown("**Add a member**")
        name = st.text_input("User name")
        display = st.text_input("Display name (optional)")
        role = st.selectbox("Role", ROLES)
        password = st.text_input("Initial password (at least 8 characters)", type="password")
        if st.form_submit_button("Add member", type="primary"):
            try:
                data = parse(
                    UserCreate,
                    {"name": name.strip(), "display_name": display, "role": role,
                     "password": password or None},
                )  # fmt: skip
                users.create_user(db, actor, data)
                flash(f"Added {data.name} as {role}.")
                st.rerun()
            except TrackerError as exc:
                show_error(exc)
    with manage:
        st.markdown("**Manage a member**")
        names = [u.name for u in people]
        who = st.selectbox("Member", names, key="adm_user_pick")
        user = next(u for u in people if u.name == who)
        new_role = st.selectbox("Role", ROLES, index=ROLES.index(user.role), key="adm_user_role")
        if st.button("Change role", disabled=new_role == user.role):
            _do(lambda: users.set_role(db, actor, who, new_role), f"{who} is now {new_role}.")
        pw = st.text_input("New password", type="password", key="adm_user_pw")
        if st.button("Reset password", disabled=not pw):
            _do(lambda: users.set_password(db, actor, who, pw), f"Password of {who} reset.")
        if user.is_active:
            if st.button("Deactivate", help="They are signed out at their next click."):
                _do(lambda: users.set_active(db, actor, who, False), f"{who} deactivated.")
        elif st.button("Reactivate"):
            _do(lambda: users.set_active(db, actor, who, True), f"{who} reactivated.")


def _do(action: Callable[[], object], message: str) -> None:
    try:
        action()
    except TrackerError as exc:
        show_error(exc)
        return
    flash(message)
    st.rerun()


def data_panel() -> None:
    db, actor = get_db(), current_actor()
    st.markdown("**Export** — the interchange format other instances and `tracker import` read.")
    blocked = session_views.export_blocked_by(db, actor)
    if blocked:
        st.info(
            f"You take part in the blind phase of {esc(', '.join(blocked))}: the others' "
            "blind forecasts are left out of your download until the reveal.",
            icon="🔒",
        )
    everything = st.checkbox(
        "Show everything (for an audit: includes forecasts you could not see on the question "
        "pages; recorded in the audit trail)",
        key="adm_export_everything",
    )
    cols = st.columns(2)
    cols[0].download_button(
        "Download JSON (questions and forecasts)",
        data=lambda: session_views.export_for(db, actor, show_everything=everything),
        file_name="forecast-tracker-export.json",
        mime="application/json",
        icon="⬇️",
    )
    cols[1].download_button(
        "Download CSV (one row per forecast and option)",
        data=lambda: session_views.export_csv_for(db, actor, show_everything=everything),
        file_name="forecast-tracker-forecasts.csv",
        mime="text/csv",
        icon="⬇️",
    )
    st.divider()
    st.markdown(
        "**Import** — all or nothing: a file with any invalid row changes nothing, and "
        "importing the same file twice adds nothing."
    )
    upload = st.file_uploader("Interchange JSON file", type=["json"], key="adm_import_file")
    if upload is not None and st.button("Import this file", type="primary"):
        try:
            summary = interchange.import_text(db, actor, upload.getvalue())
        except TrackerError as exc:
            show_error(exc, prefix="Nothing was imported: ")
            return
        st.success(
            f"Imported {summary.questions_added} question(s) and {summary.forecasts_added} "
            f"forecast(s); {summary.questions_unchanged} question(s) and "
            f"{summary.forecasts_unchanged} forecast(s) were already here; "
            f"{summary.users_added} new member(s) (they need a password to sign in)."
        )


def engine_panel() -> None:
    status = summaries.engine_status()
    if status.configured:
        st.success(f"Active engine: {status.description}", icon="🤖")
    else:
        st.info(f"Active engine: {status.description}", icon="📄")
    s = settings()
    st.dataframe(
        pd.DataFrame(
            {
                "Setting": ["Engine", "Model", "Server", "API key", "Timeout", "Retries"],
                "Value": [
                    status.name,
                    status.model,
                    s.openai_base_url or ("OpenAI" if s.openai_api_key else "—"),
                    "set" if s.openai_api_key else "not set",
                    f"{s.llm_timeout_s:g} s",
                    str(s.llm_max_retries),
                ],
            }
        ),
        hide_index=True,
    )
    st.caption(
        "Configure with environment variables on the server: OPENAI_API_KEY, OPENAI_BASE_URL "
        "(any OpenAI-compatible server, e.g. a local Ollama or vLLM), LLM_MODEL; then restart."
    )


def audit_panel() -> None:
    everything = st.checkbox(
        "Show everything (unmasks forecasts you could not see on the question pages; this look "
        "is recorded in the audit trail)",
        key="adm_audit_everything",
    )
    events = session_views.audit_events_for(
        get_db(), current_actor(), limit=300, show_everything=everything
    )
    if not events:
        st.caption("No events yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "When": [when(e.at, with_time=True) for e in events],
                "Who": [e.actor for e in events],
                "Action": [e.action for e in events],
                "What": [f"{e.entity_type} {e.entity_id}" for e in events],
                "Change": [str(e.after or "") for e in events],
            }
        ),
        hide_index=True,
        width="stretch",
        height=420,
    )
