"""The AI baseline's own, marked row under the leaderboard: does the team beat the machine?"""

import pandas as pd
import streamlit as st

from tracker.ui.widgets import cached


def show(url: str, version: int, min_questions: int, by: str, labels: dict[str, str]) -> None:
    rows = cached.bot_rows(url, version, min_questions, by)
    if not rows:
        return
    frame = pd.DataFrame(rows)
    frame.insert(0, "🤖", "AI baseline")
    table = frame.rename(
        columns={"user": "Bot", "questions": "Questions", "would_rank": "Would rank"} | labels
    )
    st.markdown("**🤖 AI baseline** — not a team member; scored against the team's median")
    st.dataframe(table.round(3), hide_index=True, width="stretch")
    st.caption(
        "“Would rank”: where the bot would stand among the members above by the chosen score. "
        "It is never counted in the team's median or in the members' ranks."
    )
