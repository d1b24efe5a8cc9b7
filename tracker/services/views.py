"""Read-only views for the web pages: what one user may see, shaped for display.

The anchoring rule lives here and in `permissions.may_see_others`, not in a page, so no edge can
forget it: while a question takes forecasts and `hide_until_forecast` is set, a forecaster sees
neither the others' forecasts nor the team aggregate until they have made their own. Viewers
(who cannot forecast, so cannot be anchored) and everyone once forecasting has stopped see the
whole picture. A blind forecast of a session still in its blind phase is sealed: nobody but its
author sees it anywhere (`visible_history`), admins included.

Queries are shaped for a big team: the list computes team figures only for the rows on screen,
and every question's latest vectors come from two indexed queries rather than a full history.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, or_
from sqlmodel import col, select

from tracker.db import Database
from tracker.models import (
    EvidenceItem,
    Forecast,
    ForecastCdf,
    ForecastProbability,
    ForecastSession,
    Question,
    QuestionEvidence,
    User,
)
from tracker.schemas import Actor, ForecastRead, QuestionRead, QuestionRevisionRead
from tracker.scoring import aggregate
from tracker.services import forecasts, memo, questions, sessions
from tracker.services.permissions import may_see_others
from tracker.services.sessions import SessionRead

_CHUNK = 900  # stay under SQLite's bound-parameter limit


# ------------------------------------------------------------------ the visibility rule


def team_visible(
    actor: Actor, question: QuestionRead, has_forecast: bool, *, blind: bool = False
) -> bool:
    """May this user see others' forecasts and the team aggregate on this question now?

    `blind`: the question is in a team session this user takes part in that is still in its
    blind phase; then nobody sees anyone else's numbers, forecast or not.
    """
    return may_see_others(
        actor,
        hide_until_forecast=question.hide_until_forecast,
        is_open=question.state == "open",
        has_forecast=has_forecast,
        blind=blind,
    )


def visible_history(
    db: Database, actor: Actor, history: Sequence[ForecastRead]
) -> list[ForecastRead]:
    """The history without the others' sealed blind forecasts (sessions still blind)."""
    sealed = sessions.sealed_session_ids(db)
    if not sealed:
        return list(history)
    return [f for f in history if f.user_id == actor.user_id or not sessions.is_sealed(f, sealed)]


def bot_visible(actor: Actor, question: QuestionRead, has_forecast: bool) -> bool:
    """May this user see the AI baseline's numbers on this question now? Hidden from a
    forecaster until they have forecast while it takes forecasts, whatever the question's
    `hide_until_forecast` says: a machine's number anchors more than a colleague's."""
    return question.state != "open" or actor.role == "viewer" or has_forecast


def split_bots(
    db: Database, history: Sequence[ForecastRead]
) -> tuple[list[ForecastRead], list[ForecastRead]]:
    """(the humans' forecasts, the bots') — bots are never counted as team members."""
    from tracker.services.bots import bot_ids

    bots = bot_ids(db)
    if not bots:
        return list(history), []
    return [f for f in history if f.user_id not in bots], [f for f in history if f.user_id in bots]


def blind_questions(db: Database, actor: Actor) -> set[str]:
    """Questions this user must not see others' numbers on because of a blind session."""
    return sessions.blind_question_ids(db, actor.user_id)


HIDDEN_REASON = (
    "The team's forecasts stay hidden until you make your own, so that your first estimate is "
    "independent. Submit a forecast to reveal them."
)
BLIND_REASON = (
    "This question is in a team session that is still blind: nobody sees anyone else's "
    "numbers, forecast or not, until the facilitator reveals them."
)


# ------------------------------------------------------------------ the questions list


@dataclass
class QuestionRow:
    """One line of the questions list, from the point of view of one user."""

    question: QuestionRead
    my_latest: dict[str, float] | None = None
    my_last_time: datetime | None = None
    new_evidence: int = 0
    days_left: int | None = None
    needs_update: bool = False
    update_reason: str = ""
    forecasters: int | None = None
    team_median: dict[str, float] | None = None
    team_pool: dict[str, float] | None = None  # the pool this view shows (the median by default)
    team_visible: bool = False
    blind_session: bool = False  # hidden because a session is blind, not for want of a forecast
    team_cdf: list[float] | None = None
    """Numeric and date questions: the mean of the members' latest CDFs, when visible."""


