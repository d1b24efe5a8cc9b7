"""The API as deployed: a real `tracker api` process on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import make_user, question_data
from tracker.db import Database
from tracker.migrate import upgrade_to_head
from tracker.services import forecasts, notifications, questions, tokens

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0  # seconds; a busy machine imports slowly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, process: subprocess.Popen) -> None:
    """Poll the health endpoint until it answers (or the process dies): no fixed sleep."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"tracker api exited: {process.stderr.read()}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
    raise AssertionError("tracker api did not become ready")


@pytest.fixture
def served(empty_database_url) -> Iterator[tuple[str, Database]]:
    db = Database(empty_database_url)
    upgrade_to_head(db)
    port = _free_port()
    env = os.environ | {"DATABASE_URL": empty_database_url, "NOTIFY_INTERVAL_S": "0.2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "api", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, process)
        yield base, db
    finally:
        process.terminate()
        process.wait(timeout=30)
        db.dispose()


def test_real_process_serves_reads_and_forecasts(served, hook):
    base, db = served
    admin = make_user(db, "admin", "admin")
    alice = make_user(db, "alice")
    notifications.add_webhook(db, admin, hook.url, label="team", team=True)
    questions.create_question(
        db, admin, question_data(open_time="2026-01-01T00:00:00Z", close_time="2099-01-01T00:00Z")
    )
    secret = tokens.create_token(db, alice, {"name": "proc", "scope": "forecast"}).secret
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        listed = client.get("/api/v1/questions").json()
        assert [q["id"] for q in listed["items"]] == ["us-strike"]
        made = client.post("/api/v1/questions/us-strike/forecasts", json={"probability": 0.25})
        assert made.status_code == 201, made.text
        bad = client.post("/api/v1/questions/us-strike/forecasts", json={"probability": 1.5})
        assert bad.status_code == 422 and "between 0 and 1" in bad.json()["error"]
        assert client.get("/api/v1/export").status_code == 403
        assert client.get("/docs").status_code == 200
    [stored] = forecasts.forecast_history(db, question_id="us-strike")
    assert (stored.user, stored.probabilities["Yes"]) == ("alice", 0.25)
    # the process delivers queued notifications in the background
    assert hook.received.wait(READY_TIMEOUT), "the new-question message never came"
    assert "Will the US strike Iran" in hook.texts()[0]
