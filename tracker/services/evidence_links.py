"""Linking evidence to the questions it bears on: the offline matcher, then a model's second
opinion on the borderline candidates, then the link rows.

The matcher (`tracker.evidence.match`) decides offline: a score of at least MATCH_THRESHOLD
links. With an LLM configured, candidates within MATCH_LLM_BAND of the threshold (on either
side) go to the model, one call per item for all its borderline questions, at most
MATCH_LLM_MAX_CANDIDATES of them; its yes/no and one-line reason decide those, and the link
says so (`method="llm"`). Verdicts are kept in `relevance_judgement`, so the same item and
question wording is asked once. When the model fails, the offline decision stands.

No model call happens inside a write transaction: items and questions are read, judged, and
only then are the links written. A link that exists already (a person's link or unlink, or an
earlier automatic one) is never touched, so re-matching never undoes a manual decision.
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel
from sqlmodel import Session, col, select

from tracker.config import get_settings
from tracker.db import Database
from tracker.evidence.match import Match, QuestionMatcher, QuestionTerms
from tracker.llm import EvidenceDoc, QuestionBrief
from tracker.llm.budget import CircuitBreaker
from tracker.models import EvidenceItem, Question, QuestionEvidence, RelevanceJudgement
from tracker.schemas import Actor
from tracker.services import notifications
from tracker.services.llm_inputs import evidence_doc, question_brief
from tracker.services.questions import question_state

MAX_PASSAGE_CHARS = 1_000
MAX_ITEMS_ON_QUESTION_CHANGE = 1_000
"""A new or reworded question is matched against this many of the newest items."""
MAX_JUDGED_ITEMS = 20
"""At most this many items of one batch get a model's second opinion (the rest: offline)."""


class Candidate(BaseModel):
    """One (item, question) pair the matcher found, and what was decided about it."""

    question_id: str
    score: float
    passage: str
    linked: bool
    method: str = "auto"
    reason: str = ""


@lru_cache(maxsize=4)
def _matcher(terms: tuple[QuestionTerms, ...]) -> QuestionMatcher:
    """One matcher per set of open questions (rebuilt when any question's wording changes)."""
    return QuestionMatcher(terms)


def _open_questions(session: Session, now: datetime) -> list[Question]:
    rows = session.exec(select(Question).where(Question.status == "open").order_by(Question.id))
    return [q for q in rows if question_state(q, now) in ("open", "upcoming")]


def _terms(question: Question) -> QuestionTerms:
    return QuestionTerms(
        id=question.id,
        title=question.title,
        text=f"{question.description}\n{question.resolution_criteria}",
        keywords=tuple(question.keywords or ()),
    )


