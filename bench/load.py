"""Concurrent writers: N processes log forecasts through the services at once.

Prints throughput and p50/p95/p99 write latency, then checks that every forecast a writer was
told is saved is in the database exactly once. Usage:

    .venv/bin/python bench/load.py [--writers 20] [--seconds 10] [--rate R] [--database-url URL]

Without --database-url it uses a temporary SQLite file (WAL); pass a PostgreSQL URL to load
PostgreSQL (a fresh schema is created and dropped). Without --rate every writer submits as fast
as it can: that measures saturation, where the CPU cores shared by 20 processes are the limit.
With --rate 2 each writer submits twice a second (20 writers: 40 forecasts/s, far above what a
team does), starting at spread-out moments; that is the load the p95 < 50 ms goal is about.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

QUESTION_ID = "load-test"
ROOT = Path(__file__).resolve().parent.parent


def prepare(url: str, writers: int) -> None:
    from tracker.db import Database
    from tracker.migrate import upgrade_to_head
    from tracker.schemas import Actor, QuestionCreate, UserCreate
    from tracker.services import questions, users

    db = Database(url)
    upgrade_to_head(db)
    questions.create_question(
        db,
        Actor.system(),
        QuestionCreate(
            id=QUESTION_ID,
            title="Load test question",
            type="multiple_choice",
            options=["A", "B", "C"],
            open_time="2026-01-01T00:00:00Z",
            close_time="2099-01-01T00:00:00Z",
        ),
    )
    for i in range(writers):
        users.create_user(db, Actor.system(), UserCreate(name=f"writer{i}", role="forecaster"))
    db.dispose()


def writer(url: str, index: int, seconds: float, count: int | None, rate: float | None) -> dict:
    """Connect and look the user up first, say so on stdout, wait for "go" on stdin, then write.

    Runs in its own interpreter (`bench/load.py --worker`), never forked or spawned from the
    caller: a spawned child re-imports the parent's `__main__`, which under pytest may be any
    script a test ran (AppTest runs `app.py` as `__main__`)."""
    from tracker.db import Database
    from tracker.schemas import ForecastCreate
    from tracker.services import forecasts, users

    db = Database(url)
    actor = users.actor_for(users.get_user(db, f"writer{index}"))
    latencies, saved, errors = [], [], []
    print("ready", flush=True)
    sys.stdin.readline()  # the common start
    deadline = time.time() + seconds
    if rate:  # people do not all click at the same instant: spread the first submissions
        time.sleep(random.Random(index).uniform(0.0, 1.0 / rate))
    n = 0
    while (count is None and time.time() < deadline) or (count is not None and n < count):
        a = ((index * 7 + n) % 9 + 1) / 20
        data = ForecastCreate(
            question_id=QUESTION_ID,
            rationale=f"w{index}-{n}",
            probabilities={"A": a, "B": 0.5 - a / 2, "C": 0.5 - a / 2},
        )
        start = time.perf_counter()
        try:
            result = forecasts.log_forecast(db, actor, data)
            saved.append(result.id)
        except Exception as exc:  # counted and reported, never silently dropped
            errors.append(repr(exc))
        latencies.append(time.perf_counter() - start)
        n += 1
        if rate:  # open loop: a person submits now and then, not as fast as the server allows
            time.sleep(max(0.0, 1.0 / rate - (time.perf_counter() - start)))
    db.dispose()
    return {"latencies": latencies, "saved": saved, "errors": errors}


def _start_writer(
    url: str, index: int, seconds: float, count: int | None, rate: float | None
) -> subprocess.Popen:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(index)]
    command += ["--database-url", url, "--seconds", str(seconds)]
    if count is not None:
        command += ["--count", str(count)]
    if rate:
        command += ["--rate", str(rate)]
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


def _expect(proc: subprocess.Popen, index: int, marker: str) -> str:
    """The writer's next line starting with `marker` (anything a library printed is skipped);
    a writer that died says so at once instead of hanging the run."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(marker):
            return line.removeprefix(marker)
    proc.wait(timeout=30)
    raise RuntimeError(f"writer {index} exited with status {proc.returncode} (see its stderr)")


def run_load(
    url: str,
    writers: int = 20,
    seconds: float = 10.0,
    count: int | None = None,
    rate: float | None = None,
) -> dict:
    """Run the writers; return figures and the integrity check (missing/duplicated forecasts)."""
    prepare(url, writers)
    procs = [_start_writer(url, i, seconds, count, rate) for i in range(writers)]
    try:
        for i, proc in enumerate(procs):  # every process has imported, connected, found its user
            _expect(proc, i, "ready")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [json.loads(_expect(proc, i, "result ")) for i, proc in enumerate(procs)]
    finally:
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    latencies = sorted(x for r in results for x in r["latencies"])
    saved = [fid for r in results for fid in r["saved"]]
    errors = [e for r in results for e in r["errors"]]
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id, rationale FROM forecast")).all()
        incomplete = conn.execute(
            text(
                "SELECT count(*) FROM forecast f WHERE (SELECT count(*) FROM "
                "forecast_probability p WHERE p.forecast_id = f.id) <> 3"
            )
        ).scalar_one()
    engine.dispose()
    stored_ids = [row[0] for row in stored]
    elapsed = seconds if count is None else max(sum(r["latencies"]) for r in results)
    return {
        "writers": writers,
        "forecasts": len(saved),
        "errors": errors,
        "throughput_per_s": len(saved) / elapsed if elapsed else 0.0,
        "p50_ms": _pct(latencies, 50),
        "p95_ms": _pct(latencies, 95),
        "p99_ms": _pct(latencies, 99),
        "missing": sorted(set(saved) - set(stored_ids)),
        "unexpected": sorted(set(stored_ids) - set(saved)),
        "incomplete": incomplete,
        "duplicated_rationales": len(stored) - len({row[1] for row in stored}),
        "stored": len(stored_ids),
    }


def _pct(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=20, help="writer processes (20)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to write (10)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql+psycopg://… (a fresh schema) or sqlite:///… (default: a temp file)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="forecasts per second per writer (default: as fast as possible)",
    )
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:  # one writer process, started by run_load
        result = writer(args.database_url, args.worker, args.seconds, args.count, args.rate)
        print("result", json.dumps(result), flush=True)
        return
    schema = None
    if args.database_url and args.database_url.startswith("postgresql"):
        sys.path.insert(0, str(ROOT))
        from tests.support import drop_postgres_schema, fresh_postgres_schema

        schema, url = fresh_postgres_schema(args.database_url)
    else:
        url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'load.db'}"
    try:
        figures = run_load(url, args.writers, args.seconds, rate=args.rate)
    finally:
        if schema:
            drop_postgres_schema(args.database_url, schema)
    backend = "PostgreSQL" if schema else "SQLite (WAL)"
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (the writers share them)")
    print(
        f"{backend}: {figures['writers']} writers, {figures['forecasts']} forecasts in "
        f"{args.seconds:.0f} s, {figures['throughput_per_s']:.0f} writes/s"
    )
    print(
        f"write latency p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
        f"p99 {figures['p99_ms']:.1f} ms (goal p95 < 50 ms)"
    )
    print(
        f"integrity: {figures['stored']} stored, {len(figures['missing'])} missing, "
        f"{len(figures['unexpected'])} unexpected, {figures['duplicated_rationales']} duplicated, "
        f"{figures['incomplete']} incomplete, {len(figures['errors'])} errors"
    )
    for error in figures["errors"][:5]:
        print("  error:", error)


if __name__ == "__main__":
    main()
