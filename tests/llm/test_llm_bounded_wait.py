"""A bounded wait: one deadline per summary across retries, and a breaker per batch.

Nothing here reads the clock: a deadline shows as the number of calls a hung server received
(one, where per-try timeouts would have made 1 + retries), the breaker as calls never made.
"""

import threading

from tracker.llm.budget import CircuitBreaker
from tracker.llm.cache import InMemorySummaryCache
from tracker.llm.engine import summarize_many
from tracker.testing.fake_llm_server import error, hang, ok


def _requests(samples, n: int):
    return [samples.request(id=f"q-{i}") for i in range(n)]


def test_a_hang_costs_one_deadline_not_one_timeout_per_try(llm_server, openai_engine, samples):
    llm_server.script(hang(60), hang(60), hang(60))
    result = openai_engine(llm_timeout_s=0.5, llm_max_retries=2).summarize(samples.request())
    assert llm_server.calls == 1  # the retry budget is unused: the deadline has passed
    assert result.engine == "offline"
    assert "did not answer within 0.5 s (the whole budget" in result.fallback_reason


def test_retries_still_happen_within_the_deadline(llm_server, openai_engine, samples):
    llm_server.script(
        error(503, "busy", {"retry-after-ms": "1"}),
        error(500, "boom", {"retry-after-ms": "1"}),
        ok(samples.good_answer()),
    )
    result = openai_engine(llm_timeout_s=30, llm_max_retries=2).summarize(samples.request())
    assert result.fallback_reason is None and llm_server.calls == 3


def test_no_retry_when_the_server_asks_to_wait_past_the_deadline(
    llm_server, openai_engine, samples
):
    llm_server.script(error(429, "slow down", {"retry-after": "120"}), ok(samples.good_answer()))
    result = openai_engine(llm_timeout_s=5, llm_max_retries=3).summarize(samples.request())
    assert llm_server.calls == 1
    assert "HTTP 429" in result.fallback_reason


def test_the_breaker_stops_calling_after_three_failures_in_a_row(
    llm_server, openai_engine, samples
):
    llm_server.script(*[error(500, "down")] * 10)
    engine = openai_engine(llm_max_retries=0)
    results = summarize_many(engine, _requests(samples, 7), InMemorySummaryCache(), concurrency=1)
    assert llm_server.calls == 3
    assert all(r.engine == "offline" for r in results)
    skipped = [r.fallback_reason for r in results[3:]]
    assert all("failed 3 times in a row" in reason for reason in skipped)
    assert all("HTTP 500" in reason for reason in skipped)  # names the last failure


def test_a_success_resets_the_count(llm_server, openai_engine, samples):
    llm_server.script(error(500), error(500), ok(samples.good_answer()), error(500), error(500))
    engine = openai_engine(llm_max_retries=0)
    results = summarize_many(engine, _requests(samples, 5), InMemorySummaryCache(), concurrency=1)
    assert llm_server.calls == 5
    assert [r.engine for r in results] == ["offline", "offline", "openai", "offline", "offline"]


def test_a_hung_server_costs_a_batch_about_one_deadline(llm_server, openai_engine, samples):
    """18 questions at concurrency 10: the first ten hang to the deadline together, then the
    breaker is open and the other eight fall back without a call."""
    llm_server.script(*[hang(60)] * 18)
    engine = openai_engine(llm_timeout_s=1.0, llm_max_retries=2)
    results = summarize_many(engine, _requests(samples, 18), InMemorySummaryCache(), concurrency=10)
    assert all(r.engine == "offline" for r in results)
    skipped = sum("in a row" in r.fallback_reason for r in results)
    timed_out = sum(r.fallback_reason.startswith("the LLM server (") for r in results)
    assert skipped == 8 and timed_out == 10


def test_breaker_counts_and_reports():
    breaker = CircuitBreaker(limit=2)
    assert breaker.begin()
    breaker.failed("timeout")
    assert breaker.begin()
    breaker.succeeded()
    for reason in ("HTTP 500", "HTTP 502"):
        assert breaker.begin()
        breaker.failed(reason)
    assert breaker.is_open and not breaker.begin() and breaker.skipped == 1
    assert "failed 2 times in a row" in breaker.reason() and "HTTP 502" in breaker.reason()


def test_after_a_failure_a_new_request_waits_for_those_in_flight():
    breaker = CircuitBreaker(limit=3)
    assert breaker.begin() and breaker.begin() and breaker.begin()  # a first wave of three
    breaker.failed("timeout")
    decided = []
    waiter = threading.Thread(target=lambda: decided.append(breaker.begin()))
    waiter.start()
    breaker.failed("timeout")
    assert not decided  # two of the wave are down, one still in flight: still waiting
    breaker.failed("timeout")
    waiter.join(timeout=30)
    assert decided == [False] and breaker.skipped == 1
