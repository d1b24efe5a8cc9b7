"""Admin page: questions (create, edit, resolve, annul, drafts from an article), members and
roles, import/export, the LLM engine, the audit log and notifications. Services re-check the
admin role."""

import streamlit as st

from tracker.services import questions
from tracker.ui.admin import bot_panel as admin_bots
from tracker.ui.admin import deliveries as admin_deliveries
from tracker.ui.admin import lint_panel as admin_lint
from tracker.ui.admin import questions as admin_questions
from tracker.ui.admin import resolution_panel as admin_resolution
from tracker.ui.admin import team as admin_team
from tracker.ui.shell import nav
from tracker.ui.shell.context import get_db, is_admin
from tracker.ui.widgets.render import show_flash, state_badge

st.title("Admin")
if not is_admin():
    st.error("Only admins can open this page.")
    st.stop()
show_flash()

q_tab, draft_tab, users_tab, data_tab, engine_tab, audit_tab, notify_tab = st.tabs(
    ["📝 Questions", "🤖 Draft from article", "👥 Members", "⇅ Import / export", "⚙️ LLM engine",
     "📜 Audit log", "📣 Notifications"]
)  # fmt: skip

with q_tab:
    admin_resolution.overdue_panel()
    all_questions = questions.list_questions(get_db())
    titles = {q.id: q for q in all_questions}
    just_made = st.session_state.pop(admin_questions.SELECT_KEY, None)
    if just_made in titles:  # open the question just created
        st.query_params[nav.QUESTION_PARAM] = just_made
        st.session_state.pop("adm_q_pick", None)
    requested = st.query_params.get(nav.QUESTION_PARAM)
    new_label = "➕ New question"
    choices = [new_label, *titles]
    chosen = st.selectbox(
        "Question",
        choices,
        index=choices.index(requested) if requested in titles else 0,
        format_func=lambda c: c if c == new_label else f"{titles[c].title} · {titles[c].state}",
        key="adm_q_pick",
    )
    if chosen == new_label:
        admin_questions.create_form()
    else:
        q = titles[chosen]
        st.markdown(f"{state_badge(q.state)} `{q.id}`")
        nav.question_link(q.id)
        resolve_col, edit_col = st.columns(2, gap="large")
        with resolve_col:
            admin_resolution.suggestion_panel(q)
            admin_questions.resolve_form(q)
        with edit_col:
            admin_questions.edit_form(q)
            admin_lint.question_panel(q.id)

with draft_tab:
    admin_questions.drafts_panel()
with users_tab:
    admin_team.users_panel()
    admin_bots.show()
with data_tab:
    admin_team.data_panel()
with engine_tab:
    admin_team.engine_panel()
with audit_tab:
    admin_team.audit_panel()
with notify_tab:
    admin_deliveries.deliveries_panel()
