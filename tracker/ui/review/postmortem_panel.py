"""The post-mortem of a resolved question on Review → Question review: facts, the discussion
it quotes (C1, C2…, deleted comments as tombstones), then the narrative citing both."""

import streamlit as st

from tracker.errors import TrackerError
from tracker.schemas import QuestionRead
from tracker.services import postmortem
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import esc, show_error, when


def show(question: QuestionRead) -> None:
    if question.status != "resolved":
        return
    st.subheader("Post-mortem")
    key = f"rv_pm_{question.id}"
    if (
        not st.button("Write the post-mortem", icon="🧾", key=key)
        and key + "_done" not in st.session_state
    ):
        st.caption("The facts are computed from the team's forecasts and evidence; a model (if "
                   "one is configured) writes a narrative citing them.")  # fmt: skip
        return
    st.session_state[key + "_done"] = True
    try:
        report = postmortem.postmortem(get_db(), current_actor(), question.id)
    except TrackerError as exc:
        show_error(exc)
        return
    st.markdown("**Facts** (computed by the app)")
    for fact in report.facts:
        st.markdown(f"`{fact.id}` {esc(fact.text)}")
    _discussion(report.discussion)
    narrative = report.narrative
    if narrative.sentences:
        st.markdown(
            f"**Narrative** — by {esc(narrative.engine)} {esc(narrative.model)} "
            f"(prompt `{narrative.prompt_version}`), from the facts and comments above only"
        )
        st.markdown(
            " ".join(f"{esc(s.text)} [{', '.join(s.fact_ids)}]" for s in narrative.sentences)
        )
    elif narrative.engine == "offline" and narrative.reason and "offline" in narrative.reason:
        st.caption("Offline engine: the facts without a narrative.")
    else:
        st.caption(f"No narrative: {esc(narrative.reason or 'none was written')}.")


def _discussion(talk: postmortem.Discussion) -> None:
    if not talk.notes:
        return
    label = f"**Discussion** ({talk.total} comment{'s' if talk.total != 1 else ''}"
    label += f", {len(talk.notes)} quoted)" if talk.left_out else ")"
    with st.expander(label, expanded=len(talk.notes) <= 5):
        for note in talk.notes:
            pad = "&emsp;" * min(note.depth, 4)
            head = f"{pad}`{note.id}` **{esc(note.author)}** · {when(note.at, with_time=True)}"
            if note.reply_to:
                head += f" · reply to `{note.reply_to}`"
            if note.edited and not note.deleted:
                head += " · edited"
            if note.about:
                head += f" · about {esc(note.about)}"
            if note.deleted:
                st.markdown(f"{head}: _comment deleted_")
            else:
                words = esc(" ".join(note.text.split())) + (" […]" if note.shortened else "")
                st.markdown(f"{head}: {words}")
        if talk.left_out:
            st.caption(
                f"{talk.left_out} more comment(s) are on the question's Discussion tab "
                "(the post-mortem quotes a bounded part of the thread)."
            )
