"""One structured model answer for the assistants (lint, resolution, bot, post-mortem).

Same discipline as summaries: a versioned prompt, a pydantic-validated answer, one deadline per
call, a repeat costing nothing (the cache key covers prompt version, model and every input),
and a failure never raising: the caller gets `value=None` and a reason, and does the
deterministic part only. Failed answers are never cached.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from tracker.llm.budget import CircuitBreaker
from tracker.llm.prompts import Messages, Prompt

W = TypeVar("W", bound=BaseModel)


CACHES: list["AnswerCache"] = []
"""Every answer cache made in this process (tests clear them between cases)."""


class AnswerCache:
    """A thread-safe LRU of validated answers (as JSON-able dicts) for one process."""

    def __init__(self, max_items: int = 512) -> None:
        CACHES.append(self)
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_items = max_items

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class Answer(Generic[W]):
    value: W | None
    engine: str
    """"openai" when `value` came from a model, else "offline"."""
    model: str
    prompt_version: str
    fallback_reason: str | None = None
    cached: bool = False
    tokens_in: int = 0
    tokens_out: int = 0


def answer_key(prompt: Prompt, model: str, inputs: Any) -> str:
    blob = json.dumps(
        {"prompt": prompt.version, "model": model, "inputs": inputs},
        sort_keys=True,
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def has_model(engine: Any) -> bool:
    return getattr(engine, "name", "offline") != "offline" and hasattr(engine, "structured")


def ask(
    engine: Any,
    prompt: Prompt,
    messages: Messages,
    wire: type[W],
    *,
    inputs: Any,
    cache: AnswerCache | None = None,
    breaker: CircuitBreaker | None = None,
) -> Answer[W]:
    """The model's validated answer, from the cache when `inputs` were asked before."""
    model = getattr(engine, "model", "")
    if not has_model(engine):
        return Answer(None, "offline", model, prompt.version)
    key = answer_key(prompt, model, inputs)
    stored = cache.get(key) if cache is not None else None
    if stored is not None:
        try:
            return Answer(wire.model_validate(stored), "openai", model, prompt.version, cached=True)
        except ValidationError:
            pass
    from tracker.llm.openai_engine import LLMFailure

    try:
        value, usage = engine.structured(messages, wire, breaker=breaker)
    except LLMFailure as exc:
        return Answer(None, "offline", model, prompt.version, fallback_reason=str(exc))
    if cache is not None:
        cache.put(key, value.model_dump(mode="json"))
    return Answer(
        value,
        "openai",
        model,
        prompt.version,
        tokens_in=usage.tokens_in,
        tokens_out=usage.tokens_out,
    )
