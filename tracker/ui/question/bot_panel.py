"""The AI baseline's forecast on the question page: hidden until the member has forecast.

What is shown comes from `views.question_view` (the shared visibility rule); this panel only
says why nothing is shown and which engine and model made what is.
"""

import streamlit as st

from tracker.schemas import ForecastRead, QuestionRead
from tracker.services import bots, summaries
from tracker.services.views import QuestionView
from tracker.ui.shell.context import get_db
from tracker.ui.widgets.render import esc, vector_text, when


def _said(question: QuestionRead, f: ForecastRead) -> str:
    if question.is_continuous:
        from tracker.ui.question.continuous import forecast_words

        return forecast_words(question, f)
    return vector_text(f.probabilities, question.options)


def show(view: QuestionView, question: QuestionRead) -> None:
    db = get_db()
    enabled = [b for b in bots.list_bots(db) if b.is_active]
    if not enabled and not view.bot_forecasts:
        return
    st.markdown("**🤖 AI baseline** — a machine's forecast, not a team member's")
    if view.bot_forecasts:
        latest = {}
        for f in view.bot_forecasts:
            latest[f.user] = f
        made = bots.provenance(db, [f.id for f in latest.values()])
        for name, f in sorted(latest.items()):
            how = made.get(f.id)
            by = f"{how.engine} {how.model}" if how else "a model"
            st.markdown(
                f"`{name}`: **{esc(_said(question, f))}** · "
                f"{when(f.created_at, with_time=True)} · by {esc(by)}"
            )
            st.caption(esc(f.rationale))
        return
    hidden = question.state == "open" and not view.mine
    if not summaries.engine_status().configured:
        st.caption(
            "The offline engine is active, so the AI baseline makes no forecasts"
            + (" (an earlier one stays hidden until you make your own)." if hidden else ".")
        )
    elif hidden:
        st.info("The AI baseline's forecast stays hidden until you make your own.", icon="🔒")
    else:
        st.caption("The AI baseline has not forecast this question yet.")
