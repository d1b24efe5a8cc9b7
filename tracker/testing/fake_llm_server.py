"""A scripted OpenAI-compatible server on loopback, for tests, benchmarks and offline demos.

The `openai` client uses httpx2, which respx cannot intercept, so tests talk to a real HTTP
server instead: `POST /v1/chat/completions` answers with the next scripted `Reply` (or the
`responder`'s answer when the script is empty) and every request body is recorded.
"""

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted HTTP answer; `delay_s` makes the server slow (or hang)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


def chat_completion(
    content: str | dict[str, Any] | None,
    *,
    usage: tuple[int, int] = (120, 40),
    finish_reason: str = "stop",
    model: str = "fake-model",
) -> dict[str, Any]:
    """A Chat Completions response body whose message content is `content` (dicts as JSON)."""
    text = json.dumps(content) if isinstance(content, dict) else content
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
        },
    }


def ok(content: str | dict[str, Any] | None, delay_s: float = 0.0, **kwargs: Any) -> Reply:
    body = json.dumps(chat_completion(content, **kwargs)).encode()
    return Reply(200, body, {"Content-Type": "application/json"}, delay_s)


def error(status: int, message: str = "error", headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps({"error": {"message": message, "type": "server_error", "code": None}})
    return Reply(status, body.encode(), {"Content-Type": "application/json", **(headers or {})})


def hang(seconds: float) -> Reply:
    """Answer only after `seconds` (the client should have given up by then)."""
    return ok({"headline": "too late"}, delay_s=seconds)


Responder = Callable[[dict[str, Any]], Reply]


class FakeLLMServer:
    """ThreadingHTTPServer on 127.0.0.1:<free port>; use as a context manager."""

    def __init__(self, responder: Responder | None = None, latency_s: float = 0.0) -> None:
        self.responder = responder
        self.latency_s = latency_s
        self.requests: list[dict[str, Any]] = []
        self.unscripted = 0
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.unscripted = 0

    def start(self) -> "FakeLLMServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that are "hanging"
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self._script:
                return self._script.popleft()
            if self.responder is None:
                self.unscripted += 1
                return error(500, "no scripted reply left")
        return self.responder(body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(error(404, f"no route {self.path}"))
                    return
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                reply = server._next(body)
                wait = reply.delay_s + server.latency_s
                if wait and server._stopping.wait(wait):
                    return
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


_FENCE = re.compile(r"<<<EVIDENCE (\w+) id=(\d+)>>>\n(.*?)\n<<<END EVIDENCE \1>>>", re.DOTALL)


def echo_responder(body: dict[str, Any]) -> Reply:
    """A plausible, verifiable summary: quotes the start of each fenced item (benchmarks, demos)."""
    user = next((m["content"] for m in body.get("messages", []) if m["role"] == "user"), "")
    points = []
    for _, item_id, block in _FENCE.findall(user)[:4]:
        text = block.split("\ntext:\n", 1)[-1]
        quote = text[:120].rsplit(" ", 1)[0] if len(text) > 120 else text
        points.append(
            {
                "claim": f"Item {item_id} reports a relevant development.",
                "direction": "unclear",
                "option": None,
                "strength": "weak",
                "evidence_id": int(item_id),
                "quote": quote,
            }
        )
    return ok(
        {
            "headline": "Echo summary from the fake server.",
            "status_quo": "Unchanged.",
            "whats_new": f"{len(points)} item(s) quoted.",
            "key_points": points,
            "overall_direction": "unclear",
            "caveats": ["Made by a fake server."],
            "injection_suspected": False,
        }
    )
