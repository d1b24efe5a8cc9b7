"""Summaries that keep up with the evidence: which are stale, refreshing them, and a
background refresher for the app.

A question's summary is *stale* when the evidence linked to it now is not the evidence its
newest summary read (items arrived or were unlinked), when its wording changed since, or when
the model could not write it (the offline digest stood in) and a model is configured now.
A question with linked evidence and no summary at all is stale too. Refreshing makes the
team's summary (what is new since the last summary), so a second run over the same state is
served from the cache and calls no model.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select

from tracker.db import Database
from tracker.models import EvidenceSummary as SummaryRow
from tracker.models import Question, QuestionEvidence
from tracker.schemas import Actor

log = logging.getLogger(__name__)
ProgressCallback = Callable[[int, int], None]


class Freshness(BaseModel):
    """How a question's newest summary compares with its evidence now."""

    question_id: str
    summary_id: int | None
    linked: int
    arrived: int
    """Linked items the summary did not read."""
    unlinked: int
    """Items the summary read that are no longer linked."""
    reworded: bool
    fallback: bool
    """The model failed and the offline digest stood in (stale only while a model is set)."""

    @property
    def stale(self) -> bool:
        if self.summary_id is None:
            return self.linked > 0
        return bool(self.arrived or self.unlinked or self.reworded)


class RefreshReport(BaseModel):
    refreshed: list[str] = []
    fallback_reason: str | None = None
    """Why the model could not write some of them (said once for the whole batch)."""
    fallbacks: int = 0


def freshness_of(db: Database, question_ids: Iterable[str] | None = None) -> dict[str, Freshness]:
    """Freshness of every open question (or of the given ones), in three queries."""
    with db.read() as session:
        query = select(Question.id, Question.revision).where(Question.status == "open")
        if question_ids is not None:
            query = select(Question.id, Question.revision).where(
                col(Question.id).in_(list(question_ids))
            )
        revisions = dict(session.exec(query).all())
        links: dict[str, set[int]] = {qid: set() for qid in revisions}
        rows = session.exec(
            select(QuestionEvidence.question_id, QuestionEvidence.evidence_id).where(
                QuestionEvidence.state == "linked",
                col(QuestionEvidence.question_id).in_(list(revisions)),
            )
        )
        for qid, evidence_id in rows:
            links[qid].add(evidence_id)
        newest = (
            select(SummaryRow.question_id, func.max(SummaryRow.id).label("newest"))
            .where(col(SummaryRow.question_id).in_(list(revisions)))
            .group_by(SummaryRow.question_id)
            .subquery()
        )
        latest = {
            row.question_id: row
            for row in session.exec(
                select(SummaryRow).join(newest, col(SummaryRow.id) == newest.c.newest)
            )
        }
    out = {}
    for qid, revision in revisions.items():
        row = latest.get(qid)
        read = set(row.evidence_ids) if row else set()
        out[qid] = Freshness(
            question_id=qid,
            summary_id=row.id if row else None,
            linked=len(links[qid]),
            arrived=len(links[qid] - read) if row else len(links[qid]),
            unlinked=len(read - links[qid]),
            reworded=bool(row and row.question_revision != revision),
            fallback=bool(row and row.fallback_reason),
        )
    return out


def stale_question_ids(db: Database) -> list[str]:
    """Open questions whose summary no longer matches their evidence (see the module doc)."""
    from tracker.services.summaries import current_engine

    retry_fallbacks = current_engine().name != "offline"
    return sorted(
        qid
        for qid, f in freshness_of(db).items()
        if f.stale or (retry_fallbacks and f.fallback and f.linked)
    )


def refresh_summaries(
    db: Database,
    actor: Actor,
    question_ids: Sequence[str] | None = None,
    *,
    on_progress: ProgressCallback | None = None,
) -> RefreshReport:
    """Make fresh team summaries for the given questions (default: every stale one)."""
    from tracker.services.summaries import summarize_questions

    ids = list(question_ids) if question_ids is not None else stale_question_ids(db)
    if not ids:
        if on_progress:
            on_progress(0, 0)
        return RefreshReport()
    made = summarize_questions(db, actor, ids, for_team=True, on_progress=on_progress)
    reasons = [s.fallback_reason for s in made if s.fallback_reason]
    return RefreshReport(
        refreshed=[s.question_id for s in made],
        fallback_reason=reasons[-1] if reasons else None,
        fallbacks=len(reasons),
    )


class BackgroundRefresher:
    """Refreshes summaries off the request path, one batch at a time, for one process.

    Pages hand it the questions an ingest linked and carry on rendering; they read progress
    from the database (`freshness_of`), so nothing but the queue lives here. Questions already
    queued or running are not queued twice.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summary-refresh")
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self.last_report: RefreshReport | None = None
        self.last_error: str | None = None

    def submit(self, db: Database, actor: Actor, question_ids: Iterable[str]) -> Future | None:
        with self._lock:
            fresh = sorted(set(question_ids) - self._pending)
            if not fresh:
                return None
            self._pending.update(fresh)
        return self._pool.submit(self._run, db, actor, fresh)

    def pending(self) -> set[str]:
        with self._lock:
            return set(self._pending)

    def _run(self, db: Database, actor: Actor, question_ids: list[str]) -> RefreshReport | None:
        try:
            report = refresh_summaries(db, actor, question_ids)
            self.last_report, self.last_error = report, None
            return report
        except Exception as exc:  # a background failure is reported on the page, not raised
            log.exception("background summary refresh failed")
            self.last_error = str(exc) or type(exc).__name__
            return None
        finally:
            with self._lock:
                self._pending.difference_update(question_ids)
