"""The openai engine: any OpenAI-compatible server through the `openai` client.

Structured output first (`chat.completions.parse` with a pydantic schema); if the server ignores
or rejects the schema, one retry in JSON mode validated here. One request has a deadline of
`llm_timeout_s` in all: our own retry loop (up to `llm_max_retries`, backoff on 429/5xx and
connection errors, honouring Retry-After) gives each try only the time that is left, so a hung
server costs one deadline, not timeout × tries. A batch's `CircuitBreaker` stops calling a
server after three failures in a row. Whatever fails, `summarize` never raises: it returns the
offline digest with `fallback_reason` saying what went wrong.
Nothing the model says is trusted: quotes are re-verified, ids and options checked, text clipped.
"""

import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import openai
from openai import OpenAI
from pydantic import BaseModel, ValidationError

from tracker.llm.budget import CircuitBreaker, Deadline
from tracker.llm.cache import cache_key
from tracker.llm.drafting import DraftingFailed, drafts_from_wire
from tracker.llm.guard import UNSAFE_CHARS, suspicious_ids
from tracker.llm.offline import OfflineEngine
from tracker.llm.prompts import (
    draft_messages,
    draft_prompt,
    relevance_messages,
    relevance_prompt,
    select_evidence,
    summary_messages,
    summary_prompt,
)
from tracker.llm.schema import (
    EvidenceDoc,
    EvidenceSummary,
    KeyPoint,
    QuestionBrief,
    QuestionDraft,
    RelevanceVerdict,
    SummaryRequest,
    SummaryResult,
)
from tracker.llm.settings import LLMSettings
from tracker.llm.verify import verify_summary
from tracker.llm.wire import WireDrafts, WireRelevance, WireSummary

log = logging.getLogger(__name__)
W = TypeVar("W", bound=BaseModel)
T = TypeVar("T")
MAX_POINTS = 12
MAX_BACKOFF_S = 8.0
_RETRY_STATUSES = frozenset({408, 409, 429})
MAX_CAVEATS = 10
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class LLMFailure(Exception):
    """A call that produced nothing usable; the message is for people (it ends up in the UI)."""


@dataclass
class Usage:
    tokens_in: int = 0
    tokens_out: int = 0

    def add(self, usage: Any) -> None:
        if usage is not None:
            self.tokens_in += getattr(usage, "prompt_tokens", 0) or 0
            self.tokens_out += getattr(usage, "completion_tokens", 0) or 0

    def add_body(self, response: Any) -> None:
        """Usage from a raw HTTP response, before (and whether or not) its answer parses."""
        try:
            usage = response.json().get("usage") or {}
            self.tokens_in += int(usage.get("prompt_tokens") or 0)
            self.tokens_out += int(usage.get("completion_tokens") or 0)
        except (ValueError, TypeError, AttributeError):
            pass


