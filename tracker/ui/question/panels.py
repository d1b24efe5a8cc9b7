"""Sections of the question page, each a small render function over view data."""

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from tracker.db import Database
from tracker.errors import TrackerError
from tracker.schemas import Actor, QuestionRead, QuestionRevisionRead
from tracker.services import summaries, views
from tracker.services.summary_refresh import Freshness, freshness_of, refresh_summaries
from tracker.ui.question import continuous
from tracker.ui.question.summary import render_summary
from tracker.ui.shell import nav
from tracker.ui.shell.context import summary_refresher
from tracker.ui.widgets import cached
from tracker.ui.widgets.render import esc, safe_url, show_error, vector_text, when, write_text
from tracker.ui.widgets.score_table import my_score_line, score_frame


def criteria(q: QuestionRead) -> None:
    with st.container(border=True):
        st.markdown("**Resolves by**")
        write_text(q.resolution_criteria or "No resolution criteria were written.")
        st.caption(
            f"Opened {when(q.open_time, with_time=True)} · "
            f"closes {when(q.close_time, with_time=True)}"
        )
        if q.resolution_note or q.resolution_source:
            st.markdown("**Resolution note**")
            write_text(q.resolution_note)
            if q.resolution_source:
                st.caption("Source: " + esc(q.resolution_source))


def summary_section(db: Database, view: views.QuestionView, actor: Actor) -> int | None:
    """The newest summary, never passed off as current when evidence arrived after it: a
    stale one is refreshed in the background (the page does not wait) and shown under a
    banner saying how many items came since. Returns the id of the summary on screen."""
    q = view.question
    stored = summaries.latest_summary(db, q.id)
    linked = {e.evidence_id: e.title for e in view.evidence}
    fresh = freshness_of(db, [q.id])[q.id]
    refresher = summary_refresher()
    if fresh.stale and q.id not in refresher.pending():
        refresher.submit(db, Actor.system(), [q.id])  # the team's summary: what is new since
    if fresh.stale:
        _refreshing(db, q.id, fresh, stored is not None)
    if stored is not None:
        if fresh.stale:
            st.caption("Previous summary, made before the newest evidence:")
        render_summary(stored, linked.get)
    elif q.state != "open" and not linked:
        st.caption("No evidence was linked to this question.")
    elif not linked:
        st.info(
            "No evidence is linked to this question yet. Add articles on the Evidence "
            "page; the ones that bear on this question link here automatically."
        )
        st.page_link(nav.EVIDENCE, label="Add evidence", icon="📰")
    # A fresh summary is a free cache hit; only a fallback is worth asking for again.
    retry = stored is not None and stored.fallback_reason and summaries.engine_status().configured
    can_retry = retry and actor.role != "viewer" and not fresh.stale
    asked = can_retry and st.button("Ask the model again", icon="🤖", key=f"summarise_{q.id}")
    if asked and _summarise(db, actor, q.id):
        st.rerun()
    return stored.id if stored else None


def _refreshing(db: Database, question_id: str, fresh: Freshness, has_summary: bool) -> None:
    """The stale banner, live: it follows the background refresh and reloads the page when
    the fresh summary is stored (a fragment, so the rest of the page is not re-run)."""

    @st.fragment(run_every=2)
    def banner() -> None:
        now = freshness_of(db, [question_id])[question_id]
        if not now.stale:
            st.rerun()  # the fresh summary is in: redraw the page with it
        pending = question_id in summary_refresher().pending()
        if not has_summary:
            what = f"{now.linked} linked item(s) have not been summarised yet"
        else:
            changes = [f"{now.arrived} new item(s) arrived"] if now.arrived else []
            changes += [f"{now.unlinked} item(s) were unlinked"] if now.unlinked else []
            changes += ["the question was reworded"] if now.reworded else []
            what = "Since this summary was made, " + ", and ".join(changes)
        status = "a fresh summary is being made" if pending else "it is queued for a refresh"
        problem = summary_refresher().last_error
        st.warning(
            f"{what}: {status}. This page updates when it is ready."
            + (f" The last refresh failed: {esc(problem)}" if problem else ""),
            icon="🔄",
        )

    banner()
    if st.button("Refresh now", key=f"refresh_{question_id}", icon="🔄"):
        with st.spinner("Summarising the linked evidence…"):
            try:
                refresh_summaries(db, Actor.system(), [question_id])
            except TrackerError as exc:
                show_error(exc)
                return
        st.rerun()


