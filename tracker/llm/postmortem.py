"""A post-mortem narrative written by a model from the app's own numbered facts.

Each sentence must cite at least one fact id that exists; the others are dropped, so every
sentence shown points at facts the reader can check beside it. Offline: the facts alone.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

from tracker.llm.assist import AnswerCache, ask
from tracker.llm.guard import UNSAFE_CHARS, new_fence
from tracker.llm.prompts import Messages, Prompt, load_prompt

POSTMORTEM_PROMPT = "postmortem_v1"
MAX_SENTENCES = 10


class Fact(BaseModel):
    id: str
    text: str


class WireSentence(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    fact_ids: list[str]


class WireNarrative(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sentences: list[WireSentence]


class Sentence(BaseModel):
    text: str
    fact_ids: list[str]


class Narrative(BaseModel):
    sentences: list[Sentence]
    engine: str
    model: str = ""
    prompt_version: str = ""
    reason: str | None = None
    """Why there is no narrative (offline, or the model failed or cited nothing real)."""


def postmortem_prompt() -> Prompt:
    return load_prompt(POSTMORTEM_PROMPT, WireNarrative)


def postmortem_messages(prompt: Prompt, facts: list[Fact]) -> Messages:
    lines = [f"{f.id}: {f.text}" for f in facts]
    fence = new_fence(lines)
    block = "\n".join([f"<<<FACTS {fence}>>>", *lines, f"<<<END FACTS {fence}>>>"])
    user = prompt.user.substitute(fence=fence, facts=block)
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}]


def cited_sentences(wire: WireNarrative, facts: list[Fact]) -> list[Sentence]:
    known = {f.id for f in facts}
    out = []
    for s in wire.sentences[:MAX_SENTENCES]:
        ids = [i.strip() for i in s.fact_ids if i.strip() in known]
        text = UNSAFE_CHARS.sub("", s.text).strip()[:600]
        if ids and text:
            out.append(Sentence(text=text, fact_ids=sorted(set(ids), key=ids.index)))
    return out


def narrate(engine: Any, facts: list[Fact], *, cache: AnswerCache | None = None) -> Narrative:
    """Never raises; no narrative (with the reason) when no model writes a cited one."""
    prompt = postmortem_prompt()
    answer = ask(
        engine, prompt, postmortem_messages(prompt, facts), WireNarrative,
        inputs=[f.model_dump() for f in facts], cache=cache,
    )  # fmt: skip
    made = {"engine": answer.engine, "model": answer.model, "prompt_version": answer.prompt_version}
    if answer.value is None:
        reason = answer.fallback_reason or "the offline engine writes no narrative"
        return Narrative(sentences=[], reason=reason, **made)
    sentences = cited_sentences(answer.value, facts)
    if not sentences:
        return Narrative(sentences=[], reason="no sentence of the model cited a known fact", **made)
    return Narrative(sentences=sentences, **made)
