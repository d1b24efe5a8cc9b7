"""Evidence summaries per question: made by the configured engine, cached, stored in the database.

A summary is keyed by (question revision and wording, evidence ids and hashes, `since`, prompt
version, engine, model): asking again for the same thing costs nothing. A summary the openai
engine could not make (so the offline engine served) is stored for the record but never reused.
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.config import get_settings
from tracker.db import Database
from tracker.errors import NotFound
from tracker.llm import (
    EvidenceSummary,
    LLMConfig,
    QuestionDraft,
    SummaryEngine,
    SummaryRequest,
    SummaryResult,
    make_engine,
    request_key,
    summarize_many,
    verify_summary,
)
from tracker.models import EvidenceItem, Forecast, QuestionEvidence
from tracker.models import EvidenceSummary as SummaryRow
from tracker.schemas import Actor
from tracker.services.llm_inputs import evidence_doc, question_brief
from tracker.services.permissions import require_admin, require_contributor
from tracker.services.questions import get_row

ProgressCallback = Callable[[int, int], None]


class StoredSummary(BaseModel):
    id: int
    question_id: str
    question_revision: int
    engine: str
    model: str
    prompt_version: str
    created_at: datetime
    since_time: datetime | None
    evidence_ids: list[int]
    fallback_reason: str | None
    tokens_in: int
    tokens_out: int
    latency_ms: float
    summary: EvidenceSummary


class EngineStatus(BaseModel):
    name: str
    model: str
    configured: bool
    description: str


@lru_cache(maxsize=4)
def _engine(config: LLMConfig) -> SummaryEngine:
    return make_engine(config)


def current_engine() -> SummaryEngine:
    """The engine the settings ask for (one per distinct configuration, shared: it is stateless)."""
    s = get_settings()
    return _engine(
        LLMConfig(
            openai_api_key=s.openai_api_key,
            openai_base_url=s.openai_base_url,
            llm_model=s.llm_model,
            llm_timeout_s=s.llm_timeout_s,
            llm_max_retries=s.llm_max_retries,
            llm_concurrency=s.llm_concurrency,
        )
    )


def engine_status() -> EngineStatus:
    engine = current_engine()
    if engine.name == "offline":
        return EngineStatus(
            name="offline",
            model=engine.model,
            configured=False,
            description="Offline extractive digest (no LLM configured): quotes are the "
            "sentences of the evidence that best match the question.",
        )
    where = get_settings().openai_base_url or "the OpenAI API"
    return EngineStatus(
        name=engine.name,
        model=engine.model,
        configured=True,
        description=f"{engine.model} via {where} (falls back to the offline digest on failure)",
    )


def _stored(row: SummaryRow) -> StoredSummary:
    data = row.model_dump(exclude={"content", "cache_key"})
    return StoredSummary(**data, summary=EvidenceSummary.model_validate(row.content))


class _DatabaseCache:
    """The summary cache of `summarize_many`, kept in the evidence_summary table."""

    def __init__(self, db: Database, requests: dict[str, SummaryRequest]) -> None:
        self.db = db
        self.requests = requests
        self.rows: dict[str, int] = {}

    def get(self, key: str) -> SummaryResult | None:
        with self.db.read() as session:
            row = session.exec(select(SummaryRow).where(SummaryRow.cache_key == key)).first()
        if row is None:
            return None
        self.rows[key] = row.id or 0
        return SummaryResult(
            summary=EvidenceSummary.model_validate(row.content),
            engine=row.engine,  # type: ignore[arg-type]
            model=row.model,
            prompt_version=row.prompt_version,
            tokens_in=row.tokens_in,
            tokens_out=row.tokens_out,
            latency_ms=row.latency_ms,
            cache_key=key,
        )

    def put(self, key: str, result: SummaryResult) -> None:
        self.rows[key] = store(self.db, self.requests[key], result, key)


def store(db: Database, request: SummaryRequest, result: SummaryResult, key: str) -> int:
    row = SummaryRow(
        question_id=request.question.id,
        question_revision=request.question.revision,
        cache_key=key,
        engine=result.engine,
        model=result.model,
        prompt_version=result.prompt_version,
        evidence_ids=[e.id for e in request.evidence],
        since_time=request.since,
        content=result.summary.model_dump(mode="json"),
        tokens_in=result.tokens_in,
        tokens_out=result.tokens_out,
        latency_ms=result.latency_ms,
        fallback_reason=result.fallback_reason,
        created_at=db.now(),
    )
    with db.write() as session:
        existing = session.exec(select(SummaryRow).where(SummaryRow.cache_key == key)).first()
        if existing is not None:  # another request made the same summary meanwhile
            return existing.id or 0
        session.add(row)
        session.flush()
        return row.id or 0


def build_request(db: Database, question_id: str, since: datetime | None) -> SummaryRequest:
    with db.read() as session:
        question = get_row(session, question_id)
        items = session.exec(
            select(EvidenceItem)
            .join(QuestionEvidence, col(QuestionEvidence.evidence_id) == EvidenceItem.id)
            .where(QuestionEvidence.question_id == question_id, QuestionEvidence.state == "linked")
            .order_by(EvidenceItem.id)
        ).all()
    brief = question_brief(question)
    docs = [evidence_doc(i) for i in items]
    return SummaryRequest(question=brief, evidence=docs, since=since)


def last_forecast_time(db: Database, question_id: str, user_id: int | None) -> datetime | None:
    if user_id is None:
        return None
    with db.read() as session:
        return session.exec(
            select(func.max(Forecast.created_at)).where(
                Forecast.question_id == question_id, Forecast.user_id == user_id
            )
        ).one()


def _request_for(db: Database, question_id: str, user_id: int | None) -> SummaryRequest:
    """What is new since the user's last forecast; before their first one, since the last
    summary that covered different evidence (so asking again with nothing new is a cache hit,
    and after new items arrive the summary says which ones)."""
    last = last_forecast_time(db, question_id, user_id)
    request = build_request(db, question_id, last)
    if last is not None:
        return request
    current = sorted(d.id for d in request.evidence)
    revision = request.question.revision
    for previous in _summaries_newest_first(db, question_id):
        if previous.fallback_reason is not None:
            continue
        if previous.question_revision == revision and sorted(previous.evidence_ids) == current:
            if previous.since_time is None:
                return request  # the same request as before: served from the cache
            continue  # made for someone's last forecast: look further back
        return request.model_copy(update={"since": previous.created_at, "since_what": "summary"})
    return request


def _summaries_newest_first(db: Database, question_id: str, limit: int = 20) -> list[StoredSummary]:
    with db.read() as session:
        rows = session.exec(
            select(SummaryRow)
            .where(SummaryRow.question_id == question_id)
            .order_by(col(SummaryRow.created_at).desc(), col(SummaryRow.id).desc())
            .limit(limit)
        )
        return [_stored(row) for row in rows]


def summarize_questions(
    db: Database,
    actor: Actor,
    question_ids: Sequence[str],
    *,
    for_user_id: int | None = None,
    for_team: bool = False,
    on_progress: ProgressCallback | None = None,
) -> list[StoredSummary]:
    """Summaries for several questions, concurrently (bounded), what is new since the user's
    last forecast on each (`for_team`: since the last summary); cached ones cost nothing."""
    require_contributor(actor)
    user_id = None if for_team else (for_user_id if for_user_id is not None else actor.user_id)
    engine = current_engine()
    requests = [_request_for(db, qid, user_id) for qid in question_ids]
    by_key = {request_key(engine, r): r for r in requests}
    cache = _DatabaseCache(db, by_key)
    results = summarize_many(
        engine, requests, cache, concurrency=get_settings().llm_concurrency, on_progress=on_progress
    )
    stored_ids = []
    for request, result in zip(requests, results, strict=True):
        key = request_key(engine, request)
        if result.fallback_reason is not None:  # kept for the record, never served from cache
            stored_ids.append(store(db, request, result, f"{key[:40]}:fallback:{uuid.uuid4().hex}"))
        else:
            stored_ids.append(cache.rows.get(key) or store(db, request, result, key))
    return [get_summary(db, i) for i in stored_ids]


def summarize_question(
    db: Database, actor: Actor, question_id: str, *, on_progress: ProgressCallback | None = None
) -> StoredSummary:
    return summarize_questions(db, actor, [question_id], on_progress=on_progress)[0]


def get_summary(db: Database, summary_id: int) -> StoredSummary:
    """A stored summary with every quote checked again against its items as they are now
    (a summary stored under an older, laxer rule cannot keep a "verified" it no longer earns)."""
    with db.read() as session:
        row = session.get(SummaryRow, summary_id)
        if row is None:
            raise NotFound(f"no summary with id {summary_id}")
        return _reverified(session, _stored(row))


def latest_summary(db: Database, question_id: str) -> StoredSummary | None:
    newest = _summaries_newest_first(db, question_id, limit=1)
    if not newest:
        return None
    with db.read() as session:
        return _reverified(session, newest[0])


def _reverified(session: Session, stored: StoredSummary) -> StoredSummary:
    cited = sorted({p.evidence_id for p in stored.summary.key_points})
    query = select(EvidenceItem).where(col(EvidenceItem.id).in_(cited))
    items = list(session.exec(query)) if cited else []
    summary = verify_summary(stored.summary, [evidence_doc(i) for i in items])
    return stored.model_copy(update={"summary": summary})


def draft_questions(
    actor: Actor, article_text: str, title: str | None = None
) -> list[QuestionDraft]:
    """Candidate questions from an article; nothing is created until an admin accepts one
    (through `questions.create_question`). Only admins draft: they alone create questions, and
    each draft is a paid model call."""
    require_admin(actor, "draft questions")
    return current_engine().draft_questions(article_text, title)
