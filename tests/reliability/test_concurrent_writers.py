"""Concurrent writers: nothing lost, nothing duplicated, and waiting for the lock is bounded.

The figures (throughput, p50/p95/p99 latency) are printed by `bench/load.py`; here only the
integrity of what 20 simultaneous writer processes stored is asserted, never timing.
"""

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load import QUESTION_ID, run_load
from tracker.db import Database
from tracker.errors import Conflict
from tracker.schemas import ForecastCreate
from tracker.services import forecasts


def test_twenty_writer_processes_store_every_forecast_exactly_once(empty_database_url):
    figures = run_load(empty_database_url, writers=20, seconds=2.0)

    assert figures["errors"] == []
    assert figures["forecasts"] >= 20
    assert figures["missing"] == []  # every write a writer was told succeeded is stored
    assert figures["unexpected"] == []  # and nothing it was told failed is
    assert figures["duplicated_rationales"] == 0
    assert figures["incomplete"] == 0  # every forecast has its whole probability vector
    assert figures["stored"] == figures["forecasts"]

    db = Database(empty_database_url)
    try:
        history = forecasts.forecast_history(db, question_id=QUESTION_ID)
    finally:
        db.dispose()
    assert len(history) == figures["forecasts"]
    assert {f.user for f in history} == {f"writer{i}" for i in range(20)}
    for forecast in history:
        assert sum(forecast.probabilities.values()) == pytest.approx(1.0, abs=1e-12)


def test_one_user_submitting_from_many_tabs_at_the_same_tick_keeps_every_forecast(
    db, alice, binary_question
):
    """The clock is frozen, so every submission is stamped with the same server time: each
    must still be stored, in a strict order, and none may fail."""

    def submit(i: int) -> int:
        p = (i % 9 + 1) / 10
        data = ForecastCreate(question_id="us-strike", probabilities={"Yes": p, "No": 1 - p})
        return forecasts.log_forecast(db, alice, data).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(submit, range(40)))

    history = forecasts.forecast_history(db, question_id="us-strike")
    assert sorted(f.id for f in history) == sorted(ids)
    times = [f.created_at for f in history]
    assert len(set(times)) == len(times) == 40


def _hold_write_lock(path: str, seconds: float, taken: threading.Event) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    taken.set()
    time.sleep(seconds)
    holder.execute("COMMIT")
    holder.close()


@pytest.fixture
def sqlite_path(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single-writer lock")
    return database_url.removeprefix("sqlite:///")


def test_a_writer_waits_out_a_short_lock_and_succeeds(sqlite_path, clock, alice, binary_question):
    db = Database(f"sqlite:///{sqlite_path}", busy_timeout_ms=2000, clock=clock)
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(sqlite_path, 0.3, taken))
    holder.start()
    taken.wait()
    try:
        saved = forecasts.log_forecast(
            db, alice, ForecastCreate(question_id="us-strike", probabilities={"Yes": 1, "No": 0})
        )
    finally:
        holder.join()
        db.dispose()
    assert saved.id is not None


def test_waiting_for_a_stuck_lock_is_bounded_and_ends_in_a_clear_error(
    sqlite_path, clock, alice, binary_question
):
    db = Database(f"sqlite:///{sqlite_path}", busy_timeout_ms=200, clock=clock)
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(sqlite_path, 3.0, taken))
    holder.start()
    taken.wait()
    started = time.monotonic()
    try:
        with pytest.raises(Conflict, match="database is busy"):
            forecasts.log_forecast(
                db,
                alice,
                ForecastCreate(question_id="us-strike", probabilities={"Yes": 1, "No": 0}),
            )
        waited = time.monotonic() - started
    finally:
        holder.join()
    # three attempts of 200 ms each plus two short pauses, with slack for a loaded machine
    assert 0.5 <= waited < 2.5
    # the failed attempt left nothing behind and the database works again afterwards
    assert forecasts.forecast_history(db, question_id="us-strike") == []
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id="us-strike", probabilities={"Yes": 1, "No": 0})
    )
    db.dispose()
