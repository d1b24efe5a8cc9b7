"""Numeric and date questions on the Review page: their outcome in words, one question's
score table and chart, and the numeric tab (leaderboard by mean peer score, the team pool's
score, PIT calibration). Scores come from `tracker.services.numeric_scores`."""

import pandas as pd
import streamlit as st

from tracker.quantities import format_value, outcome_value
from tracker.schemas import Actor, QuestionRead
from tracker.services import numeric_scores, questions, views
from tracker.services.numeric_scores import TEAM_POOL, NumericScoreRow
from tracker.services.scores import QueueRow
from tracker.ui.review import numeric_charts
from tracker.ui.shell.context import get_db
from tracker.ui.widgets.render import esc
from tracker.ui.widgets.score_table import number

SCORES_SAID = (
    "**CRPS**: the distance between the forecast distribution and the outcome, in the "
    "question's unit (days for dates); lower is better. **Log**: the log density at the "
    "outcome relative to a uniform forecast. **Baseline**: against the uniform forecast over "
    "the range, higher is better. **Peer**: against the other members, positive beats them. "
    "Scores are averaged over the time each forecast stood."
)


def outcome_text(q: QuestionRead) -> str:
    """'81 USD/bbl', '2026-11-22', 'above the range' ('' while unresolved)."""
    if not q.is_continuous or q.resolution is None or q.range is None:
        return q.resolution or ""
    value = outcome_value(q.type, q.resolution)
    if isinstance(value, str):
        return f"{value} the range"
    return format_value(q.type, value, q.range.unit)


def crps_unit(q: QuestionRead) -> str:
    if q.type == "date":
        return "days"
    return q.range.unit if q.range else ""


def queue_peer(row: QueueRow, me: str) -> float | None:
    """My peer score on a recently resolved question of any type (None: not scored)."""
    if not row.question.is_continuous:
        return row.mine.peer_score if row.mine else None
    rows = numeric_scores.question_scores(get_db(), row.question.id)
    return next((r.peer for r in rows if r.user == me), None)


def queue_members(row: QueueRow) -> int:
    """How many members were scored (the categorical queue counts none on numeric ones)."""
    if not row.question.is_continuous:
        return row.members
    rows = numeric_scores.question_scores(get_db(), row.question.id)
    return sum(1 for r in rows if r.peer is not None)


def _name(user: str, me: str) -> str:
    return "Team pool" if user == TEAM_POOL else f"{user} (you)" if user == me else user


def score_frame(q: QuestionRead, rows: list[NumericScoreRow], me: str) -> pd.DataFrame:
    unit = crps_unit(q)
    return pd.DataFrame(
        {
            "Member": [_name(r.user, me) for r in rows],
            "Forecasts": [r.forecasts for r in rows],
            f"CRPS ({unit})" if unit else "CRPS": [number(r.crps, 3) for r in rows],
            "Log score": [number(r.log, 3, signed=True) for r in rows],
            "Baseline score": [number(r.baseline, 1, signed=True) for r in rows],
            "Peer score": [number(r.peer, 1, signed=True) for r in rows],
        }
    )


def my_line(q: QuestionRead, rows: list[NumericScoreRow], me: str) -> str | None:
    mine = next((r for r in rows if r.user == me), None)
    if mine is None:
        return None
    return (
        f"**Your score:** CRPS {number(mine.crps)} {crps_unit(q)} · baseline "
        f"{number(mine.baseline, 1, signed=True)} · peer {number(mine.peer, 1, signed=True)}"
    )


def paths_chart(q: QuestionRead, actor: Actor, me: str) -> None:
    """The members' medians and 80 % intervals over time against the outcome."""
    db = get_db()
    points = numeric_scores.numeric_paths(db, actor, q.id)
    chart = numeric_charts.paths(q, points, views.evidence_arrivals(db, q.id), me, db.now())
    if chart is None:
        st.caption("Nobody forecast on this question.")
    else:
        st.altair_chart(chart, width="stretch")
        st.caption(
            "Each line is a member's median after each forecast, the shaded band their 80 % "
            "interval (10th to 90th percentile); red is the team's pool (the mean of the "
            "members' distributions)."
        )


def scores_table(q: QuestionRead, me: str, with_line: bool = False) -> None:
    rows = numeric_scores.question_scores(get_db(), q.id)
    if not rows:
        if q.status == "annulled":
            st.caption("Annulled: not scored.")
        return
    line = my_line(q, rows, me) if with_line else None
    if line:
        st.markdown(line)
    st.dataframe(score_frame(q, rows, me), hide_index=True, width="stretch")
    st.caption(SCORES_SAID)


def has_scores() -> bool:
    return bool(numeric_scores.numeric_leaderboard(get_db()))


