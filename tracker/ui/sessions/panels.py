"""Sections of the session page: the phase header and controls, the blind phase's live
submission board and forms, the reveal (spread, pools, rationales), the updates, the review
of blind against updated forecasts, and the export. Each renders view data from
`tracker.services.session_views`; writes go through the services."""

import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from tracker.errors import TrackerError, parse
from tracker.schemas import QuestionRead
from tracker.services import pool_scores, session_live, session_views, sessions, views
from tracker.services.session_views import SessionView
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets import charts
from tracker.ui.widgets import forecast_form as forms
from tracker.ui.widgets.pools import pools_table
from tracker.ui.widgets.render import (
    badge,
    esc,
    flash,
    pct,
    show_error,
    vector_text,
    when,
    write_text,
)

SESSION_PARAM = nav.SESSION_PARAM
PHASE_LABELS = {"blind": "Blind", "reveal": "Reveal", "update": "Update", "closed": "Closed"}
PHASE_HELP = {
    "blind": "Everyone forecasts on their own. Nobody sees anyone else's numbers until the "
    "facilitator reveals them; only who has submitted is shown.",
    "reveal": "The blind forecasts are on the table: start the discussion from the "
    "disagreements (the members furthest from the median are listed first).",
    "update": "After the discussion, members log updated forecasts; each is recorded with the "
    "session so the review can tell whether talking it through helped.",
    "closed": "The session's record is frozen. Once its questions resolve, the review below "
    "compares the blind forecasts with the updated ones.",
}
MOVE_LABELS = {
    "reveal": "End the blind phase and reveal",
    "update": "Open the update phase",
    "closed": "Close the session",
}
LIVE_EVERY = timedelta(seconds=3)


# ------------------------------------------------------------------ creating a session


def new_session_form() -> None:
    """Pick a title, open questions and participants; the creator facilitates."""
    db, actor = get_db(), current_actor()
    open_questions, members = session_views.new_session_choices(db)
    if not open_questions:
        st.info("There are no open questions to run a session on.")
        return
    titles = {q.id: q.title for q in open_questions}
    with st.form("new_session", clear_on_submit=False):
        title = st.text_input("Title", placeholder="Weekly forecasting meeting")
        picked = st.multiselect(
            "Questions", list(titles), format_func=lambda qid: titles[qid], key="ns_questions"
        )
        people = st.multiselect(
            "Participants",
            members,
            default=[actor.name] if actor.name in members else [],
            key="ns_people",
        )
        submitted = st.form_submit_button("Start the session (blind phase)", type="primary")
    if not submitted:
        return
    try:
        data = parse(
            sessions.SessionCreate,
            {"title": title, "question_ids": picked, "participants": people},
        )
        created = sessions.create_session(db, actor, data)
    except TrackerError as exc:
        show_error(exc)
        return
    flash(f"Session “{esc(created.title)}” started in its blind phase.")
    st.query_params[SESSION_PARAM] = str(created.id)
    st.rerun()


# ------------------------------------------------------------------ header and phase controls


def header(view: SessionView) -> None:
    record = view.record
    st.markdown(f"## {esc(record.title)}")
    steps = []
    for phase in sessions.PHASES:
        position = sessions.PHASES.index(phase) - sessions.PHASES.index(record.phase)
        label = PHASE_LABELS[phase]
        if position < 0:
            steps.append(badge(f"✓ {label}", "gray"))
        elif position == 0:
            steps.append(badge(f"● {label}", "blue"))
        else:
            steps.append(f":gray[{label}]")
    st.markdown(" → ".join(steps))
    st.caption(
        f"Facilitated by {esc(record.facilitator)} · {len(record.participants)} participants "
        f"({esc(', '.join(record.participants))}) · {len(record.question_ids)} question(s) · "
        f"started {when(record.created_at, with_time=True)}"
    )
    st.info(PHASE_HELP[record.phase], icon="🧭")


