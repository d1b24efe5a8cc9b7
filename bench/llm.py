"""LLM layer benchmark: concurrency and caching against a slow loopback server; offline speed.

    .venv/bin/python bench/llm.py [--questions 50] [--latency 0.3] [--concurrency 10]

Prints figures only (no pass/fail). The server is `tracker.testing.fake_llm_server` with a fixed
latency per call, so the numbers measure our batching, not a model. Wall time cannot beat
ceil(questions / concurrency) x latency (printed as the floor): 50 calls of 300 ms need a
concurrency of at least 10 to finish under 2 s; the app's default concurrency is shown too.
"""

import argparse
import math
import random
import time
from datetime import UTC, datetime, timedelta

from tracker.llm import (
    EvidenceDoc,
    InMemorySummaryCache,
    LLMConfig,
    OfflineEngine,
    QuestionBrief,
    SummaryRequest,
    make_engine,
    summarize_many,
)
from tracker.testing.fake_llm_server import FakeLLMServer, echo_responder

T0 = datetime(2026, 2, 1, tzinfo=UTC)
ACTORS = ["the US", "Iran", "Israel", "the EU", "China", "Russia", "the IAEA", "Saudi Arabia"]
VERBS = ["warned", "said", "announced", "denied", "confirmed", "signalled", "ruled out", "agreed"]
TOPICS = [
    "a strike on nuclear facilities", "new sanctions on oil exports", "a ceasefire in Gaza",
    "talks in Oman", "uranium enrichment above 60%", "a carrier deployment to the Gulf",
    "an inspection of the Fordow site", "a prisoner exchange", "higher interest rates",
]  # fmt: skip