def question_rows(
    db: Database,
    actor: Actor,
    *,
    states: set[str] | None = None,
    tag: str | None = None,
    question_type: str | None = None,
    stale_days: int = 14,
    needs_update_only: bool = False,
) -> list[QuestionRow]:
    """Every question matching the filters with the user's own standing (cheap per row)."""
    now = db.now()
    listed = questions.list_questions(db, states=states, tag=tag, question_type=question_type)
    mine = _latest_for_user(db, actor.user_id) if actor.user_id is not None else {}
    arrivals = _evidence_arrivals(db)
    rows = []
    for q in listed:
        last_time, vector = mine.get(q.id, (None, None))
        row = QuestionRow(question=q, my_latest=vector, my_last_time=last_time)
        row.new_evidence = sum(
            1 for at in arrivals.get(q.id, ()) if last_time is None or at > last_time
        )
        row.days_left = days_until_close(q, now)
        row.needs_update, row.update_reason = update_due(actor, row, now, stale_days)
        if needs_update_only and not row.needs_update:
            continue
        rows.append(row)
    return rows


def with_team(
    db: Database,
    actor: Actor,
    rows: Sequence[QuestionRow],
    *,
    pool: str = "median",
    factor: float = aggregate.EXTREMIZE,
) -> list[QuestionRow]:
    """Add the forecaster count and (where visible) the team median and the chosen pool to the
    given rows only."""
    ids = [r.question.id for r in rows]
    latest = _latest_vectors(db, ids)
    blind = blind_questions(db, actor)
    from tracker.services.bots import bot_ids

    bots = bot_ids(db)
    result = []
    for row in rows:
        vectors = {u: v for u, v in latest.get(row.question.id, {}).items() if u not in bots}
        mine = actor.user_id in vectors or row.my_latest is not None
        visible = team_visible(actor, row.question, mine, blind=row.question.id in blind)
        median = median_vector(list(vectors.values()), row.question.options) if visible else None
        chosen = median
        if visible and vectors and pool != "median":
            pooled = aggregate.pool(pool, np.asarray(list(vectors.values())), factor=factor)
            chosen = dict(zip(row.question.options, map(float, pooled), strict=True))
        result.append(
            replace(
                row,
                forecasters=len(vectors),
                team_median=median,
                team_pool=chosen,
                team_visible=visible,
                blind_session=not visible and row.question.id in blind,
            )
        )
    return result


def days_until_close(q: QuestionRead, now: datetime) -> int | None:
    """Whole days until an upcoming question opens or an open one closes; None otherwise."""
    if q.state == "upcoming":
        return max(0, (q.open_time - now).days)
    if q.state == "open":
        return max(0, (q.close_time - now).days)
    return None


def update_due(actor: Actor, row: QuestionRow, now: datetime, stale_days: int) -> tuple[bool, str]:
    """Whether the actor owes this open question a forecast, and why (shared with the SQL
    listing in `question_listing`, whose filter must agree with it)."""
    if row.question.state != "open" or actor.role == "viewer":
        return False, ""
    if row.my_last_time is None:
        return True, "no forecast yet"
    if row.new_evidence:
        plural = "s" if row.new_evidence > 1 else ""
        return True, f"{row.new_evidence} new evidence item{plural}"
    age = (now - row.my_last_time).days
    if age >= stale_days:
        return True, f"last forecast {age} days ago"
    return False, ""


# ------------------------------------------------------------------ one question


@dataclass(frozen=True)
class AggregatePoint:
    time: datetime
    vector: dict[str, float]
    forecasters: int


@dataclass(frozen=True)
class EvidenceArrival:
    evidence_id: int
    title: str
    outlet: str
    url: str | None
    published_at: datetime | None
    added_at: datetime
    method: str
    score: float
    new_to_me: bool


