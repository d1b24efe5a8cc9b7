"""The whole fetch, redirects included, ends by its deadline, however slowly the body drips."""

import threading

import pytest

from tracker.evidence.errors import FetchTimeout
from tracker.evidence.fetch import fetch_url

DRIP_FOR = 300  # one byte per 0.2 s: a minute, unless the client hangs up


class Dripper:
    """A route that sends `Connection: close` headers, then one byte every 0.2 s, and notes
    when the client hung up (its write fails) and how many bytes it got out."""

    def __init__(self, server) -> None:  # type: ignore[no-untyped-def]
        self.server = server
        self.hung_up = threading.Event()
        self.sent = 0

    def __call__(self, handler) -> None:  # type: ignore[no-untyped-def]
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Connection", "close")  # no length: the body runs until close
        handler.end_headers()
        handler.wfile.flush()
        try:
            for _ in range(DRIP_FOR):
                if self.server.release.wait(0.2):
                    return
                handler.wfile.write(b"x")
                handler.wfile.flush()
                self.sent += 1
        except OSError:
            self.hung_up.set()


def test_a_slow_body_after_connection_close_headers_ends_at_the_deadline(server):
    drip = Dripper(server)
    server.routes["/drip"] = drip
    with pytest.raises(FetchTimeout, match="time budget"):
        fetch_url(server.url("/drip"), timeout_s=1, is_allowed_address=server.only_me)
    assert drip.hung_up.wait(30), "the fetcher kept the connection open after its deadline"
    assert drip.sent < DRIP_FOR / 2


def test_a_redirect_to_a_slow_body_ends_at_the_same_deadline(server):
    drip = Dripper(server)
    server.routes["/start"] = lambda h: server.redirect(h, "/drip")
    server.routes["/drip"] = drip
    with pytest.raises(FetchTimeout, match="time budget"):
        fetch_url(server.url("/start"), timeout_s=1, is_allowed_address=server.only_me)
    assert drip.hung_up.wait(30)
    assert drip.sent < DRIP_FOR / 2