def section(me: str) -> None:
    """The numeric tab: the board, the pool's line, per-question CRPS and PIT calibration."""
    db = get_db()
    board = numeric_scores.numeric_board(db)
    members = [b for b in board if b.user != TEAM_POOL]
    if not members:
        st.info("No resolved numeric or date question has been scored yet.")
        return
    st.markdown("**Numeric and date questions — by mean peer score**")
    st.dataframe(
        pd.DataFrame(
            {
                "#": [str(i) for i in range(1, len(members) + 1)],
                "Member": [_name(b.user, me) for b in members],
                "Questions": [b.questions for b in members],
                "Mean peer score": [number(b.peer, 1, signed=True) for b in members],
                "Mean baseline score": [number(b.baseline, 1, signed=True) for b in members],
                "Mean log score": [number(b.log, 3, signed=True) for b in members],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"#": st.column_config.TextColumn(width="small")},
    )
    pool = next((b for b in board if b.user == TEAM_POOL), None)
    if pool is not None:
        a, b, c = st.columns(3)
        a.metric(
            "Team pool: mean baseline",
            number(pool.baseline, 1, signed=True),
            help="The mean of the members' distributions, scored like a member.",
        )
        b.metric("Team pool: mean log score", number(pool.log, 3, signed=True))
        c.metric("Questions", pool.questions)
        best = max(members, key=lambda m: m.baseline)
        verdict = "beat" if pool.baseline > best.baseline else "did not beat"
        st.caption(
            f"The team's pool {verdict} its best member by baseline score "
            f"({number(pool.baseline, 1, signed=True)} against {esc(_name(best.user, me))}'s "
            f"{number(best.baseline, 1, signed=True)})."
        )
    st.caption(
        SCORES_SAID + " CRPS is in each question's unit, so it is not averaged: see it per "
        "question below."
    )
    with st.expander("Scores per question (CRPS in the question's unit)"):
        _per_question(me)
    _calibration(me, [b.user for b in members])


def _per_question(me: str) -> None:
    db = get_db()
    done = [q for q in _resolved() if q.is_continuous]
    for q in done:
        rows = numeric_scores.question_scores(db, q.id)
        if rows:
            st.markdown(f"**{esc(q.title)}** — resolved **{esc(outcome_text(q))}**")
            st.dataframe(score_frame(q, rows, me), hide_index=True, width="stretch")


def _resolved() -> list[QuestionRead]:
    return questions.list_questions(get_db(), states={"resolved"})


def _calibration(me: str, members: list[str]) -> None:
    st.markdown("**Calibration of numeric and date forecasts (PIT)**")
    who = st.selectbox(
        "Member",
        members,
        index=members.index(me) if me in members else 0,
        key="rv_pit_member",
    )
    pit = numeric_scores.member_pit_histogram(get_db(), who or members[0])
    chart_col, words_col = st.columns([1.6, 1], gap="large")
    with chart_col:
        st.altair_chart(numeric_charts.pit_bars(pit), width="stretch")
    outside = (pit.counts[0] + pit.counts[-1]) / pit.values if pit.values else 0.0
    with words_col:
        st.metric("Outcomes", pit.values)
        st.metric("Outside the 80 % interval", f"{outside:.0%}", help="Calibrated: about 20 %.")
        st.markdown(_verdict(pit.values, outside))
    st.caption(
        "Each bar is the share of outcomes that fell in that tenth of the member's final "
        "distribution (the PIT: 0 % at its bottom, 100 % at its top). **Flat bars, all near "
        "the dashed line, mean well calibrated**: things given a 10 % chance happened 10 % of "
        "the time. Tall bars at both ends mean the intervals were too narrow "
        "(overconfident); a hump in the middle, too wide; bars piled on one side, forecasts "
        "set too high or too low."
        + (
            f" With {pit.values} outcomes, expect the bars to be uneven by chance."
            if pit.values < 30
            else ""
        )
    )


def _verdict(values: int, outside: float) -> str:
    """The histogram in one sentence: too few outcomes, intervals too narrow, too wide, or
    about right (a calibrated forecaster's 80 % intervals miss one outcome in five)."""
    if values < 10:
        return f"Too few outcomes ({values}) to judge calibration yet: ten or more tell more."
    expected = "than the 20 % expected: the intervals were"
    if outside > 0.3:
        return f"More outcomes fell outside the 80 % intervals {expected} **too narrow**."
    if outside < 0.1:
        return f"Fewer outcomes fell outside the 80 % intervals {expected} **too wide**."
    return (
        "About one outcome in five fell outside the 80 % intervals, as for a **well "
        "calibrated** forecaster."
    )
