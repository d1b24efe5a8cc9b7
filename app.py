"""forecast-tracker web app: page config, the login gate and navigation; pages live in
tracker/ui/pages and call the services."""

import streamlit as st

from tracker.ui import auth, chrome

st.set_page_config(page_title="forecast-tracker", page_icon="🎯", layout="wide")

PAGES = "tracker/ui/pages"
user = auth.gate()
if user is None:
    st.navigation(
        [st.Page(f"{PAGES}/login.py", title="Sign in", icon="🔑")], position="hidden"
    ).run()
    st.stop()

pages = [
    st.Page(f"{PAGES}/questions.py", title="Questions", icon="📋", default=True),
    st.Page(f"{PAGES}/question.py", title="Question", icon="🎯", visibility="hidden"),
    st.Page(f"{PAGES}/evidence.py", title="Evidence", icon="📰"),
    st.Page(f"{PAGES}/session.py", title="Sessions", icon="🤝"),
    st.Page(f"{PAGES}/review.py", title="Review", icon="📈"),
]
if user.role == "admin":
    pages.append(st.Page(f"{PAGES}/admin.py", title="Admin", icon="🛠️"))
pages.append(st.Page(f"{PAGES}/account.py", title="Account", icon="👤"))
page = st.navigation(pages, position="top")
chrome.sidebar(user)
page.run()
