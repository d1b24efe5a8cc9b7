"""Ambiguity findings from a model: what the offline rules cannot see (two readings of a clause).

Each finding must quote the words it is about; a quote that is not in the named field's text
(compared in `verify.normalize` form) is dropped, so the UI never shows a finding about words
the question does not contain.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from tracker.llm.assist import AnswerCache, ask
from tracker.llm.budget import CircuitBreaker
from tracker.llm.guard import UNSAFE_CHARS, new_fence
from tracker.llm.prompts import Messages, Prompt, load_prompt
from tracker.llm.schema import QuestionBrief
from tracker.llm.verify import normalize
from tracker.quality.findings import LintFinding

LINT_PROMPT = "lint_v1"
MAX_FINDINGS = 5
MIN_QUOTE_CHARS = 3


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class WireAmbiguity(BaseModel):
    model_config = ConfigDict(extra="ignore")
    field: Annotated[
        Literal["title", "description", "resolution_criteria", "options"], BeforeValidator(_lower)
    ]
    quote: str
    readings: list[str]
    severity: Annotated[Literal["warning", "note"], BeforeValidator(_lower)]
    message: str


class WireLint(BaseModel):
    model_config = ConfigDict(extra="ignore")
    findings: list[WireAmbiguity]


def lint_prompt() -> Prompt:
    return load_prompt(LINT_PROMPT, WireLint)


def field_text(q: QuestionBrief, field: str) -> str:
    return "\n".join(q.options) if field == "options" else str(getattr(q, field))


def lint_messages(prompt: Prompt, q: QuestionBrief) -> Messages:
    fence = new_fence([q.title, q.description, q.resolution_criteria, *q.options])
    block = "\n".join(
        [
            f"<<<QUESTION {fence}>>>",
            f"title: {q.title}",
            f"type: {q.type}",
            "options:",
            *(f"- {o}" for o in q.options),
            f"opens: {q.open_time:%Y-%m-%d %H:%M UTC}; closes: {q.close_time:%Y-%m-%d %H:%M UTC}",
            "description:",
            q.description or "(none)",
            "resolution_criteria:",
            q.resolution_criteria or "(none)",
            f"<<<END QUESTION {fence}>>>",
        ]
    )
    user = prompt.user.substitute(fence=fence, question=block)
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}]


def _clip(text: str, limit: int) -> str:
    text = UNSAFE_CHARS.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def verified_findings(wire: WireLint, q: QuestionBrief) -> list[LintFinding]:
    """Findings whose quote is in the named field, as LintFindings (source "model")."""
    out = []
    for item in wire.findings[:MAX_FINDINGS]:
        quote = normalize(item.quote).strip(" \"'“”.,;")
        if len(quote) < MIN_QUOTE_CHARS or quote not in normalize(field_text(q, item.field)):
            continue
        readings = [_clip(r, 300) for r in item.readings if r.strip()][:3]
        shown = "; or ".join(f"“{r}”" for r in readings)
        message = _clip(item.message, 500) + (f" Readings: {shown}." if readings else "")
        out.append(
            LintFinding(
                code="ambiguous-wording",
                severity=item.severity,
                field=item.field,
                message=message,
                quote=_clip(item.quote, 300),
                source="model",
            )
        )
    return out


def model_findings(
    engine: Any,
    q: QuestionBrief,
    *,
    cache: AnswerCache | None = None,
    breaker: CircuitBreaker | None = None,
) -> tuple[list[LintFinding], str, str | None]:
    """(verified findings, engine that made them, why the model was not used) — never raises."""
    prompt = lint_prompt()
    inputs = q.model_dump(mode="json", exclude={"id", "revision", "keywords"})
    answer = ask(
        engine, prompt, lint_messages(prompt, q), WireLint, inputs=inputs, cache=cache,
        breaker=breaker,
    )  # fmt: skip
    if answer.value is None:
        return [], answer.engine, answer.fallback_reason
    return verified_findings(answer.value, q), answer.engine, None
