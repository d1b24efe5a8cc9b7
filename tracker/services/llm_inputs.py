"""Rows as the LLM layer sees them: plain, frozen data models, never ORM objects."""

from tracker.llm import EvidenceDoc, QuestionBrief
from tracker.models import EvidenceItem, Question


def question_brief(question: Question) -> QuestionBrief:
    fields = question.model_dump(include=set(QuestionBrief.model_fields))
    return QuestionBrief.model_validate(fields)


def evidence_doc(item: EvidenceItem) -> EvidenceDoc:
    return EvidenceDoc(
        id=item.id or 0,
        title=item.title,
        outlet=item.outlet or None,
        url=item.url,
        published_at=item.published_at,
        added_at=item.added_at,
        text=item.text,
        content_hash=item.content_hash,
    )
