"""The resolution assistant on the admin's resolve form, and the overdue-resolutions list.

The advice is shown, never applied: the admin still picks the outcome in the form below it,
and the proposal they saw is recorded beside their decision.
"""

import streamlit as st

from tracker.errors import TrackerError
from tracker.llm.resolve import Passage, Proposal, ResolutionAdvice
from tracker.schemas import QuestionRead
from tracker.services import resolution_assist
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import badge, esc, show_error, when

_KEY = "_tracker_resolution_advice_"
_VERDICTS = {"option": "resolve as", "annul": "annul", "not_yet_knowable": "not yet knowable"}


def current_proposal(question_id: str) -> Proposal | None:
    """The proposal shown for this question in this tab, if any (kept with the decision)."""
    raw = st.session_state.get(_KEY + question_id)
    if not raw:
        return None
    advice = ResolutionAdvice.model_validate(raw)
    return advice.proposal


def _passage(p: Passage) -> None:
    mark = badge("verified quote", "green") if p.verified else badge("unverified", "orange")
    st.markdown(
        f"{mark} #{p.evidence_id} **{esc(p.title)}** · published {when(p.published_at)} · "
        f"added {when(p.added_at)}"
    )
    st.markdown(f"> {esc(p.text)}")


def show_advice(advice: ResolutionAdvice) -> None:
    proposal = advice.proposal
    if proposal is not None:
        verdict = _VERDICTS[proposal.verdict]
        target = f" **{esc(proposal.option)}**" if proposal.option else ""
        st.markdown(
            f"{badge('suggested', 'violet')} {verdict}{target} — by {esc(advice.engine)} "
            f"{esc(advice.model)} (prompt `{advice.prompt_version}`)"
        )
        if proposal.criterion_clause:
            st.markdown(f"Rests on the criterion: *{esc(proposal.criterion_clause)}*")
        for quote in proposal.quotes:
            _passage(quote)
        if proposal.reasoning:
            st.caption(esc(proposal.reasoning))
        st.caption("A suggestion only: choose the outcome yourself below.")
    elif advice.engine == "offline" and not advice.rejected:
        st.info("Offline engine: no proposal. The passages below match the criteria best.")
    else:
        st.warning(f"No proposal: {esc(advice.rejected or 'the model gave none')}.")
    if advice.passages:
        with st.expander(f"Best-matching passages ({len(advice.passages)}, offline)"):
            for passage in advice.passages:
                _passage(passage)


def suggestion_panel(question: QuestionRead) -> None:
    if question.status != "open":
        return
    key = _KEY + question.id
    if st.button("Suggest a resolution", icon="🧭", key=f"adm_suggest_{question.id}"):
        with st.spinner("Reading the linked evidence…"):
            try:
                advice = resolution_assist.suggest(get_db(), current_actor(), question.id)
            except TrackerError as exc:
                show_error(exc)
                return
        st.session_state[key] = advice.model_dump(mode="json")
    raw = st.session_state.get(key)
    if raw:
        show_advice(ResolutionAdvice.model_validate(raw))


def overdue_panel() -> None:
    try:
        late = resolution_assist.overdue(get_db(), current_actor())
    except TrackerError as exc:
        show_error(exc)
        return
    if not late:
        return
    with st.expander(f"⏰ Overdue resolutions ({len(late)})", expanded=True):
        for q in late:
            cols = st.columns([5, 2, 2])
            cols[0].markdown(f"{esc(q.title)} `{q.id}`")  # ids are [a-z0-9._-]: safe in code
            cols[1].markdown(f"closed {when(q.close_time)} · **{q.days_overdue} d** overdue")
            with cols[2]:
                nav.question_link(q.id)