@dataclass
class QuestionView:
    """Everything the question page shows, already filtered for the user."""

    question: QuestionRead
    user_id: int | None
    revisions: list[QuestionRevisionRead]
    mine: list[ForecastRead]
    team_visible: bool
    others: list[ForecastRead] = field(default_factory=list)
    aggregate: list[AggregatePoint] = field(default_factory=list)
    pools: dict[str, dict[str, float]] = field(default_factory=dict)
    forecasters: int = 0
    evidence: list[EvidenceArrival] = field(default_factory=list)
    bot_forecasts: list[ForecastRead] = field(default_factory=list)
    """The AI baseline's forecasts, when `bot_visible` (never in `others` or the pools)."""
    blind_session: bool = False  # hidden because a session is blind, not for want of a forecast
    team_cdf: list[float] | None = None
    """Numeric and date questions: the mean of the members' latest CDFs, when visible."""

    @property
    def my_latest(self) -> ForecastRead | None:
        return self.mine[-1] if self.mine else None

    @property
    def team_now(self) -> AggregatePoint | None:
        return self.aggregate[-1] if self.aggregate else None

    def rationales(self) -> list[ForecastRead]:
        """Every visible forecast with a rationale, newest first."""
        shown = [*self.mine, *self.others] if self.team_visible else list(self.mine)
        return sorted(
            (f for f in shown if f.rationale), key=lambda f: (f.created_at, f.id), reverse=True
        )


def question_view(
    db: Database, actor: Actor, question_id: str, *, extremize: float = aggregate.EXTREMIZE
) -> QuestionView:
    question = questions.get_question(db, question_id)
    history, bot_history = split_bots(
        db, visible_history(db, actor, question_history(db, question_id))
    )
    mine = [f for f in history if f.user_id == actor.user_id]
    blind = question_id in blind_questions(db, actor)
    visible = team_visible(actor, question, bool(mine), blind=blind)
    if bot_visible(actor, question, bool(mine)) and not (blind and question.state == "open"):
        bots_shown = bot_history
    else:
        bots_shown = []
    view = QuestionView(
        question=question,
        user_id=actor.user_id,
        revisions=questions.list_revisions(db, question_id),
        mine=mine,
        team_visible=visible,
        forecasters=len({f.user_id for f in history}),
        bot_forecasts=bots_shown,
        blind_session=blind and not visible,
    )
    if visible and question.is_continuous:
        from tracker.services.numeric_scores import team_pool

        view.others = [f for f in history if f.user_id != actor.user_id]
        view.team_cdf = team_pool(history)
    elif visible:
        view.others = [f for f in history if f.user_id != actor.user_id]
        view.aggregate = aggregate_path(history, question.options)
        standing = sorted(forecasts.latest_by_user(history).values(), key=lambda f: f.created_at)
        vectors = [[f.probabilities[o] for o in question.options] for f in standing]
        view.pools = team_pools(vectors, question.options, extremize)
    last = mine[-1].created_at if mine else None
    view.evidence = evidence_arrivals(db, question_id, since=last)
    return view


