"""Size, time and content-type limits, and a good page end to end (loopback server only)."""

import gzip
import time

import pytest

from tracker.evidence.errors import (
    FetchContentTypeRefused,
    FetchHTTPStatus,
    FetchTimeout,
    FetchTooLarge,
)
from tracker.evidence.extract import text_from_html
from tracker.evidence.fetch import fetch_url

MB = 1_000_000

ARTICLE = b"""<!doctype html><html><head><meta charset="utf-8">
<title>Iran fires ballistic missiles at Israel | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2026-02-10T08:00:00+03:00">
<script>window.secret = "SCRIPT-CONTENT";</script>
<style>body { color: red } /* STYLE-CONTENT */</style>
</head><body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Iran fires ballistic missiles at Israel</h1>
<p>Iran launched dozens of ballistic missiles at Israel late on Tuesday, the Israeli military
said, with sirens sounding in Tel Aviv and Jerusalem.</p>
<p>Most of the missiles were intercepted by air defences, officials said. Iran's Revolutionary
Guards said the strike was a response to an earlier Israeli attack.</p>
<p>Oil prices rose about 3% in Asian trading after the strike.</p></article>
<footer>Copyright Example News</footer></body></html>"""


def stream_forever(server, total: int, chunk: int = 64 * 1024, **headers: str):
    def route(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        sent = 0
        while sent < total and not server.release.is_set():
            handler.wfile.write(b"x" * chunk)
            sent += chunk
        handler.close_connection = True

    return route


def test_a_10_mb_stream_is_cut_off_at_the_cap(server):
    server.routes["/big"] = stream_forever(server, 10 * MB)
    started = time.monotonic()
    with pytest.raises(FetchTooLarge, match="larger than the limit of 1,000,000 bytes"):
        fetch_url(server.url("/big"), max_bytes=MB, is_allowed_address=server.only_me)
    assert time.monotonic() - started < 5


def test_a_declared_length_over_the_cap_is_refused_before_reading(server):
    server.routes["/big"] = lambda h: server.respond(h, b"x" * (2 * MB), "text/plain")
    with pytest.raises(FetchTooLarge, match="2,000,000 bytes; the limit is 1,000,000"):
        fetch_url(server.url("/big"), max_bytes=MB, is_allowed_address=server.only_me)


def test_a_gzip_bomb_stops_at_the_cap_of_decoded_bytes(server):
    bomb = gzip.compress(b"\0" * (20 * MB))
    assert len(bomb) < 100_000
    server.routes["/bomb"] = lambda h: server.respond(
        h, bomb, "text/html", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchTooLarge):
        fetch_url(server.url("/bomb"), max_bytes=MB, is_allowed_address=server.only_me)


def test_gzip_content_is_decoded(server):
    server.routes["/gz"] = lambda h: server.respond(
        h, gzip.compress(ARTICLE), "text/html", headers={"Content-Encoding": "gzip"}
    )
    result = fetch_url(server.url("/gz"), is_allowed_address=server.only_me)
    assert result.body == ARTICLE


def test_a_server_that_hangs_hits_the_time_cap(server):
    server.routes["/hang"] = lambda h: server.release.wait(30)
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="took longer than the time budget"):
        fetch_url(server.url("/hang"), timeout_s=0.5, is_allowed_address=server.only_me)
    assert time.monotonic() - started < 2


def test_a_server_dripping_bytes_cannot_exceed_the_total_time(server):
    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            if server.release.wait(0.05):
                return
            handler.wfile.write(b"x")
            handler.wfile.flush()

    server.routes["/drip"] = drip
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch_url(server.url("/drip"), timeout_s=0.8, is_allowed_address=server.only_me)
    assert time.monotonic() - started < 2


def test_a_server_dripping_headers_cannot_exceed_the_total_time(server):
    def drip_headers(handler):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(1000):
            if server.release.wait(0.05):
                return
            handler.wfile.write(f"X-Slow-{i}: 1\r\n".encode())
            handler.wfile.flush()

    server.routes["/slow-headers"] = drip_headers
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch_url(server.url("/slow-headers"), timeout_s=0.8, is_allowed_address=server.only_me)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "content_type", ["image/png", "application/octet-stream", "application/pdf", None]
)
def test_content_types_we_do_not_ingest_are_refused(server, content_type):
    server.routes["/file"] = lambda h: server.respond(h, b"\x89PNG\r\n\x1a\n", content_type)
    with pytest.raises(FetchContentTypeRefused, match="only web pages, plain text"):
        fetch_url(server.url("/file"), is_allowed_address=server.only_me)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "application/rss+xml",
        "application/atom+xml",
        "application/xml",
        "text/xml",
    ],
)
def test_text_page_and_feed_types_are_accepted(server, content_type):
    server.routes["/ok"] = lambda h: server.respond(h, b"ok", f"{content_type}; charset=utf-8")
    result = fetch_url(server.url("/ok"), is_allowed_address=server.only_me)
    assert (result.content_type, result.charset) == (content_type, "utf-8")


def test_error_status_is_reported(server):
    with pytest.raises(FetchHTTPStatus, match="answered 404") as info:
        fetch_url(server.url("/missing"), is_allowed_address=server.only_me)
    assert info.value.status == 404


def test_a_good_page_gives_title_and_main_text(server):
    server.routes["/article"] = lambda h: server.respond(h, ARTICLE)
    result = fetch_url(server.url("/article"), is_allowed_address=server.only_me)
    extracted = text_from_html(result.body, result.final_url, charset=result.charset)
    assert extracted.title == "Iran fires ballistic missiles at Israel"
    assert "Iran launched dozens of ballistic missiles at Israel" in extracted.text
    assert "intercepted by air defences" in extracted.text
    for junk in ("SCRIPT-CONTENT", "STYLE-CONTENT", "Home |", "Copyright"):
        assert junk not in extracted.text
    assert extracted.outlet == "Example News"
    assert extracted.published_at is not None
    assert extracted.published_at.isoformat() == "2026-02-10T05:00:00+00:00"


def test_charset_from_the_header_decodes_the_page(server):
    page = "<html><body><p>Le café de la place a fermé à Téhéran.</p></body></html>"
    server.routes["/fr"] = lambda h: server.respond(
        h, page.encode("windows-1252"), "text/html; charset=windows-1252"
    )
    result = fetch_url(server.url("/fr"), is_allowed_address=server.only_me)
    assert result.charset == "cp1252"
    assert "Le café de la place a fermé à Téhéran." in result.text()
    assert "café" in text_from_html(result.body, charset=result.charset).text


def test_charset_declared_in_the_page_is_sniffed(server):
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Société Générale</p></body>'
    server.routes["/meta"] = lambda h: server.respond(h, page.encode("latin-1"), "text/html")
    result = fetch_url(server.url("/meta"), is_allowed_address=server.only_me)
    assert result.charset == "latin-1" or result.charset.startswith("iso8859")
    assert "Société Générale" in text_from_html(result.body, charset=result.charset).text