CONFIRM = {  # the moves that cannot be undone ask once more
    "reveal": "Everyone's blind forecasts will be shown to all participants. This cannot be "
    "undone: members who have not submitted can no longer forecast blind.",
    "closed": "The session's record will be frozen: no more updates are recorded with it. "
    "This cannot be undone.",
}


def phase_controls(view: SessionView) -> None:
    target = view.next_phase
    if target is None or not view.can_move:
        return
    pending_key = f"_confirm_move_{view.record.id}"
    with st.container(border=True):
        st.markdown("**Facilitator**")
        if view.record.phase == "blind":
            st.caption("The counter and the table below follow the submissions live.")
        if st.session_state.get(pending_key) == target:
            st.warning(CONFIRM[target], icon="⚠️")
            yes, no = st.columns(2)
            confirmed = yes.button(
                f"Yes, {MOVE_LABELS[target].lower()}", type="primary", key=f"yes_{pending_key}"
            )
            if no.button("Cancel", key=f"no_{pending_key}"):
                st.session_state.pop(pending_key, None)
                st.rerun()
            if confirmed:
                st.session_state.pop(pending_key, None)
                _move(view, target)
        elif st.button(MOVE_LABELS[target], type="primary", key=f"move_{view.record.id}"):
            if target in CONFIRM:
                st.session_state[pending_key] = target
                st.rerun()
            _move(view, target)


def _move(view: SessionView, target: str) -> None:
    try:
        sessions.advance_phase(get_db(), current_actor(), view.record.id, target)  # type: ignore[arg-type]
    except TrackerError as exc:
        show_error(exc)
        return
    flash(f"The session is now in its {PHASE_LABELS[target].lower()} phase.")
    st.rerun()


def _stamp(session_id: int, facilitating: bool) -> tuple:
    """What makes this page redraw: for the facilitator every forecast and phase change, for
    members only a phase change (their own typing is never cut short by others' updates)."""
    stamp = session_live.activity_stamp(get_db(), session_id)
    return stamp if facilitating else stamp[:1]


def follow(session_id: int, facilitating: bool) -> None:
    """Redraw the page within one poll of a change (one polling fragment per page)."""
    _follow(session_id, facilitating, _stamp(session_id, facilitating))


@st.fragment(run_every=LIVE_EVERY)
def _follow(session_id: int, facilitating: bool, stamp: tuple) -> None:
    if _stamp(session_id, facilitating) != stamp:
        st.rerun(scope="app")


# ------------------------------------------------------------------ blind phase


