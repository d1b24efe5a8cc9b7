"""Resolution proposals: a model's reading of the criteria against the linked evidence, checked.

Nothing the model says is taken on trust: the option must be one of the question's, the
criterion clause must be in the criteria, and each quote must verify (one contiguous span of
the cited item, `verify.check_quote`). A proposal of an option or an annulment left without a
verified quote is not a proposal. The offline part is the passages of the evidence that best
match the criteria (BM25), with their dates: what an admin reads first either way.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from tracker.llm.assist import AnswerCache, ask
from tracker.llm.extract import bm25, split_sentences, tokenize
from tracker.llm.guard import UNSAFE_CHARS, new_fence
from tracker.llm.prompts import MAX_ITEM_CHARS, Messages, Prompt, load_prompt
from tracker.llm.schema import EvidenceDoc, QuestionBrief
from tracker.llm.verify import check_quote, normalize

RESOLVE_PROMPT = "resolve_v1"
Verdict = Literal["option", "annul", "not_yet_knowable"]
MAX_PASSAGES = 6


def _verdict(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower().replace(" ", "_").replace("-", "_")
        return {"not_yet_known": "not_yet_knowable", "unknown": "not_yet_knowable"}.get(word, word)
    return value


class WireQuote(BaseModel):
    model_config = ConfigDict(extra="ignore")
    evidence_id: int
    quote: str


class WireResolution(BaseModel):
    model_config = ConfigDict(extra="ignore")
    verdict: Annotated[Verdict, BeforeValidator(_verdict)]
    option: str | None
    criterion_clause: str
    quotes: list[WireQuote]
    reasoning: str


class Passage(BaseModel):
    """A stretch of one evidence item, with the item's dates (quotes and offline passages)."""

    evidence_id: int
    title: str
    published_at: datetime | None
    added_at: datetime
    text: str
    verified: bool = True


class Proposal(BaseModel):
    verdict: Verdict
    option: str | None = None
    criterion_clause: str = ""
    quotes: list[Passage]
    reasoning: str = ""


class ResolutionAdvice(BaseModel):
    """What the admin sees: passages always; a proposal only from a model, and only verified."""

    question_id: str
    passages: list[Passage]
    proposal: Proposal | None = None
    engine: str = "offline"
    model: str = ""
    prompt_version: str = ""
    rejected: str | None = None
    """Why a model's answer was not shown as a proposal (failure, or it did not check out)."""


def resolve_prompt() -> Prompt:
    return load_prompt(RESOLVE_PROMPT, WireResolution)


def _passage(doc: EvidenceDoc, text: str, verified: bool = True) -> Passage:
    return Passage(
        evidence_id=doc.id,
        title=doc.title,
        published_at=doc.published_at,
        added_at=doc.added_at,
        text=text,
        verified=verified,
    )


def best_passages(
    q: QuestionBrief, docs: list[EvidenceDoc], limit: int = MAX_PASSAGES
) -> list[Passage]:
    """The evidence sentences closest to the resolution criteria (and title), best first."""
    weights: dict[str, float] = {}
    for token in tokenize(q.resolution_criteria) + tokenize(q.title) * 2:
        weights[token] = weights.get(token, 0.0) + 1.0
    sentences = [(doc, s) for doc in docs for s in split_sentences(doc.text)]
    if not sentences:
        return []
    scores = bm25([tokenize(s) for _, s in sentences], weights)
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    return [_passage(*sentences[i]) for i in order[:limit] if scores[i] > 0]


def _clip(text: str, limit: int) -> str:
    text = UNSAFE_CHARS.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def resolve_messages(prompt: Prompt, q: QuestionBrief, docs: list[EvidenceDoc]) -> Messages:
    fence = new_fence([q.title, q.resolution_criteria] + [d.title + d.text for d in docs])
    question = "\n".join(
        [
            f"Title: {q.title}",
            f"Options, exactly as spelled: {' | '.join(q.options)}",
            f"Window: {q.open_time:%Y-%m-%d %H:%M UTC} to {q.close_time:%Y-%m-%d %H:%M UTC}",
            "Resolution criteria:",
            q.resolution_criteria or "(none)",
        ]
    )
    blocks = [
        "\n".join(
            [
                f"<<<EVIDENCE {fence} id={d.id}>>>",
                f"title: {d.title}",
                f"published: {d.published_at:%Y-%m-%d}" if d.published_at else "published: unknown",
                f"added: {d.added_at:%Y-%m-%d}",
                "text:",
                d.text[:MAX_ITEM_CHARS],
                f"<<<END EVIDENCE {fence}>>>",
            ]
        )
        for d in docs
    ]
    user = prompt.user.substitute(
        fence=fence, question=question, evidence="\n\n".join(blocks) or "(no evidence linked)"
    )
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}]


def check_proposal(wire: WireResolution, q: QuestionBrief, docs: list[EvidenceDoc]) -> Proposal:
    """The model's answer as a trusted proposal, or ValueError saying why it is not one."""
    by_id = {d.id: d for d in docs}
    quotes = [
        _passage(by_id[w.evidence_id], _clip(w.quote, 1000))
        for w in wire.quotes[:8]
        if w.evidence_id in by_id and check_quote(w.quote, by_id[w.evidence_id].text).verified
    ]
    clause = _clip(wire.criterion_clause, 1500)
    if wire.verdict == "not_yet_knowable":
        return Proposal(
            verdict="not_yet_knowable", quotes=quotes, reasoning=_clip(wire.reasoning, 1500)
        )
    option = None
    if wire.verdict == "option":
        options = {o.casefold(): o for o in q.options}
        option = options.get((wire.option or "").strip().casefold())
        if option is None:
            raise ValueError(f"the model proposed “{_clip(wire.option or '', 80)}”, not an option")
    if not normalize(clause) or normalize(clause).strip(" .") not in normalize(
        q.resolution_criteria
    ):
        raise ValueError("the criterion clause it cited is not in the resolution criteria")
    if not quotes:
        raise ValueError("none of its quotes could be found in the linked evidence")
    return Proposal(
        verdict=wire.verdict,
        option=option,
        criterion_clause=clause,
        quotes=quotes,
        reasoning=_clip(wire.reasoning, 1500),
    )


def advise(
    engine: Any, q: QuestionBrief, docs: list[EvidenceDoc], *, cache: AnswerCache | None = None
) -> ResolutionAdvice:
    """Passages always; a checked proposal when a model answers well. Never raises."""
    advice = ResolutionAdvice(question_id=q.id, passages=best_passages(q, docs))
    if not docs:
        return advice.model_copy(update={"rejected": "no evidence is linked to this question"})
    prompt = resolve_prompt()
    inputs = {
        "question": q.model_dump(mode="json", exclude={"keywords"}),
        "evidence": sorted([d.id, d.content_hash] for d in docs),
    }
    answer = ask(
        engine, prompt, resolve_messages(prompt, q, docs), WireResolution, inputs=inputs,
        cache=cache,
    )  # fmt: skip
    made = {"engine": answer.engine, "model": answer.model, "prompt_version": answer.prompt_version}
    if answer.value is None:
        return advice.model_copy(update={**made, "rejected": answer.fallback_reason})
    try:
        proposal = check_proposal(answer.value, q, docs)
    except ValueError as exc:
        return advice.model_copy(
            update={**made, "rejected": f"the model's proposal was set aside: {exc}"}
        )
    return advice.model_copy(update={**made, "proposal": proposal})
