"""A post-mortem narrative written by a model from the app's own numbered facts and the
question's discussion (numbered comments, fenced as untrusted text like evidence titles).

Each sentence must cite at least one fact or comment id that exists; the others are dropped, so
every sentence shown points at facts or comments the reader can check beside it. Offline: the
facts and the comments alone.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tracker.llm.assist import AnswerCache, ask
from tracker.llm.guard import UNSAFE_CHARS, find_injection, new_fence
from tracker.llm.prompts import Messages, Prompt, load_prompt

POSTMORTEM_PROMPT = "postmortem_v2"
MAX_SENTENCES = 10


class Fact(BaseModel):
    id: str
    text: str


class DiscussionNote(BaseModel):
    """One comment of the question's discussion as the post-mortem quotes it (`C1`, `C2`…).
    A deleted comment keeps its place, author and time, without words."""

    id: str
    comment_id: int
    reply_to: str | None
    """The id of the comment it answers, when that one is quoted too."""
    depth: int
    author: str
    at: datetime
    edited: bool
    deleted: bool
    text: str
    """The words (shortened to a bound), empty when deleted."""
    shortened: bool = False
    about: str = ""
    """What the author linked it to: one of their forecasts, an evidence item."""
    before_end: bool = True
    """Written before the question stopped taking forecasts."""

    def line(self) -> str:
        """The comment on one line for the prompt: who, when, and its words or [deleted]."""
        where = [self.author, self.at.strftime("%Y-%m-%d %H:%M UTC")]
        if self.reply_to:
            where.append(f"reply to {self.reply_to}")
        if not self.before_end:
            where.append("after the question ended")
        if self.about:
            where.append(f"about {one_line(self.about)}")
        if self.deleted:
            return f"{self.id} ({', '.join(where)}): [deleted]"
        words = one_line(self.text) + (" […]" if self.shortened else "")
        flag = "[flagged] " if find_injection(self.text) else ""
        return f"{self.id} ({', '.join(where)}): {flag}{words}"


def one_line(text: str) -> str:
    """Untrusted text on one line: no control or bidi characters, whitespace collapsed (a
    comment cannot start a line of its own that looks like another comment or a fact)."""
    return " ".join(UNSAFE_CHARS.sub("", text).split())


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


def postmortem_messages(
    prompt: Prompt, facts: list[Fact], notes: list[DiscussionNote] | None = None
) -> Messages:
    lines = [f"{f.id}: {f.text}" for f in facts]
    said = [n.line() for n in notes or []] or ["(nobody commented on this question)"]
    fence = new_fence([*lines, *said])
    block = "\n".join([f"<<<FACTS {fence}>>>", *lines, f"<<<END FACTS {fence}>>>"])
    talk = "\n".join([f"<<<DISCUSSION {fence}>>>", *said, f"<<<END DISCUSSION {fence}>>>"])
    user = prompt.user.substitute(fence=fence, facts=block, discussion=talk)
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}]


def cited_sentences(
    wire: WireNarrative, facts: list[Fact], notes: list[DiscussionNote] | None = None
) -> list[Sentence]:
    known = {f.id for f in facts} | {n.id for n in notes or []}
    out = []
    for s in wire.sentences[:MAX_SENTENCES]:
        ids = [i.strip() for i in s.fact_ids if i.strip() in known]
        text = UNSAFE_CHARS.sub("", s.text).strip()[:600]
        if ids and text:
            out.append(Sentence(text=text, fact_ids=sorted(set(ids), key=ids.index)))
    return out


def narrate(
    engine: Any,
    facts: list[Fact],
    notes: list[DiscussionNote] | None = None,
    *,
    cache: AnswerCache | None = None,
) -> Narrative:
    """Never raises; no narrative (with the reason) when no model writes a cited one."""
    prompt = postmortem_prompt()
    notes = notes or []
    inputs = {
        "facts": [f.model_dump() for f in facts],
        "discussion": [n.model_dump(mode="json") for n in notes],
    }
    answer = ask(
        engine, prompt, postmortem_messages(prompt, facts, notes), WireNarrative,
        inputs=inputs, cache=cache,
    )  # fmt: skip
    made = {"engine": answer.engine, "model": answer.model, "prompt_version": answer.prompt_version}
    if answer.value is None:
        reason = answer.fallback_reason or "the offline engine writes no narrative"
        return Narrative(sentences=[], reason=reason, **made)
    sentences = cited_sentences(answer.value, facts, notes)
    if not sentences:
        reason = "no sentence of the model cited a known fact or comment"
        return Narrative(sentences=[], reason=reason, **made)
    return Narrative(sentences=sentences, **made)