@st.fragment(run_every=LIVE_EVERY)
def live_board(session_id: int, phase: str, titles: dict[str, str]) -> None:
    """Who has submitted on each question, refreshed every few seconds; when the facilitator
    moves the session on, every open page follows."""
    db = get_db()
    try:
        record = sessions.get_session(db, session_id)
        status = sessions.submission_status(db, session_id)
    except TrackerError as exc:
        show_error(exc)
        return
    if record.phase != phase:
        st.rerun(scope="app")
    everywhere = set.intersection(*(set(s.submitted) for s in status)) if status else set()
    anywhere = set().union(*(set(s.submitted) for s in status)) if status else set()
    total = len(record.participants)
    st.markdown(
        f"**Who has submitted** (names only, never the numbers): {len(everywhere)} of {total} "
        f"participants on every question, {len(anywhere)} of {total} on at least one."
    )
    frame = pd.DataFrame(
        {
            "Question": [titles.get(s.question_id, s.question_id) for s in status],
            **{
                person: ["✅" if person in s.submitted else "…" for s in status]
                for person in record.participants
            },
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(f"Updates every {LIVE_EVERY.seconds} seconds.")


def blind_phase(view: SessionView) -> None:
    titles = {qid: q.title for qid, q in view.questions.items()}
    live_board(view.record.id, view.record.phase, titles)
    if not view.is_participant:
        st.caption("You are not taking part in this session; its forecasts are revealed later.")
        return
    st.subheader("Your blind forecasts")
    for qid in view.record.question_ids:
        q = view.questions[qid]
        with st.container(border=True):
            _question_heading(q)
            submitted = view.my_blind.get(qid)
            if submitted:
                st.success(
                    f"Submitted: {esc(vector_text(submitted.probabilities, q.options))} at "
                    f"{when(submitted.created_at, with_time=True)}. You can still change it "
                    "until the reveal.",
                    icon="✅",
                )
            else:
                st.warning("Not submitted yet.", icon="⏳")
            _form(view, q)


def _question_heading(q: QuestionRead) -> None:
    st.markdown(f"**{esc(q.title)}**")
    with st.expander("Resolution criteria", expanded=False):
        write_text(q.resolution_criteria or "No resolution criteria were written.")
        st.caption(f"Closes {when(q.close_time, with_time=True)} · `{q.id}`")
    nav.question_link(q.id, "Open the question, its evidence and summary")


def _form(view: SessionView, q: QuestionRead) -> None:
    if q.state != "open":
        st.info(f"This question is {q.state}; it takes no more forecasts.")
        return
    standing = view.mine.get(q.id)
    forms.forecast_form(
        q, standing.probabilities if standing else None, None, session_id=view.record.id
    )


# ------------------------------------------------------------------ reveal, update, closed


def revealed(view: SessionView) -> None:
    """One tab per question: the spread, the pools, the reasons, the updates (and the form)."""
    tabs = st.tabs([_short(view.questions[r.question_id].title) for r in view.revealed])
    for tab, item in zip(tabs, view.revealed, strict=True):
        q = view.questions[item.question_id]
        with tab:
            _question_heading(q)
            if item.withheld:
                st.info(views.HIDDEN_REASON, icon="🔒")
            elif not item.forecasts:
                st.caption("Nobody submitted a blind forecast on this question.")
            else:
                _spread(item, q)
                _blind_rationales(item, q)
            _updates(view, item, q)
            if view.record.phase == "update" and view.is_participant:
                st.markdown("**Your update**")
                _form(view, q)


def _short(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _spread(item: sessions.RevealedQuestion, q: QuestionRead) -> None:
    chart_col, numbers_col = st.columns([1.7, 1], gap="large")
    with chart_col:
        st.altair_chart(
            charts.session_strip(item.type, item.options, item.forecasts, item.aggregates),
            width="stretch",
        )
    with numbers_col:
        st.markdown(f"**{len(item.forecasts)} blind forecasts**")
        if q.type == "binary":
            a, b = st.columns(2)
            a.metric("Median", pct(item.aggregates["median"]["Yes"]))
            b.metric("Spread", pct(item.spread["Yes"]), help="Highest minus lowest P(Yes).")
            a.metric("Geo. mean of odds", pct(item.aggregates["geometric_mean_of_odds"]["Yes"]))
            b.metric("Extremized", pct(item.aggregates["extremized_log_odds"]["Yes"]))
        else:
            widest = max(item.spread, key=lambda o: item.spread[o])
            st.metric(
                "Widest spread",
                pct(item.spread[widest]),
                help=f"On “{widest}”: highest minus lowest probability.",
            )
            pools_table(item.aggregates, q)


def _blind_rationales(item: sessions.RevealedQuestion, q: QuestionRead) -> None:
    st.markdown("**Blind forecasts and reasons**, furthest from the median first")
    for f in item.forecasts:
        gap = item.distance_from_median.get(f.user, 0.0)
        st.markdown(
            f"**{esc(f.user)}** · {esc(vector_text(f.probabilities, q.options))} · "
            f":gray[{gap:.2f} from the median]"
        )
        write_text(f.rationale or "(no rationale)", muted=not f.rationale)


def _updates(view: SessionView, item: sessions.RevealedQuestion, q: QuestionRead) -> None:
    made = view.updates.get(item.question_id, [])
    if view.record.phase == "reveal":
        return
    if not made:
        st.caption("No updates yet." if view.record.phase == "update" else "Nobody updated.")
        return
    before = {f.user: f for f in item.forecasts}
    st.markdown("**Updates after the discussion**")
    for f in made:
        was = before.get(f.user)
        start = esc(vector_text(was.probabilities, q.options)) if was else "no blind forecast"
        st.markdown(
            f"**{esc(f.user)}** · {start} → {esc(vector_text(f.probabilities, q.options))} · "
            f":gray[{when(f.created_at, with_time=True)}]"
        )
        write_text(f.rationale, muted=True)


# ------------------------------------------------------------------ review


def review(view: SessionView) -> None:
    result = view.review
    if result is None:
        if view.record.phase != "blind":
            st.caption("The review of this session appears here once its questions are resolved.")
        return
    st.subheader("Review: did the discussion make us more accurate?")
    a, b, c = st.columns(3)
    a.metric(
        "Team pool Brier, after",
        _num(result.team_final_brier),
        delta=_delta(result.team_blind_brier, result.team_final_brier),
        delta_color="inverse",
        help="Brier of the median of the members' forecasts after the session (0 is perfect, "
        "2 the worst); the change is against the median of the blind forecasts.",
    )
    b.metric(
        "Median member, after",
        _num(result.median_member_final_brier),
        help="The middle member's Brier after the session, averaged over the questions.",
    )
    c.metric(
        "Pool beat the median member",
        f"{result.team_beat_median_member} of {len(result.questions)}",
        help="Questions on which the team's pooled forecast scored better than its median member.",
    )
    people = pd.DataFrame(
        {
            "Member": [p.user for p in result.people],
            "Questions": [p.questions for p in result.people],
            "Blind Brier": [p.blind_brier for p in result.people],
            "After the session": [p.final_brier for p in result.people],
            "Change": [
                None
                if p.blind_brier is None or p.final_brier is None
                else p.final_brier - p.blind_brier
                for p in result.people
            ],
        }
    )
    st.dataframe(people.round(3), hide_index=True, width="stretch")
    st.caption("Brier: lower is better. A negative change means the update helped.")
    db, actor = get_db(), current_actor()
    for item in result.questions:
        with st.expander(f"{esc(item.title)} — resolved {esc(item.resolution)}"):
            question, history = views.all_paths(db, actor, item.question_id)
            chart = charts.review_paths(
                question,
                history,
                views.aggregate_path(history, question.options),
                views.evidence_arrivals(db, item.question_id),
                actor.name,
                db.now(),
                marks=view.phase_marks(),
            )
            if chart is not None:
                st.altair_chart(chart, width="stretch")
            rows = pd.DataFrame(
                [(p.user, p.blind_brier, p.final_brier) for p in item.people]
                + [
                    (
                        f"Team pool ({pool_scores.POOL_LABELS[pool_scores.team_pool()].lower()})",
                        item.team_blind_brier,
                        item.team_final_brier,
                    ),
                    (
                        "Median member",
                        item.median_member_blind_brier,
                        item.median_member_final_brier,
                    ),
                ],
                columns=["Who", "Blind Brier", "After the session"],
            )
            st.dataframe(rows.round(3), hide_index=True, width="stretch")
    if result.pending:
        st.caption(f"{len(result.pending)} question(s) of this session are not resolved yet.")


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _delta(before: float | None, after: float | None) -> str | None:
    if before is None or after is None:
        return None
    return f"{after - before:+.3f} vs blind"


# ------------------------------------------------------------------ export


def export(view: SessionView) -> None:
    db, actor = get_db(), current_actor()
    record = sessions.export_record(db, actor, view.record.id)
    left, right, note = st.columns([1, 1, 3])
    left.download_button(
        "Download JSON",
        json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False),
        file_name=f"session-{view.record.id}.json",
        mime="application/json",
        icon=":material/download:",
    )
    right.download_button(
        "Download CSV",
        sessions.export_csv(db, actor, view.record.id),
        file_name=f"session-{view.record.id}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    if view.record.phase == "blind":
        note.caption("During the blind phase the record says who has submitted, no numbers.")
    else:
        note.caption("Blind forecasts, pools, spread, updates and rationales, for your notes.")
