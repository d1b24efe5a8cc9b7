"""The AI baseline forecaster: several sampled forecasts from a model, their median kept.

A sample is valid only if it gives a probability for every option (renormalised); cited
evidence ids that are not linked to the question are dropped. Fewer than a majority of valid
samples gives no forecast at all. There is no offline forecaster: without a model there is no
bot forecast (people anchor on a machine's number, so a made-up one would do harm).
"""

import math
import re
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from tracker.llm.assist import AnswerCache, ask, has_model
from tracker.llm.budget import CircuitBreaker
from tracker.llm.guard import UNSAFE_CHARS, new_fence
from tracker.llm.prompts import Messages, Prompt, load_prompt
from tracker.llm.schema import EvidenceSummary, QuestionBrief
from tracker.scoring import aggregate

BOT_PROMPT = "bot_forecast_v1"
SAMPLES = 3
_CITED = re.compile(r"\[#(\d+)\]")


class WireOptionP(BaseModel):
    model_config = ConfigDict(extra="ignore")
    option: str
    probability: float


class WireBotForecast(BaseModel):
    model_config = ConfigDict(extra="ignore")
    probabilities: list[WireOptionP]
    rationale: str
    evidence_ids: list[int]


class EvidenceLine(BaseModel):
    id: int
    title: str
    published_at: datetime | None


class BotInput(BaseModel):
    question: QuestionBrief
    summary: EvidenceSummary | None
    evidence: list[EvidenceLine]
    today: datetime


class BotForecastResult(BaseModel):
    probabilities: dict[str, float] | None
    """The median of the valid samples (None: no forecast)."""
    samples: list[dict[str, float]]
    rationale: str = ""
    evidence_ids: list[int] = []
    engine: str
    model: str
    prompt_version: str
    reason: str | None = None
    """Why there is no forecast."""


def bot_prompt() -> Prompt:
    return load_prompt(BOT_PROMPT, WireBotForecast)


def bot_messages(prompt: Prompt, data: BotInput, sample: int) -> Messages:
    q = data.question
    summary = data.summary
    parts = (
        [f"headline: {summary.headline}", f"status quo: {summary.status_quo}"] if summary else []
    )
    if summary:
        parts += [f"what is new: {summary.whats_new}"] + [
            f"- [#{p.evidence_id}] ({p.direction}) {p.claim} — quote: “{p.quote}”"
            for p in summary.key_points
            if p.verified
        ]
    parts += [
        f"item [#{e.id}] {e.title} (published {e.published_at:%Y-%m-%d})"
        if e.published_at
        else f"item [#{e.id}] {e.title}"
        for e in data.evidence
    ]
    fence = new_fence([q.title, q.resolution_criteria, *parts])
    question = "\n".join(
        [
            f"Title: {q.title}",
            f"Options, exactly as spelled: {' | '.join(q.options)}",
            f"Window: {q.open_time:%Y-%m-%d %H:%M UTC} to {q.close_time:%Y-%m-%d %H:%M UTC}",
            "Resolution criteria:",
            q.resolution_criteria or "(none)",
        ]
    )
    evidence = "\n".join([f"<<<EVIDENCE {fence}>>>", *parts, f"<<<END EVIDENCE {fence}>>>"])
    user = prompt.user.substitute(
        fence=fence,
        today=f"{data.today:%Y-%m-%d}",
        question=question,
        evidence=evidence if parts else "(no evidence yet)",
        sample=sample + 1,
    )
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": user}]


def _vector(wire: WireBotForecast, options: list[str]) -> list[float] | None:
    by_option = {o.casefold(): o for o in options}
    got: dict[str, float] = {}
    for item in wire.probabilities:
        option = by_option.get(item.option.strip().casefold())
        if option is None or not math.isfinite(item.probability) or not 0 <= item.probability <= 1:
            return None
        got[option] = item.probability
    if set(got) != set(options):
        return None
    total = sum(got.values())
    return [got[o] / total for o in options] if total > 0 else None


def forecast(
    engine: Any, data: BotInput, *, cache: AnswerCache | None = None, samples: int = SAMPLES
) -> BotForecastResult:
    """The median of `samples` model forecasts, or no forecast with the reason. Never raises."""
    prompt = bot_prompt()
    made = {
        "engine": "offline",
        "model": getattr(engine, "model", ""),
        "prompt_version": prompt.version,
    }
    if not has_model(engine):
        return BotForecastResult(
            probabilities=None, samples=[], reason="the offline engine makes no forecasts", **made
        )
    options = data.question.options
    linked = {e.id for e in data.evidence}
    breaker = CircuitBreaker()
    vectors, rationales, cited, failures = [], [], set(), []
    inputs = data.model_dump(mode="json", exclude={"today"})
    for i in range(samples):
        answer = ask(
            engine, prompt, bot_messages(prompt, data, i), WireBotForecast,
            inputs={"sample": i, **inputs}, cache=cache, breaker=breaker,
        )  # fmt: skip
        vector = _vector(answer.value, options) if answer.value is not None else None
        if vector is None:
            failures.append(answer.fallback_reason or "a sample did not give every option")
            continue
        vectors.append(vector)
        rationales.append(UNSAFE_CHARS.sub("", answer.value.rationale).strip()[:1500])  # type: ignore[union-attr]
        ids = set(answer.value.evidence_ids) | {int(m) for m in _CITED.findall(rationales[-1])}  # type: ignore[union-attr]
        cited |= ids & linked
    made["engine"] = "openai"
    sample_rows = [dict(zip(options, v, strict=True)) for v in vectors]
    if len(vectors) * 2 <= samples:
        reason = f"only {len(vectors)} of {samples} samples were usable ({failures[-1]})"
        return BotForecastResult(probabilities=None, samples=sample_rows, reason=reason, **made)
    median = aggregate.median(np.asarray(vectors, dtype=float))
    pooled = dict(zip(options, (float(p) for p in median), strict=True))
    shown = ", ".join(f"{o} {p:.0%}" for o, p in pooled.items())
    rationale = f"AI baseline: median of {len(vectors)} samples ({shown}). {rationales[0]}" + (
        f" Evidence cited: {', '.join(f'#{i}' for i in sorted(cited))}." if cited else ""
    )
    return BotForecastResult(
        probabilities=pooled,
        samples=sample_rows,
        rationale=rationale[:4000],
        evidence_ids=sorted(cited),
        **made,
    )
