"""Question lint: the offline rules always, a model's ambiguity findings when one is configured.

Advisory only: lint never blocks or changes a question; the admin reads the findings beside the
form and decides. A stored question, a form's unsaved fields, a draft and an interchange file
are all linted the same way (as a `QuestionBrief`).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from tracker.db import Database
from tracker.errors import InvalidInput, describe_validation_error
from tracker.llm.assist import AnswerCache
from tracker.llm.lint import model_findings
from tracker.llm.schema import QuestionBrief
from tracker.quality.findings import LintFinding, sort_findings
from tracker.quality.lint import lint_rules
from tracker.schemas import QuestionRead
from tracker.services import questions

_ANSWERS = AnswerCache()
"""Model answers by (prompt version, model, wording): the same wording is asked once."""


class LintReport(BaseModel):
    question_id: str
    title: str
    findings: list[LintFinding]
    engine: str
    """Who wrote the ambiguity findings: "openai" (a model) or "offline" (rules only)."""
    model: str = ""
    fallback_reason: str | None = None

    @property
    def errors(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity == "error"]


def brief_of(fields: Mapping[str, Any]) -> QuestionBrief:
    """A question (stored, drafted or typed) as the linter sees it; InvalidInput if it lacks a
    title or its times."""
    data = {k: v for k, v in fields.items() if k in QuestionBrief.model_fields and v is not None}
    data.setdefault("id", "draft")
    if data.get("type") == "binary" or not data.get("options"):
        data["options"] = ["Yes", "No"] if data.get("type", "binary") == "binary" else []
    try:
        return QuestionBrief.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"cannot lint: {describe_validation_error(exc)}") from None


def _open_briefs(db: Database) -> list[QuestionBrief]:
    rows: list[QuestionRead] = questions.list_questions(db, states={"open", "upcoming"})
    return [brief_of(q.model_dump()) for q in rows]


def lint_brief(db: Database, brief: QuestionBrief, *, use_model: bool = True) -> LintReport:
    findings = lint_rules(brief, _open_briefs(db))
    engine, reason, model = "offline", None, ""
    if use_model:
        from tracker.services.summaries import current_engine

        llm = current_engine()
        model = getattr(llm, "model", "")
        extra, engine, reason = model_findings(llm, brief, cache=_ANSWERS)
        findings = sort_findings(findings + extra)
    return LintReport(
        question_id=brief.id,
        title=brief.title,
        findings=findings,
        engine=engine,
        model=model if engine != "offline" else "",
        fallback_reason=reason,
    )


def lint_question(db: Database, question_id: str, *, use_model: bool = True) -> LintReport:
    return lint_brief(
        db, brief_of(questions.get_question(db, question_id).model_dump()), use_model=use_model
    )


def lint_fields(db: Database, fields: Mapping[str, Any], *, use_model: bool = True) -> LintReport:
    """Lint unsaved values (a form, a draft, an interchange entry) without storing anything."""
    fields = dict(fields)
    for key in ("open_time", "close_time"):
        if isinstance(fields.get(key), str):
            try:
                fields[key] = datetime.fromisoformat(fields[key].replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInput(f"cannot lint: {key} is not an ISO time") from None
    fields.setdefault("open_time", db.now())
    return lint_brief(db, brief_of(fields), use_model=use_model)
