"""A real loopback HTTP server whose routes the tests define, and fake DNS for the fetcher."""

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tracker.evidence.fetch import allow_endpoints

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class LocalServer:
    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    seen_hosts: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def only_me(self):
        """Address hook allowing exactly this server and nothing else non-public."""
        return allow_endpoints((self.host, self.port))

    @staticmethod
    def respond(
        handler: BaseHTTPRequestHandler,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        handler.send_response(status)
        if content_type is not None:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def redirect(handler: BaseHTTPRequestHandler, location: str, status: int = 302) -> None:
        LocalServer.respond(
            handler, b"", content_type=None, status=status, headers={"Location": location}
        )


@pytest.fixture
def server() -> Iterator[LocalServer]:
    state = LocalServer("127.0.0.1", 0)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.seen_hosts.append(self.headers.get("Host", ""))
            route = state.routes.get(self.path.split("?", 1)[0])
            if route is None:
                self.send_error(404)
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()  # wake handlers that hang on purpose
        httpd.shutdown()
        httpd.server_close()


def _fake_dns(answers: dict[str, list[str]]):
    """A `socket.getaddrinfo` stand-in: host name → the given addresses, else NXDOMAIN."""

    def resolve(host: str, port: int, *args: object, **kwargs: object):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port, 0, 0) if ":" in ip else (ip, port),
            )
            for ip in answers[host]
        ]

    return resolve


def _no_dns(host: str, *args: object, **kwargs: object):
    raise AssertionError(f"DNS must not be consulted for {host}")


@pytest.fixture
def fake_dns():
    return _fake_dns


@pytest.fixture
def no_dns():
    return _no_dns
