"""Links between pages (file pages, so the same paths work under AppTest and in the browser)."""

import streamlit as st

QUESTIONS = "tracker/ui/pages/questions.py"
QUESTION = "tracker/ui/pages/question.py"
EVIDENCE = "tracker/ui/pages/evidence.py"
REVIEW = "tracker/ui/pages/review.py"
ADMIN = "tracker/ui/pages/admin.py"
QUESTION_PARAM = "q"


def open_question(question_id: str) -> None:
    st.switch_page(QUESTION, query_params={QUESTION_PARAM: question_id})


def question_link(question_id: str, label: str = "Open question", icon: str = "🎯") -> None:
    """A page link to one question; `label` must be our own text (links render markdown)."""
    st.page_link(QUESTION, label=label, icon=icon, query_params={QUESTION_PARAM: question_id})
