"""Loopback receivers: an SMTP server (aiosmtpd) and a webhook server (http.server) that
records what it is sent and can be told to fail or to hang."""

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tracker.config import get_settings
from tracker.db import Database
from tracker.schemas import Actor
from tracker.services import notifications

WAIT = 30.0  # seconds: generous, for a busy machine; tests wait for states, never sleep


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[str]:
        """Subject and text of every mail to `address`."""
        found = []
        for m in self.messages:
            if address in m["To"]:
                part = m.get_body(preferencelist=("plain", "html"))
                found.append(f"{m['Subject']}\n{part.get_content() if part else ''}")
        return found


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_SECURITY", "none")
    monkeypatch.setenv("SMTP_FROM", "tracker@example.org")
    monkeypatch.setenv("NOTIFY_BACKOFF_S", "60")
    monkeypatch.setenv("NOTIFY_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("NOTIFY_TIMEOUT_S", "20")
    get_settings.cache_clear()
    yield box
    controller.stop()
    get_settings.cache_clear()


class Hook:
    """A webhook receiver: `status` to answer with; `hold` set → requests wait until released."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.status = 200
        self.hold = False
        self.arrived = threading.Event()
        self.received = threading.Event()  # set once a message was accepted
        self.release = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.arrived.set()
                if hook.hold:
                    hook.release.wait(WAIT)
                if hook.status == 200:
                    hook.posts.append(json.loads(body))
                    hook.received.set()
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        return [f"{p['title']}\n{p['message']}" for p in self.posts]


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.release.set()
    receiver.server.shutdown()


@pytest.fixture
def team_hook(db: Database, admin: Actor, hook: Hook) -> Hook:
    notifications.add_webhook(db, admin, hook.url, label="team room", team=True)
    return hook


def deliver(db: Database) -> notifications.DeliveryReport:
    return notifications.deliver_due(db)
