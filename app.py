"""forecast-tracker web app: page config, the login gate and navigation; each page lives in its
own folder under tracker/ui (tracker/ui/question/page.py …) and calls the services."""

import streamlit as st

from tracker.ui.shell import auth, chrome, nav

st.set_page_config(page_title="forecast-tracker", page_icon="🎯", layout="wide")

# Every page file is called page.py: url_path keeps the addresses (question?q=ID, session?s=ID).
user = auth.gate()
if user is None:
    st.navigation(
        [st.Page(nav.LOGIN, title="Sign in", icon="🔑", url_path="login")], position="hidden"
    ).run()
    st.stop()

pages = [
    st.Page(nav.QUESTIONS, title="Questions", icon="📋", url_path="questions", default=True),
    st.Page(nav.QUESTION, title="Question", icon="🎯", url_path="question", visibility="hidden"),
    st.Page(nav.EVIDENCE, title="Evidence", icon="📰", url_path="evidence"),
    st.Page(nav.SESSION, title="Sessions", icon="🤝", url_path="session"),
    st.Page(nav.REVIEW, title="Review", icon="📈", url_path="review"),
]
if user.role == "admin":
    pages.append(st.Page(nav.ADMIN, title="Admin", icon="🛠️", url_path="admin"))
pages.append(st.Page(nav.ACCOUNT, title="Account", icon="👤", url_path="account"))
page = st.navigation(pages, position="top")
chrome.sidebar(user)
page.run()
