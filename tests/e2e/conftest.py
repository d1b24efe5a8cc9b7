"""Browser tests: the real app under `streamlit run` on a free port with its own SQLite file,
driven by Playwright in Debian's headless chromium. Opt-in with `-m e2e` (the README's test
command runs them after the fast suite)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORDS = {
    "admin": "admin-pass-123",
    "alice": "alice-pass-123",
    "bob": "bob-pass-123",
    "carol": "carol-pass-123",
    "victor": "victor-pass-123",
}
ROLES = {
    "admin": "admin",
    "alice": "forecaster",
    "bob": "forecaster",
    "carol": "forecaster",
    "victor": "viewer",
}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@dataclass
class AppServer:
    url: str
    database_url: str
    env: dict[str, str]

    def tracker(self, *args: str) -> subprocess.CompletedProcess:
        """Run the `tracker` CLI against this app's database."""
        return subprocess.run(
            [sys.executable, "-m", "tracker.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


def prepared_server(folder: Path, extra_env: dict[str, str] | None = None) -> AppServer:
    """A migrated, seeded database in `folder` with admin/alice/bob/carol/victor, and the
    environment the app will run with (`extra_env` on top, e.g. an LLM server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'e2e.db'}",
        TRACKER_SESSION_SECRET="e2e-secret",
        PYTHONPATH=str(ROOT),
        **(extra_env or {}),
    )
    server = AppServer(url="", database_url=env["DATABASE_URL"], env=env)
    for args in (("init",), ("seed",)):
        done = server.tracker(*args)
        assert done.returncode == 0, done.stderr
    for name, role in ROLES.items():
        done = subprocess.run(
            [sys.executable, "-m", "tracker.cli", "users", "add", name, "--role", role],
            cwd=ROOT,
            env={**env, "TRACKER_PASSWORD": PASSWORDS[name]},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    return server


@contextmanager
def running(server: AppServer, folder: Path) -> Iterator[AppServer]:
    """`streamlit run app.py` on a free port for the duration of the block."""
    port = _free_port()
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=server.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server.url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(server.url, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A fresh app per test module: migrated, seeded, with admin/alice/bob/carol/victor."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("app")
    with running(prepared_server(folder), folder) as server:
        yield server


@pytest.fixture(scope="module")
def browser(app_server: AppServer) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, app_server: AppServer) -> Iterator:
    """Factory of pages, each in its own browser context (its own cookies: its own user)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=30_000)


def login(page, base_url: str, name: str) -> None:
    page.goto(base_url)
    wait_idle(page)
    page.get_by_label("User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)
    page.get_by_role("link", name="Questions").first.wait_for()


def goto_page(page, name: str) -> None:
    """Open a page from the top navigation by its title."""
    page.get_by_role("link", name=name).first.click()
    wait_idle(page)
