"""Review page: the leaderboard, calibration with the Murphy decomposition, the weekly queue of
recently resolved questions, and any question's trajectories against its resolution."""

import pandas as pd
import streamlit as st

from tracker.schemas import QuestionRead
from tracker.services import evidence_moves, pool_scores, questions, scores, views
from tracker.ui.review import bot_row, my_record, numeric, postmortem_panel
from tracker.ui.shell import nav
from tracker.ui.shell.context import current_actor, current_user, get_db, settings
from tracker.ui.widgets import cached, charts
from tracker.ui.widgets.render import esc, when
from tracker.ui.widgets.score_table import leaderboard_frame, my_score_line, number, score_frame

RANKINGS = {
    "relative_brier": "Relative Brier",
    "peer_score": "Peer score",
    "mean_daily_brier": "Mean daily Brier",
    "baseline_score": "Baseline score",
}
WINDOWS = {"7 days": 7, "14 days": 14, "30 days": 30, "90 days": 90, "1 year": 365}
MAX_REVIEWS = 20  # session links listed on the Sessions tab

db, actor, me = get_db(), current_actor(), current_user().name
version = cached.version()
st.title("Review")
NUMERIC = numeric.has_scores()  # the numeric tab only once a numeric or date question scored
board, calibration_tab, recent_tab, question_tab, sessions_tab, record_tab, *numeric_tab = st.tabs(
    [
        "🏆 Leaderboard",
        "🎯 Calibration",
        "🗓️ Recently resolved",
        "🔎 Question review",
        "🤝 Sessions",
        "🙋 My record",
        *(["📏 Numeric & dates"] if NUMERIC else []),
    ]
)


def paths_chart(q: QuestionRead) -> None:
    """Every member's path on one question against what happened, evidence marked."""
    if q.is_continuous:
        numeric.paths_chart(q, actor, me)
        return
    question, history = views.all_paths(db, actor, q.id)
    aggregate = views.aggregate_path(history, question.options)
    arrivals = views.evidence_arrivals(db, q.id)
    chart = charts.review_paths(question, history, aggregate, arrivals, me, db.now())
    if chart is None:
        st.caption("Nobody forecast on this question.")
    else:
        st.altair_chart(chart, width="stretch")