def _clean(text: str, limit: int) -> str:
    """Model prose as plain text: no control or bidi-override characters, bounded length."""
    text = UNSAFE_CHARS.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class OpenAIEngine:
    """Summaries from a language model, with the offline engine as the safety net."""

    name = "openai"

    def __init__(
        self,
        settings: LLMSettings,
        *,
        fallback: OfflineEngine | None = None,
        client: OpenAI | None = None,
        prompts_dir: Path | None = None,
    ) -> None:
        self.model = settings.llm_model
        self.timeout_s = settings.llm_timeout_s
        self.max_retries = settings.llm_max_retries
        self.server = urlsplit(settings.openai_base_url or "https://api.openai.com").netloc
        self.server = self.server.rsplit("@", 1)[-1]  # never show credentials from a URL
        self.client = client or OpenAI(
            api_key=settings.openai_api_key or "not-needed",
            base_url=settings.openai_base_url or None,
            timeout=settings.llm_timeout_s,
            max_retries=0,  # retries are ours, inside the request's deadline
        )
        self.fallback = fallback or OfflineEngine()
        self.summary_prompt = summary_prompt(prompts_dir)
        self.draft_prompt = draft_prompt(prompts_dir)
        self.relevance_prompt = relevance_prompt(prompts_dir)
        self.prompt_version = self.summary_prompt.version

    # --- summaries ---------------------------------------------------------------------------

    def summarize(
        self, request: SummaryRequest, *, breaker: CircuitBreaker | None = None
    ) -> SummaryResult:
        started = time.perf_counter()
        key = cache_key(request, self.name, self.model, self.prompt_version)
        if not request.evidence:  # nothing to read: no reason to pay for a call
            return self.fallback.summarize(request).model_copy(update={"cache_key": key})
        usage = Usage()
        try:
            if breaker is not None and not breaker.begin():
                raise LLMFailure(breaker.reason())
            messages, _ = summary_messages(self.summary_prompt, request)
            try:
                wire = self._structured(messages, WireSummary, usage, Deadline(self.timeout_s))
            except Exception as exc:
                if breaker is not None:
                    breaker.failed(str(exc) or type(exc).__name__)
                raise
            if breaker is not None:
                breaker.succeeded()
            summary = finish_summary(wire, request)
            return SummaryResult(
                summary=summary,
                engine="openai",
                model=self.model,
                prompt_version=self.prompt_version,
                tokens_in=usage.tokens_in,
                tokens_out=usage.tokens_out,
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
                cache_key=key,
            )
        except LLMFailure as exc:
            reason = str(exc)
        except Exception as exc:  # a bug here must not lose the request either
            log.exception("openai engine failed unexpectedly")
            reason = f"unexpected error in the openai engine ({type(exc).__name__})"
        log.warning("summary for %s fell back to offline: %s", request.question.id, reason)
        result = self.fallback.summarize(request)
        return result.model_copy(
            update={
                "fallback_reason": f"{reason}. Showing the offline extractive digest instead.",
                "tokens_in": usage.tokens_in,
                "tokens_out": usage.tokens_out,
                "latency_ms": round((time.perf_counter() - started) * 1000, 3),
            }
        )

    # --- relevance ----------------------------------------------------------------------------

    def judge_relevance(
        self,
        doc: EvidenceDoc,
        questions: list[QuestionBrief],
        *,
        breaker: CircuitBreaker | None = None,
    ) -> list[RelevanceVerdict] | None:
        """One call for all of an item's borderline questions; None if it fails in any way."""
        if not questions:
            return []
        if breaker is not None and not breaker.begin():
            return None
        messages, _ = relevance_messages(self.relevance_prompt, doc, questions)
        try:
            wire = self._structured(messages, WireRelevance, Usage(), Deadline(self.timeout_s))
        except Exception as exc:  # the offline decision stands; say why in the log
            if breaker is not None:
                breaker.failed(str(exc) or type(exc).__name__)
            log.warning("relevance judgement for item %s failed: %s", doc.id, exc)
            return None
        if breaker is not None:
            breaker.succeeded()
        asked = {q.id for q in questions}
        verdicts = {}
        for verdict in wire.verdicts:
            if verdict.question_id in asked and verdict.question_id not in verdicts:
                verdicts[verdict.question_id] = RelevanceVerdict(
                    question_id=verdict.question_id,
                    relevant=verdict.relevant,
                    reason=_clean(verdict.reason, 300),
                )
        return [verdicts[q.id] for q in questions if q.id in verdicts]

    # --- drafting ----------------------------------------------------------------------------

    def draft_questions(self, article_text: str, title: str | None = None) -> list[QuestionDraft]:
        """Validated proposals (invalid ones dropped); raises DraftingFailed with the reason."""
        messages, _ = draft_messages(self.draft_prompt, article_text, title, datetime.now(UTC))
        try:
            wire = self._structured(messages, WireDrafts, Usage(), Deadline(self.timeout_s))
        except LLMFailure as exc:
            raise DraftingFailed(f"Could not draft questions: {exc}.") from None
        drafts = drafts_from_wire(wire)
        if not drafts:
            raise DraftingFailed("The model proposed no usable question for this article.")
        return drafts

    # --- one structured call -----------------------------------------------------------------

    def structured(
        self,
        messages: list[dict[str, str]],
        wire: type[W],
        *,
        breaker: CircuitBreaker | None = None,
    ) -> tuple[W, Usage]:
        """One schema-validated answer within one deadline, for the assistants in
        `tracker.llm.assist`; raises LLMFailure with a readable reason."""
        if breaker is not None and not breaker.begin():
            raise LLMFailure(breaker.reason())
        usage = Usage()
        try:
            answer = self._structured(messages, wire, usage, Deadline(self.timeout_s))
        except Exception as exc:
            if breaker is not None:
                breaker.failed(str(exc) or type(exc).__name__)
            if isinstance(exc, LLMFailure):
                raise
            raise LLMFailure(
                f"unexpected error in the openai engine ({type(exc).__name__})"
            ) from exc
        if breaker is not None:
            breaker.succeeded()
        return answer, usage

    def _structured(
        self, messages: list[dict[str, str]], wire: type[W], usage: Usage, deadline: Deadline
    ) -> W:
        """Schema-constrained call, then at most one JSON-mode retry, all within `deadline`;
        LLMFailure otherwise."""
        try:
            raw = self._call(
                deadline,
                lambda left: self.client.chat.completions.with_raw_response.parse(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    response_format=wire,
                    timeout=left,
                ),
            )
            usage.add_body(raw.http_response)  # counted even if the answer is then rejected
            message = raw.parse().choices[0].message
            if message.parsed is not None:
                return message.parsed
            problem = "the model refused" if message.refusal else "the model gave an empty answer"
        except ValidationError:
            problem = "the answer did not match the schema"
        except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
            problem = f"the answer was cut off ({type(exc).__name__})"
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            problem = f"the server rejected the schema request (HTTP {exc.status_code})"
        except openai.APIError as exc:
            raise LLMFailure(self._describe(exc)) from exc
        log.info("structured output failed (%s); retrying once in JSON mode", problem)
        try:
            completion = self._call(
                deadline,
                lambda left: self.client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    response_format={"type": "json_object"},
                    timeout=left,
                ),
            )
        except openai.APIError as exc:
            raise LLMFailure(self._describe(exc)) from exc
        usage.add(completion.usage)
        content = completion.choices[0].message.content if completion.choices else None
        found = _JSON_OBJECT.search(content or "")
        try:
            return wire.model_validate_json(found.group() if found else (content or ""))
        except ValidationError:
            raise LLMFailure(
                f"the model's answer did not match the expected format, twice ({problem}; "
                "then invalid JSON-mode output)"
            ) from None

    def _call(self, deadline: Deadline, attempt: Callable[[float], T]) -> T:
        """One API call, retried on 408/409/429/5xx and connection errors while retries and
        time remain; each try gets only the time left. Other API errors pass through."""
        retries = 0
        while True:
            left = deadline.remaining()
            if left <= 0:
                raise LLMFailure(self._timed_out(retries))
            try:
                return attempt(left)
            except openai.APITimeoutError:
                raise LLMFailure(self._timed_out(retries)) from None
            except (openai.APIConnectionError, openai.APIStatusError) as exc:
                status = getattr(exc, "status_code", None)
                retryable = status is None or status >= 500 or status in _RETRY_STATUSES
                if not retryable:
                    raise
                wait = _backoff(exc, retries)
                if retries >= self.max_retries or wait >= deadline.remaining():
                    raise LLMFailure(self._describe(exc, retries)) from exc
                time.sleep(wait)
                retries += 1

    def _timed_out(self, retries: int) -> str:
        where = f"the LLM server ({self.server}, model {self.model})"
        tries = f"{retries + 1} tr{'y' if retries == 0 else 'ies'}"
        return f"{where} did not answer within {self.timeout_s:g} s (the whole budget, {tries})"

    def _describe(self, exc: openai.APIError, retries: int | None = None) -> str:
        where = f"the LLM server ({self.server}, model {self.model})"
        retries = self.max_retries if retries is None else retries
        retries_text = f"after {retries} retr{'y' if retries == 1 else 'ies'}"
        if isinstance(exc, openai.APITimeoutError):
            return self._timed_out(retries)
        if isinstance(exc, openai.APIConnectionError):
            return f"could not connect to {where} ({retries_text})"
        if isinstance(exc, openai.AuthenticationError):
            return f"{where} rejected the API key (HTTP 401): check OPENAI_API_KEY"
        if isinstance(exc, openai.NotFoundError):
            return f"{where} answered 404: check LLM_MODEL and OPENAI_BASE_URL"
        if isinstance(exc, openai.RateLimitError):
            return f"{where} kept rate-limiting requests (HTTP 429, {retries_text})"
        if isinstance(exc, openai.APIStatusError):
            if exc.status_code >= 500:
                return f"{where} failed with HTTP {exc.status_code} ({retries_text})"
            return (
                f"{where} refused the request (HTTP {exc.status_code}): {_clean(exc.message, 200)}"
            )
        return f"{where} failed: {_clean(str(exc), 200)}"


