"""Versioned prompt templates (prompts/*.md) and the messages built from them.

A template has a fixed system part (instructions and the JSON schema) and a user part holding
the request's data, so the long, identical prefix benefits from provider prompt caching. The
version string is the file name plus a hash of its bytes: an edit without a new file name still
changes the cache key. Untrusted text is fenced with a random per-request token.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template

from pydantic import BaseModel

from tracker.llm.guard import new_fence
from tracker.llm.schema import EvidenceDoc, QuestionBrief, SummaryRequest
from tracker.llm.wire import WireDrafts, WireRelevance, WireSummary

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
SUMMARY_PROMPT = "summarize_v2"
DRAFT_PROMPT = "draft_questions_v2"
RELEVANCE_PROMPT = "relevance_v1"
MAX_RELEVANCE_CHARS = 6_000
MAX_ITEM_CHARS = 12_000
MAX_EVIDENCE_CHARS = 60_000
MAX_ARTICLE_CHARS = 30_000
_SYSTEM, _USER = "<!-- system -->", "<!-- user -->"

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: Template


def load_prompt(name: str, wire_model: type[BaseModel], prompts_dir: Path | None = None) -> Prompt:
    """Read prompts/<name>.md; the schema of `wire_model` is baked into the fixed system part."""
    raw = ((prompts_dir or PROMPTS_DIR) / f"{name}.md").read_text(encoding="utf-8")
    if raw.count(_SYSTEM) != 1 or raw.count(_USER) != 1:
        raise ValueError(f"prompt {name}: needs one '{_SYSTEM}' and one '{_USER}' marker")
    system, user = raw.split(_SYSTEM, 1)[1].split(_USER, 1)
    schema = json.dumps(wire_model.model_json_schema(), indent=1, sort_keys=True)
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return Prompt(
        name=name,
        version=f"{name}:{digest}",
        system=Template(system.strip()).substitute(schema=schema),
        user=Template(user.strip()),
    )


def summary_prompt(prompts_dir: Path | None = None) -> Prompt:
    return load_prompt(SUMMARY_PROMPT, WireSummary, prompts_dir)


def draft_prompt(prompts_dir: Path | None = None) -> Prompt:
    return load_prompt(DRAFT_PROMPT, WireDrafts, prompts_dir)


def relevance_prompt(prompts_dir: Path | None = None) -> Prompt:
    return load_prompt(RELEVANCE_PROMPT, WireRelevance, prompts_dir)


def _utc(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def _question_block(request: SummaryRequest) -> str:
    q = request.question
    return "\n".join(
        [
            f"Title: {q.title}",
            (
                f"Type: {q.type}; options, in order: {' | '.join(q.options)}"
                if q.options
                else f"Type: {q.type} (the forecast is a distribution over a range; "
                "'raises' means the evidence points to a higher value or a later date)"
            ),
            f"Opens {_utc(q.open_time)}; closes {_utc(q.close_time)}",
            "Description:",
            q.description.strip() or "(none)",
            "Resolution criteria:",
            q.resolution_criteria.strip() or "(none)",
        ]
    )


def select_evidence(request: SummaryRequest) -> tuple[list[EvidenceDoc], list[EvidenceDoc]]:
    """(items in the prompt, items left out): new items first, then newest, within a budget."""

    def rank(doc: EvidenceDoc) -> tuple[bool, float, int]:
        when = doc.published_at or doc.added_at
        return (not doc.is_new_since(request.since), -when.timestamp(), doc.id)

    kept, left_out, budget = [], [], MAX_EVIDENCE_CHARS
    for doc in sorted(request.evidence, key=rank):
        size = min(len(doc.text), MAX_ITEM_CHARS)
        if size > budget and kept:
            left_out.append(doc)
            continue
        kept.append(doc)
        budget -= size
    return kept, left_out


def _evidence_block(doc: EvidenceDoc, fence: str, since: datetime | None) -> str:
    text = doc.text[:MAX_ITEM_CHARS]
    if len(doc.text) > MAX_ITEM_CHARS:
        text += "\n[... the app cut the text here ...]"
    return "\n".join(
        [
            f"<<<EVIDENCE {fence} id={doc.id}>>>",
            f"title: {doc.title}",
            f"outlet: {doc.outlet or 'unknown'}",
            f"published: {_utc(doc.published_at)}",
            f"added: {_utc(doc.added_at)}",
            f"new: {'yes' if doc.is_new_since(since) else 'no'}",
            "text:",
            text,
            f"<<<END EVIDENCE {fence}>>>",
        ]
    )


def summary_messages(prompt: Prompt, request: SummaryRequest) -> tuple[Messages, str]:
    """The chat messages for one summary, and the fence token used in them."""
    kept, left_out = select_evidence(request)
    fence = new_fence([request.question.title] + [d.title + d.text for d in kept])
    if request.since is None:
        since = "The user has not forecast yet: every item counts as new."
    elif request.since_what == "summary":
        since = (
            f"The user has not forecast yet; the last summary was made at {_utc(request.since)}. "
            "Items marked `new: yes` came after it."
        )
    else:
        since = (
            f"The user's last forecast: {_utc(request.since)}; items marked `new: yes` came "
            "after it."
        )
    omitted = (
        f"({len(left_out)} older item(s) were left out for length: ids "
        f"{', '.join(str(d.id) for d in left_out)}.)"
        if left_out
        else ""
    )
    blocks = [_evidence_block(d, fence, request.since) for d in kept]
    user = prompt.user.substitute(
        question=_question_block(request),
        since_line=since,
        fence=fence,
        omitted_line=omitted,
        evidence="\n\n".join(blocks) if blocks else "(no evidence items)",
    )
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}], fence


def draft_messages(
    prompt: Prompt, article_text: str, title: str | None, today: datetime
) -> tuple[Messages, str]:
    text = article_text[:MAX_ARTICLE_CHARS]
    fence = new_fence([text, title or ""])
    article = "\n".join(
        [
            f"<<<ARTICLE {fence}>>>",
            f"title: {title or ''}",
            "text:",
            text,
            f"<<<END ARTICLE {fence}>>>",
        ]
    )
    user = prompt.user.substitute(today=today.strftime("%Y-%m-%d"), fence=fence, article=article)
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}], fence


def relevance_messages(
    prompt: Prompt, doc: EvidenceDoc, questions: list[QuestionBrief]
) -> tuple[Messages, str]:
    """One item (its opening, fenced) and the candidate questions it may bear on."""
    text = doc.text[:MAX_RELEVANCE_CHARS]
    fence = new_fence([doc.title, text] + [q.title for q in questions])
    listed = "\n".join(
        f"- id: {q.id}\n  title: {q.title}\n  resolves on: "
        f"{' '.join(q.resolution_criteria.split())[:600] or '(no criteria)'}"
        for q in questions
    )
    evidence = "\n".join(
        [
            f"<<<EVIDENCE {fence}>>>",
            f"title: {doc.title}",
            f"published: {_utc(doc.published_at)}",
            "text:",
            text + ("\n[... the app cut the text here ...]" if len(doc.text) > len(text) else ""),
            f"<<<END EVIDENCE {fence}>>>",
        ]
    )
    user = prompt.user.substitute(fence=fence, questions=listed, evidence=evidence)
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}], fence
