"""The resolution assistant on the admin's resolve form, and the overdue-resolutions list.

The advice is shown, never applied: the admin still picks the outcome in the form below it,
and the proposal they saw is recorded beside their decision.
"""

from datetime import date

import streamlit as st

from tracker.errors import TrackerError, parse
from tracker.llm.resolve import Passage, Proposal, ResolutionAdvice
from tracker.quantities import format_value, iso_date
from tracker.schemas import QuestionRead, Resolution
from tracker.services import resolution_assist
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import badge, esc, flash, show_error, when

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
    if question.is_continuous:
        st.caption(
            "The resolution assistant proposes options; for a numeric or date question, read "
            "the linked evidence and enter the value below."
        )
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


VALUE, BELOW, ABOVE, ANNUL = "A value", "Below the range", "Above the range", "Annul"


def outcome_choices(question: QuestionRead) -> list[str]:
    """A value always; below or above only where that bound is open; annul."""
    assert question.range is not None
    choices = [VALUE]
    if question.range.open_lower:
        choices.append(BELOW)
    if question.range.open_upper:
        choices.append(ABOVE)
    return [*choices, ANNUL + " (excluded from all scores)"]


def _value_widget(question: QuestionRead, key: str) -> object:
    assert question.range is not None
    if question.type == "date":
        start = date.fromisoformat(iso_date(round(float(question.range.lower)))[:10])
        return st.date_input("Outcome date", value=start, key=key,
                             min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))  # fmt: skip
    unit = f" ({question.range.unit})" if question.range.unit else ""
    return st.number_input(f"Outcome value{unit}", value=None, format="%g", key=key)


def continuous_resolve_form(question: QuestionRead) -> None:
    """Resolve a numeric question to a number, a date question to a date, or below/above the
    range where that bound is open; the service checks the value against the range."""
    from tracker.ui.admin.questions import resolution_details

    assert question.range is not None
    spec = question.range
    low, high = (format_value(question.type, float(b), spec.unit) for b in (spec.lower, spec.upper))
    with st.form(f"adm_resolve_{question.id}"):
        st.markdown("**Resolve or annul**")
        st.caption(
            f"Range {esc(low)} ({'open' if spec.open_lower else 'closed'}) to {esc(high)} "
            f"({'open' if spec.open_upper else 'closed'}). A value beyond a closed bound "
            "resolves at the bound."
        )
        choice = st.radio(
            "Outcome", outcome_choices(question), index=0, horizontal=True,
            key=f"adm_res_kind_{question.id}",
        )  # fmt: skip
        value = _value_widget(question, f"adm_res_value_{question.id}")
        data, confirm, submitted = resolution_details(question)
    if not submitted:
        return
    if choice == VALUE:
        if value is None:
            st.error("Enter the outcome value (or choose below / above the range, or annul).")
            return
        data["value"] = value.isoformat() if isinstance(value, date) else float(value)
    elif choice in (BELOW, ABOVE):
        data["value"] = "below" if choice == BELOW else "above"
    else:
        data["annul"] = True
    if not confirm:
        st.error("Tick the confirmation box first: resolving cannot be undone.")
        return
    try:
        done = resolution_assist.decide(
            get_db(), current_actor(), question.id, parse(Resolution, data)
        )
    except TrackerError as exc:
        show_error(exc)
        return
    if done.status == "annulled":
        flash("Annulled. Scores update on the Review page.")
    else:
        from tracker.ui.question.continuous import outcome_text

        flash(f"Resolved **{esc(outcome_text(done))}**. Scores update on the Review page.")
    st.rerun()
