"""The resolution assistant: a proposal for the admin, never a resolution by itself.

`suggest` shows the evidence passages that best match the criteria and, with a model, a checked
proposal (an option, "annul" or "not yet knowable", the clause it rests on, verified quotes
with dates); a proposal is recorded in the audit trail. `decide` resolves as the admin chose
and records, in the same transaction, what was proposed and whether the admin agreed.
`overdue` lists the questions past their close that nobody has resolved.
"""

from datetime import datetime

from pydantic import BaseModel

from tracker.db import Database
from tracker.llm.assist import AnswerCache
from tracker.llm.resolve import Proposal, ResolutionAdvice, advise
from tracker.schemas import ANNULLED, Actor, QuestionRead, Resolution
from tracker.services import audit, questions
from tracker.services.permissions import require_admin
from tracker.services.users import verified_actor

_ANSWERS = AnswerCache(max_items=256)


class OverdueQuestion(BaseModel):
    id: str
    title: str
    close_time: datetime
    days_overdue: int


def _proposed(proposal: Proposal) -> str:
    if proposal.verdict == "option":
        return proposal.option or ""
    return ANNULLED if proposal.verdict == "annul" else "not yet knowable"


def suggest(db: Database, actor: Actor, question_id: str) -> ResolutionAdvice:
    """Advice for resolving a question (any state; it is most useful once closed)."""
    require_admin(actor, "ask for a resolution suggestion")
    from tracker.services.summaries import build_request, current_engine

    request = build_request(db, question_id, None)
    advice = advise(current_engine(), request.question, list(request.evidence), cache=_ANSWERS)
    if advice.proposal is not None:
        with db.write() as session:
            audit.record(
                session,
                verified_actor(session, actor),
                "resolution.suggest",
                "question",
                question_id,
                at=db.now(),
                after={
                    "proposed": _proposed(advice.proposal),
                    "criterion_clause": advice.proposal.criterion_clause,
                    "evidence_ids": sorted({p.evidence_id for p in advice.proposal.quotes}),
                    "engine": advice.engine,
                    "model": advice.model,
                    "prompt_version": advice.prompt_version,
                },
            )
    return advice


def decide(
    db: Database,
    actor: Actor,
    question_id: str,
    resolution: Resolution,
    proposal: Proposal | None = None,
) -> QuestionRead:
    """Resolve (or annul) as the admin decided; the proposal they saw is kept beside it."""
    require_admin(actor, "resolve or annul questions")
    now = db.now()
    with db.write() as session:
        actor = verified_actor(session, actor)
        require_admin(actor, "resolve or annul questions")
        question = questions.get_row(session, question_id)
        questions.apply_resolution(session, actor, question, resolution, now=now)
        if proposal is not None:
            decided = ANNULLED if resolution.annul else resolution.option
            audit.record(
                session,
                actor,
                "resolution.decision",
                "question",
                question_id,
                at=now,
                before={"proposed": _proposed(proposal)},
                after={"decided": decided, "agreed": decided == _proposed(proposal)},
            )
        return questions.to_read(question, now)


def overdue(db: Database, actor: Actor) -> list[OverdueQuestion]:
    """Closed, unresolved questions, longest overdue first (a Fatebook request)."""
    require_admin(actor, "list overdue resolutions")
    now = db.now()
    rows = questions.list_questions(db, states={"closed"})
    late = [
        OverdueQuestion(
            id=q.id, title=q.title, close_time=q.close_time, days_overdue=(now - q.close_time).days
        )
        for q in rows
    ]
    return sorted(late, key=lambda q: (q.close_time, q.id))
