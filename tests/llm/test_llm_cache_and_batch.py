"""Cache keys and `summarize_many`: repeats cost nothing, the rest runs bounded in parallel."""

import threading
from datetime import UTC, datetime

from tracker.llm.cache import InMemorySummaryCache, cache_key
from tracker.llm.engine import request_key, summarize_many
from tracker.llm.offline import OfflineEngine
from tracker.testing.fake_llm_server import FakeLLMServer, echo_responder, error, ok


def _key(request, engine="openai", model="m", version="v1") -> str:
    return cache_key(request, engine, model, version)


def test_cache_key_covers_what_changes_the_output(samples) -> None:
    base = samples.request(since=datetime(2026, 2, 5, tzinfo=UTC))
    key = _key(base)
    assert len(key) == 64 and key == _key(samples.request(since=datetime(2026, 2, 5, tzinfo=UTC)))
    edited_doc = base.evidence[0].model_copy(update={"content_hash": "changed"})
    variants = [
        base.model_copy(update={"question": base.question.model_copy(update={"revision": 2})}),
        base.model_copy(update={"question": base.question.model_copy(update={"title": "Other?"})}),
        base.model_copy(update={"evidence": base.evidence[:1]}),
        base.model_copy(update={"evidence": [edited_doc, base.evidence[1]]}),
        base.model_copy(update={"since": None}),
    ]
    keys = {_key(v) for v in variants}
    keys |= {_key(base, engine="offline"), _key(base, model="m2"), _key(base, version="v2")}
    assert len(keys) == 8 and key not in keys


def test_cache_key_ignores_evidence_order(samples) -> None:
    request = samples.request()
    flipped = request.model_copy(update={"evidence": request.evidence[::-1]})
    assert _key(request) == _key(flipped)


def _requests(samples, n: int):
    return [
        samples.request(id=f"q-{i}", title=f"Will the US strike Iran before July, variant {i}?")
        for i in range(n)
    ]


def test_second_run_makes_zero_calls(llm_server, openai_engine, samples) -> None:
    llm_server.responder = echo_responder
    engine, cache = openai_engine(), InMemorySummaryCache()
    requests = _requests(samples, 6)

    first = summarize_many(engine, requests, cache, concurrency=3)
    assert llm_server.calls == 6
    assert all(r.engine == "openai" and r.fallback_reason is None for r in first)
    assert all(p.verified for r in first for p in r.summary.key_points)

    progress: list[tuple[int, int]] = []
    second = summarize_many(
        engine, requests, cache, concurrency=3, on_progress=lambda d, t: progress.append((d, t))
    )
    assert llm_server.calls == 6  # nothing new
    assert second == first
    assert progress[-1] == (6, 6)


def test_results_keep_request_order_and_duplicates_run_once(samples) -> None:
    calls: list[str] = []
    engine = OfflineEngine()
    original = engine.summarize

    def counting(request, **options):
        calls.append(request.question.id)
        return original(request, **options)

    engine.summarize = counting  # type: ignore[method-assign]
    requests = _requests(samples, 3)
    results = summarize_many(engine, [*requests, requests[0]], None, concurrency=2)
    assert [r.cache_key for r in results] == [
        request_key(engine, r) for r in [*requests, requests[0]]
    ]
    assert sorted(calls) == ["q-0", "q-1", "q-2"]


def test_concurrency_is_bounded_and_used(samples) -> None:
    """Measured by overlap, not by the clock: at most 4 calls are ever in flight, and the
    first 4 are in flight together (each waits until all four have started)."""
    with FakeLLMServer(responder=echo_responder) as server:
        from tracker.llm.openai_engine import OpenAIEngine
        from tracker.llm.settings import LLMConfig

        engine = OpenAIEngine(LLMConfig(openai_base_url=server.url, llm_timeout_s=30))
        active, peak, started, lock = [0], [0], [0], threading.Lock()
        four_in_flight = threading.Event()
        original = engine.summarize

        def tracking(request, **options):
            with lock:
                active[0] += 1
                started[0] += 1
                peak[0] = max(peak[0], active[0])
                first_four = started[0] <= 4
                if active[0] == 4:
                    four_in_flight.set()
            try:
                if first_four:
                    four_in_flight.wait(timeout=30)
                return original(request, **options)
            finally:
                with lock:
                    active[0] -= 1

        engine.summarize = tracking  # type: ignore[method-assign]
        results = summarize_many(
            engine, _requests(samples, 8), InMemorySummaryCache(), concurrency=4
        )
    assert four_in_flight.is_set() and peak[0] == 4
    assert all(r.engine == "openai" for r in results)


def test_fallback_results_are_not_cached(llm_server, openai_engine, samples) -> None:
    llm_server.script(error(500, "down"))
    engine, cache = openai_engine(llm_max_retries=0), InMemorySummaryCache()
    request = samples.request()
    (result,) = summarize_many(engine, [request], cache)
    assert result.fallback_reason and len(cache) == 0

    llm_server.script(ok(samples.good_answer()))
    (result,) = summarize_many(engine, [request], cache)
    assert result.engine == "openai" and len(cache) == 1
    assert llm_server.calls == 2


def test_in_memory_cache_evicts_least_recently_used(samples) -> None:
    cache = InMemorySummaryCache(max_items=2)
    result = OfflineEngine().summarize(samples.request())
    cache.put("a", result)
    cache.put("b", result)
    assert cache.get("a") is result
    cache.put("c", result)
    assert cache.get("b") is None and cache.get("a") is result and len(cache) == 2


def test_results_round_trip_through_json_for_a_database_cache(samples) -> None:
    from tracker.llm.schema import SummaryResult

    result = OfflineEngine().summarize(samples.request())
    stored = result.model_dump(mode="json")  # what a JSON column holds
    assert SummaryResult.model_validate(stored) == result