def _article(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        when = rng.choice(["on Monday", "late on Tuesday", "this week", "in a statement"])
        out.append(
            f"Officials from {rng.choice(ACTORS)} {rng.choice(VERBS)} {when} that "
            f"{rng.choice(TOPICS)} was {rng.choice(['likely', 'possible', 'unlikely', 'near'])}, "
            f"according to {rng.randint(2, 9)} people familiar with the matter."
        )
        if rng.random() < 0.2:
            out.append("\n")
    return " ".join(out)


def make_requests(n: int, articles_per_question: int, seed: int = 7) -> list[SummaryRequest]:
    rng = random.Random(seed)
    requests, next_id = [], 1
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        question = QuestionBrief(
            id=f"bench-{i}",
            title=f"Will {rng.choice(ACTORS)} see {topic} before July 2026? (#{i})",
            description=f"Background on {topic}.",
            resolution_criteria=f"Yes if credible reports confirm {topic}.",
            open_time=T0,
            close_time=T0 + timedelta(days=150),
        )
        docs = []
        for _ in range(articles_per_question):
            day = T0 + timedelta(days=rng.randint(0, 40))
            text = _article(rng, rng.randint(20, 45))  # ~3-7k characters, a news article
            docs.append(
                EvidenceDoc(
                    id=next_id,
                    title=f"Report {next_id}",
                    outlet="Wire",
                    published_at=day,
                    added_at=day,
                    text=text,
                    content_hash=f"h{next_id}",
                )
            )
            next_id += 1
        requests.append(SummaryRequest(question=question, evidence=docs, since=T0 + timedelta(20)))
    return requests


def bench_openai(n: int, latency: float, concurrency: int) -> None:
    requests = make_requests(n, articles_per_question=3)
    default = LLMConfig().llm_concurrency
    with FakeLLMServer(responder=echo_responder, latency_s=latency) as server:
        settings = LLMConfig(
            openai_base_url=server.url,
            llm_model="bench",
            llm_timeout_s=10,
            llm_max_retries=0,
            llm_concurrency=concurrency,
        )
        engine = make_engine(settings)

        def run(cache: InMemorySummaryCache, workers: int) -> tuple[float, int, int]:
            calls, started = server.calls, time.perf_counter()
            results = summarize_many(engine, requests, cache, concurrency=workers)
            fallbacks = sum(r.fallback_reason is not None for r in results)
            return time.perf_counter() - started, server.calls - calls, fallbacks

        seq_s, seq_calls, seq_fb = run(InMemorySummaryCache(), 1)
        app_s, app_calls, app_fb = run(InMemorySummaryCache(), default)
        cache = InMemorySummaryCache()
        par_s, par_calls, par_fb = run(cache, settings.llm_concurrency)
        hit_s, hit_calls, _ = run(cache, settings.llm_concurrency)

    def floor(workers: int) -> str:
        return f"floor {math.ceil(n / workers) * latency:.2f} s"

    print(f"openai engine, {n} questions x 3 articles, server latency {latency * 1000:.0f} ms/call")
    print(f"  sequential (concurrency 1):   {seq_s:6.2f} s  {seq_calls} calls  {seq_fb} fallbacks")
    print(
        f"  concurrent (concurrency {default}):   {app_s:6.2f} s  {app_calls} calls  "
        f"{app_fb} fallbacks  speed-up x{seq_s / app_s:.1f}  ({floor(default)}; the app's "
        "default LLM_CONCURRENCY)"
    )
    print(
        f"  concurrent (concurrency {concurrency}):  {par_s:6.2f} s  {par_calls} calls  "
        f"{par_fb} fallbacks  speed-up x{seq_s / par_s:.1f}  ({floor(concurrency)})"
    )
    print(f"  second run (cached):          {hit_s:6.3f} s  {hit_calls} calls")


def bench_offline() -> None:
    engine = OfflineEngine()
    for label, n, per_question in [("typical", 200, 5), ("many items", 20, 50)]:
        requests = make_requests(n, per_question, seed=11)
        chars = sum(len(d.text) for r in requests for d in r.evidence)
        started = time.perf_counter()
        for request in requests:
            engine.summarize(request)
        elapsed = time.perf_counter() - started
        articles = n * per_question
        print(
            f"offline engine, {label}: {articles} articles ({chars / articles / 1000:.1f} kB avg) "
            f"in {elapsed:.2f} s = {articles / elapsed:,.0f} articles/s, "
            f"{elapsed / n * 1000:.1f} ms/summary"
        )
    big = make_requests(1, 1, seed=3)[0]
    huge_doc = big.evidence[0].model_copy(update={"text": big.evidence[0].text * 400})
    started = time.perf_counter()
    engine.summarize(big.model_copy(update={"evidence": [huge_doc]}))
    print(
        f"offline engine, one {len(huge_doc.text) / 1e6:.1f} MB article (capped): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )


def bench_hung_server(timeout_s: float) -> None:
    """The whole process a cron job runs, `tracker summarize --all` on the seed questions,
    against a server that accepts every request and never answers. Before the deadline and
    the breaker this cost LLM_TIMEOUT_S x (1 + LLM_MAX_RETRIES) = 93 s; the goal is under
    LLM_TIMEOUT_S + 15 s. The reference in the same run: the same command, offline."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from tracker.testing.fake_llm_server import hang

    with tempfile.TemporaryDirectory() as folder, FakeLLMServer() as server:
        server.script(*[hang(3600)] * 200)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DATABASE_"))}
        env.update(DATABASE_URL=f"sqlite:///{Path(folder) / 'bench.db'}",
                   LLM_TIMEOUT_S=str(timeout_s), LLM_MAX_RETRIES="2")  # fmt: skip
        tracker = [sys.executable, "-m", "tracker.cli"]
        for args in (["init"], ["seed"]):  # seeding summarises offline: no server yet
            subprocess.run([*tracker, *args], env=env, check=True, capture_output=True)
        timings = {}
        for name, extra in (("offline", {}), ("hung server", {"OPENAI_BASE_URL": server.url})):
            started = time.perf_counter()
            subprocess.run([*tracker, "summarize", "--all"], env={**env, **extra},
                           check=True, capture_output=True)  # fmt: skip
            timings[name] = time.perf_counter() - started
    print(
        f"summarize --all, 18 seed questions, LLM_TIMEOUT_S={timeout_s:g}, 2 retries: "
        f"hung server {timings['hung server']:.1f} s ({server.calls} calls; goal < "
        f"{timeout_s + 15:g} s), offline {timings['offline']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--hang-timeout", type=float, default=30.0, help="LLM_TIMEOUT_S")
    args = parser.parse_args()
    bench_openai(args.questions, args.latency, args.concurrency)
    bench_offline()
    bench_hung_server(args.hang_timeout)


if __name__ == "__main__":
    main()