with board:
    left, mid, _ = st.columns([1.2, 1, 3])
    by = left.selectbox("Rank by", list(RANKINGS), format_func=RANKINGS.get, key="rv_by")
    min_q = mid.number_input("At least … questions", 1, 500, 1, key="rv_min")
    rows = cached.leaderboard(db.url, version, int(min_q), by)
    if not rows:
        st.info(
            "No scores yet. Scores appear as soon as a question the team forecast on is "
            "resolved (admins resolve questions on the Admin page)."
        )
    else:
        frame = pd.DataFrame(rows)
        st.dataframe(
            leaderboard_frame(rows, me, RANKINGS),
            hide_index=True,
            width="stretch",
            column_config={"#": st.column_config.TextColumn(width="small")},
        )
        if not frame["days_scored"].any():
            st.info(
                "No full day scored yet: every resolved question was resolved on the day it "
                "was forecast, so there is no daily Brier and everyone's relative Brier is 0. "
                "Equal scores share a rank (shown as =1)."
            )
        st.caption(
            "**Relative Brier**: your daily Brier minus the team's daily median, averaged over "
            "each question's days (negative beats the team; days before your first forecast "
            "count as the median). **Mean daily Brier**: 0 is perfect, 2 the worst. **Peer "
            "score**: Metaculus-style, positive beats the others. Averages over resolved, "
            "non-annulled questions."
        )
        if NUMERIC:
            st.caption(
                "Numeric and date questions are scored differently (CRPS, a distribution "
                "against a value): they are ranked on the 📏 Numeric & dates tab."
            )
        bot_row.show(db.url, version, int(min_q), by, RANKINGS)
        scored = frame[frame["days_scored"] > 0]
        if len(scored) >= 2:  # one bar has nothing to be compared with
            st.altair_chart(charts.relative_brier_bars(scored, me), width="stretch")
    with st.expander("Which team pool would have scored best?"):
        pooled = pool_scores.pool_scores(db, settings().extremize_factor)
        if not pooled:
            st.caption("No resolved questions with forecasts yet.")
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "Pool": [
                            p.label + (" (team default)" if p.team_default else "") for p in pooled
                        ],
                        "Questions": [p.questions for p in pooled],
                        "Mean final Brier": [number(p.mean_brier) for p in pooled],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            st.caption(
                "Each pool of the members' last forecasts before each question's end, scored "
                "like a member (0 perfect, 2 worst), best first. The team default is the "
                "TEAM_POOL setting; the question page lets you view any pool."
            )
    with st.expander("Did updating after an evidence summary help?"):
        effects = cached.update_effects(db.url, version)
        if not any(e["updates"] for e in effects):
            st.caption("Not enough resolved updates yet.")
        else:
            st.dataframe(
                pd.DataFrame(effects).rename(
                    columns={
                        "group": "Updates",
                        "updates": "Count",
                        "mean_improvement": "Mean Brier improvement",
                        "share_improved": "Share that improved",
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            st.caption("Improvement = Brier of the replaced forecast minus Brier of the update.")
    with st.expander("Which evidence moved whom?"):
        moves = evidence_moves.evidence_moves(db)
        if not moves:
            st.caption(
                "No updates made with a summary on screen on a resolved question yet. Each "
                "such update is credited to the evidence the summary cited."
            )
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "Evidence": [m.evidence_title for m in moves],
                        "Who": [m.member for m in moves],
                        "Updates": [m.updates for m in moves],
                        "Toward the outcome": [f"{m.toward_outcome} of {m.updates}" for m in moves],
                        "Mean shift of P(outcome)": [
                            number(100 * m.mean_shift, 1, signed=True) + " pts" for m in moves
                        ],
                        "Mean Brier change": [
                            number(m.mean_brier_change, signed=True) for m in moves
                        ],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            st.caption(
                "Updates made while a summary citing the item was on screen, per member and for "
                "the team (binary, multiple-choice and ordered questions). A positive shift "
                "moved toward what happened; a positive Brier change means the update scored "
                "better than the forecast it replaced."
            )

with calibration_tab:
    members = sorted({*cached.scored_members(db.url, version), me})
    who_col, kind_col = st.columns(2)
    who = who_col.selectbox("Member", members, index=members.index(me), key="rv_member")
    events = kind_col.radio(
        "Events",
        list(scores.EVENT_LABELS),
        format_func=scores.EVENT_LABELS.__getitem__,
        horizontal=True,
        key="rv_events",
        help="A binary question is one event, your P(Yes). A multiple-choice or ordered "
        "question gives one yes/no event per option (one-vs-rest).",
    )
    cal = cached.calibration(db.url, version, who, events)
    if NUMERIC:
        st.caption(
            "Calibration of numeric and date forecasts (PIT) is on the 📏 Numeric & dates tab."
        )
    bins = pd.DataFrame(
        cal["bins"], columns=["lower", "upper", "mean_forecast", "observed_frequency", "count"]
    )
    bins = bins[bins["count"] > 0].rename(columns={"observed_frequency": "observed"})
    if bins.empty:
        st.info(
            f"No resolved {'binary' if events == 'binary' else 'multiple-choice'} questions "
            f"with forecasts by {esc(who)} yet. Calibration appears once questions you forecast "
            "on are resolved."
        )
    else:
        chart_col, parts_col = st.columns([1.6, 1], gap="large")
        with chart_col:
            st.altair_chart(charts.calibration(bins), width="stretch")
            st.caption(
                (
                    "Each dot is a bin of final forecasts on binary questions, by P(Yes); "
                    if events == "binary"
                    else "Each dot is a bin of final forecasts' options, one-vs-rest (each "
                    "option of a multiple-choice question is one yes/no event); "
                )
                + "size and label = number of events. On the dashed diagonal you are "
                "calibrated: things you call 70% happen 70% of the time."
            )
        with parts_col:
            st.markdown("**Brier decomposition** (0–1 binary scale)")
            st.metric("Brier score", f"{cal['brier']:.3f}", help="Lower is better.")
            a, b = st.columns(2)
            a.metric("Reliability", f"{cal['reliability']:.3f}", help="Calibration error; lower.")
            b.metric("Resolution", f"{cal['resolution']:.3f}", help="Discrimination; higher.")
            a.metric("Uncertainty", f"{cal['uncertainty']:.3f}", help="Base-rate difficulty.")
            b.metric("Events", int(bins["count"].sum()))
            st.caption(
                f"Brier = reliability − resolution + uncertainty + within-bin variance "
                f"({cal['within_bin_variance']:.3f}) − within-bin covariance "
                f"({cal['within_bin_covariance']:.3f})."
            )
        st.dataframe(
            bins[["lower", "upper", "mean_forecast", "observed", "count"]].rename(
                columns={
                    "lower": "From",
                    "upper": "To",
                    "mean_forecast": "Mean forecast",
                    "observed": "Observed",
                    "count": "Events",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                c: st.column_config.NumberColumn(format="percent")
                for c in ("From", "To", "Mean forecast", "Observed")
            },
        )

with recent_tab:
    window = st.segmented_control("Resolved in the last", list(WINDOWS), default="7 days",
                                  key="rv_window")  # fmt: skip
    days = WINDOWS[window or "7 days"]
    queue = cached.review_queue(db.url, version, me, days)
    if not queue:
        st.info(
            f"Nothing resolved in the last {days} days. Pick a longer window, or look up any "
            "question in the Question review tab."
        )
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Question": [r.question.title for r in queue],
                    "Resolved": [when(r.question.resolved_time) for r in queue],
                    "Outcome": [numeric.outcome_text(r.question) for r in queue],
                    "Your peer score": [numeric.queue_peer(r, me) for r in queue],
                    "Your final Brier": [r.mine.brier if r.mine else None for r in queue],
                    "Your relative Brier": [
                        r.mine.relative_brier if r.mine else None for r in queue
                    ],
                    "Team median Brier": [r.median_brier for r in queue],
                    "Members": [numeric.queue_members(r) for r in queue],
                }
            ).round(3),
            hide_index=True,
            width="stretch",
            height=min(400, 38 + 35 * len(queue)),
        )
        by_id = {r.question.id: r.question for r in queue}
        picked = st.selectbox(
            "Walk through",
            list(by_id),
            format_func=lambda qid: (
                f"{by_id[qid].title} — resolved {numeric.outcome_text(by_id[qid])}"
            ),
            key="rv_recent_pick",
        )
        q = by_id[picked or next(iter(by_id))]
        with st.container(border=True, key="rv_recent_detail"):
            st.markdown(f"**{esc(q.title)}** — resolved **{esc(numeric.outcome_text(q))}**")
            st.caption(f"Resolved {when(q.resolved_time)} · {q.id}")
            if q.resolution_note:
                st.markdown(esc(q.resolution_note))
            paths_chart(q)
            rows = [] if q.is_continuous else cached.question_scores(q.id)
            if q.is_continuous:
                numeric.scores_table(q, me, with_line=True)
            elif rows:
                line = my_score_line(rows, me)
                if line:
                    st.markdown(line)
                st.dataframe(score_frame(rows, me), hide_index=True, width="stretch")
            nav.question_link(q.id, "Open the question and its rationales")

with question_tab:
    done = [
        q for q in questions.list_questions(db) if q.state in ("resolved", "closed", "annulled")
    ]
    if not done:
        st.info("No closed or resolved questions yet.")
    else:
        titles = {q.id: q for q in sorted(done, key=lambda q: q.close_time, reverse=True)}
        chosen = st.selectbox(
            "Question",
            list(titles),
            format_func=lambda qid: f"{titles[qid].title} ({titles[qid].state})",
            key="rv_question",
        )
        q = titles[chosen]
        if q.status == "resolved":
            st.markdown(f"Resolved **{esc(numeric.outcome_text(q))}** on {when(q.resolved_time)}.")
        elif q.is_continuous:
            state = "Annulled" if q.status == "annulled" else "Closed, not resolved yet"
            st.caption(f"{state}: the chart shows each member's median and 80 % interval.")
        else:
            state = "Annulled" if q.status == "annulled" else "Closed, not resolved yet"
            st.caption(
                f"{state}: the chart shows each member's probability of the first option, "
                f"“{esc(q.options[0])}”."
            )
        paths_chart(q)
        rows = [] if q.is_continuous else cached.question_scores(q.id)
        if q.is_continuous:
            numeric.scores_table(q, me)
        elif rows:
            st.dataframe(score_frame(rows, me), hide_index=True, width="stretch")
        elif q.status == "annulled":
            st.caption("Annulled: not scored.")
        postmortem_panel.show(q)
        nav.question_link(q.id, "Open the question")

with sessions_tab:
    session_pool = st.selectbox(
        "Team pool",
        list(pool_scores.POOL_LABELS),
        index=list(pool_scores.POOL_LABELS).index(pool_scores.team_pool()),
        format_func=pool_scores.POOL_LABELS.get,
        key="rv_session_pool",
        help="Which pool stands for the team below (the team's default is TEAM_POOL).",
    )
    reviewed = scores.session_reviews(db, pool=session_pool, factor=settings().extremize_factor)
    if not reviewed:
        st.info(
            "No team session has a resolved question yet. Once one does, this tab compares "
            "the blind forecasts with the updated ones: did the discussion help?"
        )
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Session": [record.title for record, _ in reviewed],
                    "Resolved": [
                        f"{len(r.questions)} of {len(r.questions) + len(r.pending)}"
                        for _, r in reviewed
                    ],
                    "Team pool, blind": [r.team_blind_brier for _, r in reviewed],
                    "Team pool, after": [r.team_final_brier for _, r in reviewed],
                    "Median member, after": [r.median_member_final_brier for _, r in reviewed],
                    "Pool beat median member": [
                        f"{r.team_beat_median_member} of {len(r.questions)}" for _, r in reviewed
                    ],
                }
            ).round(3),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "Brier of the team's median pool on the session's resolved questions, from the "
            "blind forecasts and from the forecasts standing after the session (lower is better)."
        )
        for record, _ in reviewed[:MAX_REVIEWS]:
            nav.session_link(record.id, f"Review “{esc(record.title)}”")

with record_tab:
    my_record.show(actor, version, paths_chart)

for tab in numeric_tab:
    with tab:
        numeric.section(me)
