"""What every page needs: the shared database handle and who is acting in this browser tab.

The database handle and the background summary refresher are the only things cached across
sessions (one per URL, per server process).
The user is re-read from the database on every run by the login gate in app.py and kept in this
tab's session state for the pages of the same run; nothing per-user is cached globally.
"""

import streamlit as st

from tracker.config import Settings, get_settings
from tracker.db import Database
from tracker.schemas import Actor, UserRead
from tracker.services import users
from tracker.services.summary_refresh import BackgroundRefresher

USER_KEY = "_tracker_user"


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    return Database(url)


def get_db() -> Database:
    return _database(get_settings().database_url)


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def _refresher(url: str) -> BackgroundRefresher:
    return BackgroundRefresher()


def summary_refresher() -> BackgroundRefresher:
    """The process's background summary refresher (a queue; its results live in the database)."""
    return _refresher(get_settings().database_url)


def set_current_user(user: UserRead | None) -> None:
    if user is None:
        st.session_state.pop(USER_KEY, None)
    else:
        st.session_state[USER_KEY] = user


def current_user() -> UserRead:
    """The signed-in user of this run (the gate in app.py guarantees there is one)."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        st.stop()
    return user


def current_actor() -> Actor:
    return users.actor_for(current_user())


def can_forecast() -> bool:
    return current_user().role != "viewer"


def is_admin() -> bool:
    return current_user().role == "admin"