def _backoff(exc: Exception, retries: int) -> float:
    """Seconds to wait before the next try: the server's Retry-After if it gave one."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(headers.get(name)) * scale)
        except (TypeError, ValueError):
            continue
    return min(MAX_BACKOFF_S, 0.5 * 2**retries)


def finish_summary(wire: WireSummary, request: SummaryRequest) -> EvidenceSummary:
    """Turn a model's answer into a trusted summary: clip, check ids and options, re-verify."""
    options = {o.strip().casefold(): o for o in request.question.options}
    multi = request.question.type != "binary"
    points = [
        KeyPoint(
            claim=_clean(p.claim, 600),
            direction=p.direction,
            option=options.get((p.option or "").strip().casefold()) if multi else None,
            strength=p.strength,
            evidence_id=p.evidence_id,
            quote=_clean(p.quote, 1000),
        )
        for p in wire.key_points[:MAX_POINTS]
    ]
    caveats = [_clean(c, 500) for c in wire.caveats if c.strip()][:MAX_CAVEATS]
    flagged = suspicious_ids((d.id, d.title + "\n" + d.text) for d in request.evidence)
    if flagged and not wire.injection_suspected:
        ids = ", ".join(f"#{i}" for i in flagged)
        caveats.append(f"Item(s) {ids} contain text addressed to an AI model; treat with care.")
    _, left_out = select_evidence(request)
    if left_out:
        caveats.append(f"{len(left_out)} older item(s) did not fit in the model's input.")
    summary = verify_summary(
        EvidenceSummary(
            headline=_clean(wire.headline, 300) or "(no headline)",
            status_quo=_clean(wire.status_quo, 1500),
            whats_new=_clean(wire.whats_new, 3000),
            key_points=points,
            overall_direction=wire.overall_direction,
            caveats=caveats,
            injection_suspected=wire.injection_suspected or bool(flagged),
        ),
        request.evidence,
    )
    statuses = Counter(p.quote_status for p in summary.key_points)
    if statuses["elided"]:
        summary.caveats.append(
            f'{statuses["elided"]} quote(s) leave words out ("..."): they are shown with the '
            "omitted words and are not verified; check the source."
        )
    if statuses["unverified"]:
        summary.caveats.append(
            f"{statuses['unverified']} key point(s) could not be matched to their source's text "
            "and are shown as unverified."
        )
    return summary
