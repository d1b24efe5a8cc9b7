"""The engine protocol, the factory, and batch summarising with a cache.

Services call `make_engine(settings)` once (cache it: it holds an HTTP client) and then
`summarize_many(...)`, which serves repeats from the cache at no cost and runs the rest
concurrently, at most `concurrency` at a time.
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Protocol, runtime_checkable

from tracker.llm.budget import CircuitBreaker
from tracker.llm.cache import SummaryCache, cache_key
from tracker.llm.offline import OfflineEngine
from tracker.llm.schema import (
    EvidenceDoc,
    QuestionBrief,
    QuestionDraft,
    RelevanceVerdict,
    SummaryRequest,
    SummaryResult,
)
from tracker.llm.settings import LLMSettings

ProgressCallback = Callable[[int, int], None]


@runtime_checkable
class SummaryEngine(Protocol):
    name: str
    """"offline" or "openai" (goes into the cache key and the stored result)."""
    model: str
    prompt_version: str

    def summarize(
        self, request: SummaryRequest, *, breaker: CircuitBreaker | None = None
    ) -> SummaryResult:
        """Never raises for a provider failure (the openai engine falls back to offline);
        a batch passes one `breaker` to all its requests."""
        ...

    def judge_relevance(
        self,
        doc: EvidenceDoc,
        questions: list[QuestionBrief],
        *,
        breaker: CircuitBreaker | None = None,
    ) -> list[RelevanceVerdict] | None:
        """One verdict per question, or None when there is no model or it failed (the
        matcher's offline decision then stands). Never raises for a provider failure."""
        ...

    def draft_questions(self, article_text: str, title: str | None = None) -> list[QuestionDraft]:
        """Candidate questions; raises `DraftingError` (a TrackerError) with a readable reason."""
        ...


def make_engine(settings: LLMSettings) -> SummaryEngine:
    """Offline unless an API key or a base URL is configured; openai then, offline as fallback."""
    if not settings.openai_api_key and not settings.openai_base_url:
        return OfflineEngine()
    from tracker.llm.openai_engine import OpenAIEngine  # imports the openai client lazily

    return OpenAIEngine(settings, fallback=OfflineEngine())


def request_key(engine: SummaryEngine, request: SummaryRequest) -> str:
    return cache_key(request, engine.name, engine.model, engine.prompt_version)


def summarize_many(
    engine: SummaryEngine,
    requests: Sequence[SummaryRequest],
    cache: SummaryCache | None = None,
    concurrency: int = 4,
    on_progress: ProgressCallback | None = None,
) -> list[SummaryResult]:
    """Results in the order of `requests`; cached ones cost nothing, the rest run in parallel.

    Identical requests in one batch are made once. Fallback results (`fallback_reason` set) are
    returned but not cached, so the next run tries the model again. The batch shares one
    circuit breaker: after three failures in a row the rest fall back without a call.
    """
    total = len(requests)
    keys = [request_key(engine, r) for r in requests]
    results: dict[str, SummaryResult] = {}
    todo: dict[str, SummaryRequest] = {}
    for key, request in zip(keys, requests, strict=True):
        if key in results or key in todo:
            continue
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            results[key] = cached
        else:
            todo[key] = request

    done = sum(1 for k in keys if k in results)
    if on_progress:
        on_progress(done, total)
    waiting = {key: sum(1 for k in keys if k == key) for key in todo}
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(todo) or 1))) as pool:
        breaker = CircuitBreaker()
        futures = {
            pool.submit(engine.summarize, req, breaker=breaker): key for key, req in todo.items()
        }
        for future in as_completed(futures):
            key = futures[future]
            result = future.result()
            results[key] = result
            if cache is not None and result.fallback_reason is None:
                cache.put(key, result)
            done += waiting[key]
            if on_progress:
                on_progress(done, total)
    return [results[key] for key in keys]