def _summarise(db: Database, actor: Actor, question_id: str) -> bool:
    with st.status("Summarising the linked evidence…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading the evidence")

        def progress(done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=f"{done} of {total} done")

        try:
            summaries.summarize_question(db, actor, question_id, on_progress=progress)
        except TrackerError as exc:
            status.update(label="Could not summarise", state="error")
            show_error(exc)
            return False
        status.update(label="Summary ready", state="complete", expanded=False)
    return True


def rationales(view: views.QuestionView, q: QuestionRead, limit: int = 60) -> None:
    shown = view.rationales()
    if not shown:
        st.caption("No rationales yet." if view.team_visible else "You have not written one yet.")
        return
    with st.container(height=min(560, 130 + 110 * len(shown)), border=False):
        for f in shown[:limit]:
            with st.container(border=True):
                who = "You" if f.user_id == view.user_id else esc(f.user)
                said = (
                    continuous.forecast_words(q, f)
                    if q.is_continuous
                    else vector_text(f.probabilities, q.options)
                )
                st.markdown(
                    f"**{who}** · {esc(said)} · :gray[{when(f.created_at, with_time=True)}]"
                )
                write_text(f.rationale)
        if len(shown) > limit:
            st.caption(f"… and {len(shown) - limit} older rationales (see the Review page).")


def scores(q: QuestionRead, me: str) -> None:
    st.subheader("Scores")
    if q.status == "annulled":
        st.info("Annulled questions are excluded from every score.")
        return
    rows = cached.question_scores(q.id)
    if not rows:
        st.info("Nobody forecast on this question, so there is nothing to score.")
        return
    line = my_score_line(rows, me)
    if line:
        st.markdown(line)
    st.dataframe(score_frame(rows, me), hide_index=True, width="stretch")
    st.caption(
        "Brier: 0 is perfect, 2 the worst (all options). Relative Brier: your daily Brier "
        "minus the team's daily median — negative beats the team."
    )


def evidence_table(evidence: Sequence[views.EvidenceArrival]) -> None:
    if not evidence:
        st.info(
            "Nothing linked yet. Evidence added on the Evidence page is matched to the open "
            "questions automatically; you can also link items by hand there."
        )
        return
    frame = pd.DataFrame(
        {
            "New to you": ["🆕" if e.new_to_me else "" for e in evidence],
            "Title": [e.title for e in evidence],
            "Outlet": [e.outlet for e in evidence],
            "Published": [when(e.published_at) for e in evidence],
            "Added": [when(e.added_at) for e in evidence],
            "Link": [safe_url(e.url) for e in evidence],
            "How linked": [
                "by hand" if e.method == "manual" else f"matched ({e.score:.2f})" for e in evidence
            ],
            "Id": [e.evidence_id for e in evidence],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "Link": st.column_config.LinkColumn(display_text="open ↗"),
            "Id": st.column_config.NumberColumn(format="%d", width="small"),
        },
    )
    st.page_link(nav.EVIDENCE, label="Read items and manage links on the Evidence page", icon="📰")


def background(q: QuestionRead) -> None:
    if q.description:
        write_text(q.description)
    else:
        st.caption("No background was written for this question.")
    if q.sources:
        st.markdown("**Sources**")
        frame = pd.DataFrame(
            {
                "Title": [s.title for s in q.sources],
                "Outlet": [s.outlet for s in q.sources],
                "Author": [s.author for s in q.sources],
                "Date": [s.date for s in q.sources],
                "Link": [safe_url(s.url) for s in q.sources],
            }
        )
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={"Link": st.column_config.LinkColumn(display_text="open ↗")},
        )
    if q.range is not None:
        st.markdown(f"**Range**  \n{esc(continuous.range_text(q))}")
    if q.type != "binary" and q.options:
        st.markdown("**Options**")
        st.markdown("\n".join(f"{i}. {esc(o)}" for i, o in enumerate(q.options, start=1)))


def revisions(revs: Sequence[QuestionRevisionRead]) -> None:
    if len(revs) <= 1:
        st.caption("The wording has not changed since the question was created.")
    for r in reversed(revs):
        with st.expander(
            f"Revision {r.revision} · {when(r.edited_at, with_time=True)} · "
            f"{esc(r.edited_by or 'system')}",
            expanded=False,
        ):
            st.markdown(f"**{esc(r.title)}**")
            write_text(r.resolution_criteria, muted=True)
