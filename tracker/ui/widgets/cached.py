"""Team-wide score tables, cached per database and data version.

Scores are recomputed from every forecast, which is the expensive part of the app with a big
history. They are the same for every member (no visibility rule applies to resolved questions),
so they may be shared across sessions; the key includes `scores.data_version`, which changes
with every audited write, so a cached table is never stale. Values are plain dicts.
"""

from typing import Any

import streamlit as st

from tracker.services import scores, views
from tracker.ui.shell.context import get_db

TTL = 600


def version() -> int:
    return scores.data_version(get_db())


@st.cache_data(ttl=TTL, max_entries=16, show_spinner="Ranking the team…")
def leaderboard(url: str, data_version: int, min_questions: int, by: str) -> list[dict[str, Any]]:
    if not views.any_forecasts(get_db()):
        return []
    return [r.model_dump() for r in scores.leaderboard(get_db(), min_questions, by=by)]


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def bot_rows(url: str, data_version: int, min_questions: int, by: str) -> list[dict[str, Any]]:
    from tracker.services.bot_board import bot_rows as rows

    return [r.model_dump() for r in rows(get_db(), min_questions, by=by)]


@st.cache_data(ttl=TTL, max_entries=32, show_spinner="Computing calibration…")
def calibration(
    url: str, data_version: int, user: str, events: str, tag: str | None = None
) -> dict[str, Any]:
    if not views.any_forecasts(get_db()):
        return {"bins": [], "forecasts": 0}
    view = scores.user_calibration(get_db(), user, events, tag)  # type: ignore[arg-type]
    return view.model_dump()


@st.cache_data(ttl=TTL, max_entries=8, show_spinner="Comparing updates…")
def update_effects(url: str, data_version: int) -> list[dict[str, Any]]:
    return [e.model_dump() for e in scores.update_effects(get_db())]


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def scored_members(url: str, data_version: int) -> list[str]:
    """Everyone with a score, for pickers. Cached values are copied out on every hit, so the
    pages cache small results (these names, one question's rows), never the whole table."""
    if not views.any_forecasts(get_db()):
        return []
    return scores.scored_members(get_db())


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _question_scores(url: str, data_version: int, question_id: str) -> list[dict[str, Any]]:
    if not views.any_forecasts(get_db()):
        return []
    return [row.model_dump() for row in scores.question_scores(get_db(), question_id)]


def question_scores(question_id: str) -> list[dict[str, Any]]:
    return _question_scores(get_db().url, version(), question_id)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def review_queue(url: str, data_version: int, user: str, days: int) -> list[scores.QueueRow]:
    """The weekly review queue; a day's drift of the window within the TTL does not matter."""
    return scores.review_queue(get_db(), user, days)