def aggregate_path(history: Sequence[ForecastRead], options: Sequence[str]) -> list[AggregatePoint]:
    """The team median after each forecast (a step series over time), one point per forecast.

    Equal to `median_vector` of the standing forecasts at each step, but each option's standing
    values are kept sorted and updated in place, so a long history costs O(n log n), not O(n²).
    """
    if not history:
        return []
    standing: dict[int, list[float]] = {}
    columns: list[list[float]] = [[] for _ in options]
    medians = np.empty((len(history), len(options)))
    fallback: dict[int, np.ndarray] = {}
    for step, f in enumerate(history):
        vector = [f.probabilities[o] for o in options]
        previous = standing.get(f.user_id)
        for j, column in enumerate(columns):
            if previous is not None:
                del column[bisect.bisect_left(column, previous[j])]
            bisect.insort(column, vector[j])
        standing[f.user_id] = vector
        n, mid = len(standing), len(standing) // 2
        medians[step] = [c[mid] if n % 2 else (c[mid - 1] + c[mid]) / 2 for c in columns]
        if not medians[step].sum() > 0:  # every median 0: the pool falls back to the mean
            fallback[step] = aggregate.median(np.asarray(list(standing.values()), dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = medians / medians.sum(axis=1, keepdims=True)
    for step, vector in fallback.items():
        pooled[step] = vector
    counts = _running_counts([f.user_id for f in history])
    return [
        AggregatePoint(
            time=f.created_at,
            vector=dict(zip(options, row, strict=True)),
            forecasters=count,
        )
        for f, row, count in zip(history, pooled.tolist(), counts, strict=True)
    ]


def _running_counts(user_ids: Sequence[int]) -> list[int]:
    seen: set[int] = set()
    counts = []
    for uid in user_ids:
        seen.add(uid)
        counts.append(len(seen))
    return counts


# how many questions' values are kept between page runs: standing vectors are small, the
# busy questions' histories thousands of forecasts long
VECTORS_KEPT, HISTORIES_KEPT = 512, 16


def _stamps(db: Database, question_ids: Sequence[str]) -> dict[str, tuple]:
    """What says a question's forecasts are unchanged: their number and the newest time
    (forecasts are never deleted), with the newest other write (hiding one is audited)."""
    version = memo.write_version(db)
    found: dict[str, tuple] = {}
    with db.read() as session:
        for chunk in _chunks(list(question_ids)):
            query = (
                select(Forecast.question_id, func.count(), func.max(Forecast.created_at))
                .where(col(Forecast.question_id).in_(chunk))
                .group_by(Forecast.question_id)
            )
            for qid, count, newest in session.exec(query):
                found[qid] = (count, newest, version)
    return {qid: found.get(qid, (0, None, version)) for qid in question_ids}


def question_history(db: Database, question_id: str) -> list[ForecastRead]:
    """`forecasts.forecast_history(db, question_id=...)` (visible forecasts in time order),
    reused between runs while nothing about the question's forecasts changed. Callers must
    not change the list they get."""
    stamp = _stamps(db, [question_id])[question_id]
    history = memo.lookup(db, "history", question_id, stamp)
    if history is None:
        history = _read_history(db, question_id)
        memo.keep(db, "history", question_id, stamp, history, HISTORIES_KEPT)
    return history


def _read_history(db: Database, question_id: str) -> list[ForecastRead]:
    """Two plain queries: a busy question's history through ORM objects is slow."""
    query = (
        select(
            Forecast.id,
            Forecast.question_id,
            Forecast.user_id,
            User.name,
            Forecast.created_at,
            Forecast.rationale,
            Forecast.question_revision,
            Forecast.origin,
            Forecast.session_id,
            Forecast.session_phase,
            Forecast.summary_id,
            Forecast.hidden,
        )
        .join(User, col(Forecast.user_id) == User.id)
        .where(Forecast.question_id == question_id, col(Forecast.hidden).is_(False))
        .order_by(Forecast.created_at, Forecast.id)
    )
    cells = (
        select(ForecastProbability.forecast_id, ForecastProbability.probability)
        .join(Forecast, col(Forecast.id) == ForecastProbability.forecast_id)
        .where(Forecast.question_id == question_id, col(Forecast.hidden).is_(False))
        .order_by(ForecastProbability.forecast_id, ForecastProbability.option_index)
    )
    with db.read() as session:
        conn = session.connection()  # Core rows: thousands of them on a busy question
        options = conn.execute(select(Question.options).where(Question.id == question_id)).first()
        rows = conn.execute(query).all()
        vectors: dict[int, list[float]] = defaultdict(list)
        for forecast_id, probability in conn.execute(cells):
            vectors[forecast_id].append(probability)
        cdfs: dict[int, list[float]] = {}
        if options is not None and not options[0]:  # a numeric or date question: CDFs
            cdf_rows = (
                select(ForecastCdf.forecast_id, ForecastCdf.cdf)
                .join(Forecast, col(Forecast.id) == ForecastCdf.forecast_id)
                .where(Forecast.question_id == question_id, col(Forecast.hidden).is_(False))
            )
            cdfs = {fid: list(cdf) for fid, cdf in conn.execute(cdf_rows)}
    return [
        ForecastRead.model_construct(  # typed by the columns already: skip re-validation
            id=fid,
            question_id=qid,
            user_id=uid,
            user=name,
            created_at=at,
            probabilities=dict(zip(options[0] if options else [], vectors[fid], strict=True)),
            rationale=rationale,
            question_revision=revision,
            origin=origin,
            session_id=session_id,
            session_phase=phase,
            summary_id=summary_id,
            hidden=hidden,
            cdf=cdfs.get(fid),
        )
        for (fid, qid, uid, name, at, rationale, revision, origin, session_id, phase, summary_id,
             hidden) in rows
    ]  # fmt: skip


def evidence_arrivals(
    db: Database, question_id: str, *, since: datetime | None = None
) -> list[EvidenceArrival]:
    """Evidence linked to the question, newest first, flagged when new since `since`."""
    query = (
        select(QuestionEvidence, EvidenceItem)
        .join(EvidenceItem, col(QuestionEvidence.evidence_id) == EvidenceItem.id)
        .where(QuestionEvidence.question_id == question_id, QuestionEvidence.state == "linked")
        .order_by(col(EvidenceItem.added_at).desc(), col(EvidenceItem.id).desc())
    )
    with db.read() as session:
        rows = session.exec(query).all()
    return [
        EvidenceArrival(
            evidence_id=item.id or 0,
            title=item.title,
            outlet=item.outlet,
            url=item.url,
            published_at=item.published_at,
            added_at=item.added_at,
            method=link.method,
            score=link.score,
            new_to_me=since is None or max(item.added_at, link.updated_at) > since,
        )
        for link, item in rows
    ]


# ------------------------------------------------------------------ review


def all_paths(
    db: Database, actor: Actor, question_id: str
) -> tuple[QuestionRead, list[ForecastRead]]:
    """Every member's forecasts on a question, subject to the same visibility rule."""
    question = questions.get_question(db, question_id)
    history, _ = split_bots(db, visible_history(db, actor, question_history(db, question_id)))
    has_own = any(f.user_id == actor.user_id for f in history)
    blind = question_id in blind_questions(db, actor)
    if not team_visible(actor, question, has_own, blind=blind):
        history = [f for f in history if f.user_id == actor.user_id]
    return question, history  # the AI baseline is scored in its own leaderboard row


# ------------------------------------------------------------------ helpers


def median_vector(
    vectors: Sequence[Sequence[float]], options: Sequence[str]
) -> dict[str, float] | None:
    """Per-option median, renormalised to sum to 1 (the team's central forecast)."""
    if not vectors:
        return None
    pooled = aggregate.median(np.asarray(vectors, dtype=float))
    return dict(zip(options, (float(v) for v in pooled), strict=True))


def team_pools(
    vectors: Sequence[Sequence[float]], options: Sequence[str], factor: float
) -> dict[str, dict[str, float]]:
    """Every team pool side by side (median, mean, geometric mean of odds, extremized...)."""
    if not vectors:
        return {}
    pools = aggregate.team_aggregates(np.asarray(vectors, dtype=float), factor=factor)
    return {
        name: dict(zip(options, (float(v) for v in pool), strict=True))
        for name, pool in pools.items()
    }


def _chunks(ids: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _vectors(conn: Connection, forecast_ids: Sequence[int]) -> dict[int, list[float]]:
    vectors: dict[int, list[float]] = defaultdict(list)
    for chunk in _chunks(list(forecast_ids)):
        rows = conn.execute(
            select(ForecastProbability.forecast_id, ForecastProbability.probability)
            .where(col(ForecastProbability.forecast_id).in_(chunk))
            .order_by(ForecastProbability.forecast_id, ForecastProbability.option_index)
        )
        for forecast_id, probability in rows:
            vectors[forecast_id].append(probability)
    return vectors


def _standing(*where: Any, partition: Sequence[Any]) -> Any:
    """Each partition's latest visible forecast (by time, then id), as a window query."""
    return (
        select(
            Forecast.id,
            Forecast.question_id,
            Forecast.user_id,
            Forecast.created_at,
            func.row_number()
            .over(
                partition_by=list(partition),
                order_by=(col(Forecast.created_at).desc(), col(Forecast.id).desc()),
            )
            .label("newest"),
        )
        .where(*where, col(Forecast.hidden).is_(False))
        .subquery()
    )


def _latest_for_user(db: Database, user_id: int) -> dict[str, tuple[datetime, dict[str, float]]]:
    """The user's standing forecast on every question: question id → (time, vector)."""
    latest = _standing(Forecast.user_id == user_id, partition=[Forecast.question_id])
    query = (
        select(latest.c.question_id, latest.c.created_at, ForecastProbability.probability)
        # outer: a numeric or date forecast has no option rows (its CDF stands for it)
        .outerjoin(ForecastProbability, col(ForecastProbability.forecast_id) == latest.c.id)
        .where(latest.c.newest == 1)
        .order_by(latest.c.question_id, ForecastProbability.option_index)
    )
    with db.read() as session:
        rows = session.exec(query).all()
    # the options from the memoised question list: reading every question's JSON each time
    # was most of the Questions page's time at 10,000 questions
    options = {q.id: q.options for q in questions.list_questions(db)}
    cells: dict[str, tuple[datetime, list[float]]] = {}
    for qid, at, probability in rows:
        vector = cells.setdefault(qid, (at, []))[1]
        if probability is not None:
            vector.append(probability)
    return {
        qid: (at, dict(zip(options[qid], vector, strict=False)))
        for qid, (at, vector) in cells.items()
    }


def _latest_vectors(db: Database, question_ids: Sequence[str]) -> dict[str, dict[int, list[float]]]:
    """Each forecaster's standing vector on each of the given questions, reused between runs
    for the questions whose forecasts did not change."""
    stamps = _stamps(db, question_ids)
    result: dict[str, dict[int, list[float]]] = {}
    for qid in question_ids:
        kept = memo.lookup(db, "vectors", qid, stamps[qid])
        if kept is not None:
            result[qid] = kept
    fresh = _read_latest_vectors(db, [q for q in question_ids if q not in result])
    for qid, vectors in fresh.items():
        memo.keep(db, "vectors", qid, stamps[qid], vectors, VECTORS_KEPT)
    return result | fresh


def _read_latest_vectors(
    db: Database, question_ids: Sequence[str]
) -> dict[str, dict[int, list[float]]]:
    """The forecasts in (question, time) order, which the question-time index gives without
    sorting, keeping each user's last; then only those forecasts' vectors. Core rows, not ORM
    ones: this runs on every list page with tens of thousands of forecasts."""
    latest: dict[str, dict[int, int]] = {qid: {} for qid in question_ids}
    with db.read() as session:
        conn = session.connection()
        for chunk in _chunks(list(question_ids)):
            query = (
                select(Forecast.question_id, Forecast.user_id, Forecast.id)
                .where(
                    col(Forecast.question_id).in_(chunk),
                    col(Forecast.hidden).is_(False),
                    not_sealed(),
                )
                .order_by(Forecast.question_id, Forecast.created_at, Forecast.id)
            )
            for qid, uid, fid in conn.execute(query):
                latest[qid].pop(uid, None)  # re-inserted: members end in their latest's order
                latest[qid][uid] = fid
        vectors = _vectors(conn, [fid for per_q in latest.values() for fid in per_q.values()])
    return {qid: {uid: vectors[fid] for uid, fid in per_q.items()} for qid, per_q in latest.items()}


def not_sealed() -> Any:
    """SQL for "not a blind forecast of a session still in its blind phase"."""
    blind_sessions = select(ForecastSession.id).where(ForecastSession.phase == "blind")
    return or_(
        col(Forecast.session_phase).is_(None),
        Forecast.session_phase != "blind",
        col(Forecast.session_id).not_in(blind_sessions),
    )


def _evidence_arrivals(db: Database) -> dict[str, list[datetime]]:
    """When each linked item reached each question (the later of its arrival and its link)."""
    query = (
        select(QuestionEvidence.question_id, EvidenceItem.added_at, QuestionEvidence.updated_at)
        .join(EvidenceItem, col(QuestionEvidence.evidence_id) == EvidenceItem.id)
        .where(QuestionEvidence.state == "linked")
    )
    arrivals: dict[str, list[datetime]] = defaultdict(list)
    with db.read() as session:
        for qid, added, linked in session.exec(query):
            arrivals[qid].append(max(added, linked))
    return arrivals


def forecasting_session(db: Database, actor: Actor, question_id: str) -> SessionRead | None:
    """The team session (blind or update phase) in which this user forecasts this question now,
    if any: forecasts made on the page are then tagged with it."""
    for record in sessions.list_sessions(db):
        if (
            record.phase in ("blind", "update")
            and question_id in record.question_ids
            and actor.name in record.participants
        ):
            return record
    return None


def any_forecasts(db: Database) -> bool:
    """Cheap check before the score engine runs (nothing to score without forecasts)."""
    with db.read() as session:
        return session.exec(select(Forecast.id).limit(1)).first() is not None
