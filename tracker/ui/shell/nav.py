"""Links between pages (file pages, so the same paths work under AppTest and in the browser).

Every page file is called page.py, so app.py gives each its `url_path` (the address a link such
as `question?q=ID` uses)."""

import streamlit as st

QUESTIONS = "tracker/ui/questions/page.py"
QUESTION = "tracker/ui/question/page.py"
EVIDENCE = "tracker/ui/evidence/page.py"
REVIEW = "tracker/ui/review/page.py"
SESSION = "tracker/ui/sessions/page.py"
ADMIN = "tracker/ui/admin/page.py"
ACCOUNT = "tracker/ui/account/page.py"
LOGIN = "tracker/ui/login/page.py"
QUESTION_PARAM = "q"
SESSION_PARAM = "s"


def open_question(question_id: str) -> None:
    st.switch_page(QUESTION, query_params={QUESTION_PARAM: question_id})


def question_link(question_id: str, label: str = "Open question", icon: str = "🎯") -> None:
    """A page link to one question; `label` must be our own text (links render markdown)."""
    st.page_link(QUESTION, label=label, icon=icon, query_params={QUESTION_PARAM: question_id})


def session_link(session_id: int, label: str = "Open the session", icon: str = "🤝") -> None:
    """A page link to one team session; `label` must be our own text."""
    st.page_link(SESSION, label=label, icon=icon, query_params={SESSION_PARAM: str(session_id)})