def judgement_key(doc: EvidenceDoc, question: QuestionBrief, prompt: str, model: str) -> str:
    """What a verdict depends on: the item's content and the question's wording and terms."""
    blob = json.dumps(
        [
            doc.content_hash,
            question.id,
            question.revision,
            question.title,
            question.resolution_criteria,
            question.keywords,
            prompt,
            model,
        ],
        ensure_ascii=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def match_items(
    db: Database,
    actor: Actor,
    item_ids: Sequence[int],
    *,
    only_question: str | None = None,
) -> dict[int, list[Candidate]]:
    """Match items against the open questions and write the new links; returns, per item,
    every candidate considered (linked or not) so callers can say what happened."""
    from tracker.services.summaries import current_engine

    settings = get_settings()
    now = db.now()
    with db.read() as session:
        questions = _open_questions(session, now)
        items = list(
            session.exec(select(EvidenceItem).where(col(EvidenceItem.id).in_(list(item_ids))))
        )
    if not questions or not items:
        return {}
    matcher = _matcher(tuple(_terms(q) for q in questions))
    engine = current_engine()
    judging = engine.name != "offline"
    band = settings.match_llm_band if judging else 0.0
    found = matcher.links_many(
        [f"{i.title}\n{i.text}" for i in items],
        threshold=settings.match_threshold,
        relative=settings.match_relative,
        max_links=settings.match_max_links + settings.match_llm_max_candidates,
        margin=band,
    )
    briefs = {q.id: question_brief(q) for q in questions}
    breaker = CircuitBreaker()
    decided: dict[int, list[Candidate]] = {}
    for number, (item, matches) in enumerate(zip(items, found, strict=True)):
        if only_question is not None:
            matches = [m for m in matches if m.question_id == only_question]
        candidates = _offline(matches, settings.match_threshold)  # best first
        borderline = [c for c in candidates if abs(c.score - settings.match_threshold) <= band][
            : settings.match_llm_max_candidates
        ]
        if judging and borderline and number < MAX_JUDGED_ITEMS:
            _judge(db, engine, evidence_doc(item), [briefs[c.question_id] for c in borderline],
                   {c.question_id: c for c in borderline}, breaker)  # fmt: skip
        linked = [c for c in candidates if c.linked]
        for dropped in linked[settings.match_max_links :]:
            dropped.linked = False  # the best ones, by score, are kept
        decided[item.id or 0] = candidates
    _write_links(db, decided, now)
    return decided


def _offline(matches: list[Match], threshold: float) -> list[Candidate]:
    return [
        Candidate(
            question_id=m.question_id,
            score=round(m.score, 6),
            passage=m.passage[:MAX_PASSAGE_CHARS],
            linked=m.score >= threshold,
        )
        for m in matches
    ]


def _judge(
    db: Database,
    engine,  # type: ignore[no-untyped-def]
    doc: EvidenceDoc,
    questions: list[QuestionBrief],
    candidates: dict[str, Candidate],
    breaker: CircuitBreaker,
) -> None:
    """Ask the model about the borderline candidates (cached); its verdict replaces the
    offline one. A failed or partial answer leaves the unanswered ones as they were."""
    prompt = getattr(engine, "relevance_prompt", None)
    version = prompt.version if prompt is not None else ""
    keys = {q.id: judgement_key(doc, q, version, engine.model) for q in questions}
    with db.read() as session:
        cached = {
            row.question_id: row
            for row in session.exec(
                select(RelevanceJudgement).where(
                    col(RelevanceJudgement.cache_key).in_(keys.values())
                )
            )
        }
    for question_id, row in cached.items():
        _apply(candidates[question_id], row.relevant, row.reason)
    todo = [q for q in questions if q.id not in cached]
    if not todo:
        return
    verdicts = engine.judge_relevance(doc, todo, breaker=breaker)
    if not verdicts:
        return
    now = db.now()
    with db.write() as session:
        for verdict in verdicts:
            _apply(candidates[verdict.question_id], verdict.relevant, verdict.reason)
            if session.get(RelevanceJudgement, keys[verdict.question_id]) is None:
                session.add(
                    RelevanceJudgement(
                        cache_key=keys[verdict.question_id],
                        question_id=verdict.question_id,
                        evidence_id=doc.id,
                        relevant=verdict.relevant,
                        reason=verdict.reason,
                        model=engine.model,
                        prompt_version=version,
                        created_at=now,
                    )
                )


def _apply(candidate: Candidate, relevant: bool, reason: str) -> None:
    candidate.linked, candidate.method, candidate.reason = relevant, "llm", reason


def _write_links(db: Database, decided: dict[int, list[Candidate]], now: datetime) -> None:
    with db.write() as session:
        for item_id, candidates in decided.items():
            for c in candidates:
                if not c.linked or session.get(QuestionEvidence, (c.question_id, item_id)):
                    continue
                session.add(
                    QuestionEvidence(
                        question_id=c.question_id,
                        evidence_id=item_id,
                        score=c.score,
                        method=c.method,
                        passage=c.passage,
                        reason=c.reason,
                        updated_at=now,
                    )
                )
                notifications.on_evidence_linked(session, c.question_id, item_id, at=now)


def match_question(db: Database, actor: Actor, question_id: str) -> int:
    """After a question is created or its wording or keywords change: link the newest stored
    items that bear on it. Returns how many links were added."""
    with db.read() as session:
        ids = list(
            session.exec(
                select(EvidenceItem.id)
                .order_by(col(EvidenceItem.added_at).desc(), col(EvidenceItem.id).desc())
                .limit(MAX_ITEMS_ON_QUESTION_CHANGE)
            )
        )
        before = _link_count(session, question_id)
    match_items(db, actor, [i for i in ids if i is not None], only_question=question_id)
    with db.read() as session:
        return _link_count(session, question_id) - before


def _link_count(session: Session, question_id: str) -> int:
    rows = session.exec(
        select(QuestionEvidence.evidence_id).where(QuestionEvidence.question_id == question_id)
    )
    return len(list(rows))
