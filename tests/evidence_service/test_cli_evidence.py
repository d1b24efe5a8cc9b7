"""`tracker ingest`, `feeds` and `summarize` from the command line."""

import io
import json
import re
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.config import get_settings
from tracker.db import Database
from tracker.services import evidence

runner = CliRunner()

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Gulf Wire</title>
  <link>https://gulfwire.example.com/</link>
  <description>News</description>
  <item>
    <title>Iran test-fires a new ballistic missile</title>
    <link>https://gulfwire.example.com/world/iran-missile-test</link>
    <guid isPermaLink="false">gw-1001</guid>
    <pubDate>Tue, 10 Feb 2026 08:00:00 GMT</pubDate>
    <description>Iran test-fired a ballistic missile with a longer range, state media said,
      days after envoys met in Muscat.</description>
  </item>
  <item>
    <title>Brent climbs above $90 on Gulf supply fears</title>
    <link>https://gulfwire.example.com/markets/brent-90</link>
    <guid isPermaLink="false">gw-1002</guid>
    <pubDate>Wed, 11 Feb 2026 14:30:00 GMT</pubDate>
    <description>Brent crude oil jumped 4% as traders priced in a US strike on Iran.</description>
  </item>
</channel>
</rss>"""

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def seeded(env_db, monkeypatch):
    from tracker.config import get_settings

    assert runner.invoke(app, ["seed"]).exit_code == 0
    monkeypatch.setattr(get_settings(), "openai_api_key", None)
    monkeypatch.setattr(get_settings(), "openai_base_url", None)


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 serving fixed bodies; it records the paths asked for."""

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                if self.path not in server.bodies:
                    self.send_error(404)
                    return
                body, content_type = server.bodies[self.path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: str, content_type: str) -> str:
        self.bodies[path] = (body.encode(), content_type)
        return self.url(path)


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def private_fetch_allowed(seeded, monkeypatch):
    """FETCH_ALLOW_PRIVATE=true, as an operator sets it to reach the loopback test server."""
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    assert get_settings().fetch_allow_private is True
    monkeypatch.setattr(get_settings(), "openai_api_key", None)
    monkeypatch.setattr(get_settings(), "openai_base_url", None)


def stored(kind: str) -> list[evidence.EvidenceRead]:
    db = Database.from_settings()
    try:
        return [item for item in evidence.list_evidence(db) if item.kind == kind]
    finally:
        db.dispose()


def test_ingest_a_file_links_it_and_refuses_private_urls(seeded, tmp_path):
    article = tmp_path / "missiles.md"
    article.write_text(
        "# Missile talks\n\nIran said its ballistic missile programme is not negotiable and "
        "rejected limits on missile range in any agreement with the United States."
    )
    result = runner.invoke(
        app, ["ingest", str(article), "--outlet", "Wire", "--published", "2026-11-20"]
    )
    assert result.exit_code == 0, result.output
    assert "ballistic-missile-limits-in-agreement-by-2027-12" in result.stdout
    again = runner.invoke(app, ["ingest", str(article)])
    assert "already stored" in again.stdout
    refused = runner.invoke(app, ["ingest", "http://127.0.0.1:8080/admin"])
    assert refused.exit_code == 1 and "loopback" in refused.stderr
    bad_time = runner.invoke(app, ["ingest", str(article), "--published", "soon"])
    assert bad_time.exit_code == 1 and "--published" in bad_time.stderr


def test_summarize_one_and_all_as_json(seeded):
    one = runner.invoke(app, ["summarize", "us-strike-iran-by-2027-06", "--format", "json"])
    assert one.exit_code == 0, one.output
    [summary] = json.loads(one.stdout)
    assert summary["engine"] == "offline"
    assert all(p["verified"] for p in summary["summary"]["key_points"])
    every = runner.invoke(app, ["summarize", "--all"])
    assert every.exit_code == 0 and every.stdout.count("== ") >= 12
    assert runner.invoke(app, ["summarize"]).exit_code == 1


def test_feeds_add_refuses_duplicates_and_bad_schemes(seeded):
    assert runner.invoke(app, ["feeds", "add", "https://example.org/rss"]).exit_code == 0
    dup = runner.invoke(app, ["feeds", "add", "https://example.org/rss"])
    assert dup.exit_code == 1 and "already registered" in dup.stderr
    bad = runner.invoke(app, ["feeds", "add", "file:///etc/passwd"])
    assert bad.exit_code == 1


def test_summarize_for_a_user_starts_from_their_last_forecast(seeded, monkeypatch):
    question = "us-strike-iran-by-2027-06"
    monkeypatch.setenv("TRACKER_PASSWORD", "correct horse battery")
    assert runner.invoke(app, ["users", "add", "bob", "--role", "forecaster"]).exit_code == 0
    logged = runner.invoke(app, ["forecast", question, "--user", "bob", "--prob", "0.3"])
    assert logged.exit_code == 0, logged.output

    anyone = json.loads(runner.invoke(app, ["summarize", question, "--format", "json"]).stdout)
    mine = runner.invoke(app, ["summarize", question, "--user", "bob", "--format", "json"])
    assert mine.exit_code == 0, mine.output
    [for_bob] = json.loads(mine.stdout)
    assert anyone[0]["since_time"] is None
    assert for_bob["since_time"] is not None
    assert "since" in for_bob["summary"]["whats_new"].lower()

    nobody = runner.invoke(app, ["summarize", question, "--user", "nobody"])
    assert nobody.exit_code == 1 and "Traceback" not in nobody.output
    assert nobody.stderr.startswith("error:") and nobody.stderr.count("\n") == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_summarize_draws_a_progress_bar_on_a_terminal_only(seeded, monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    app(["summarize", "--all", "--format", "json"], standalone_mode=False)
    done = len(json.loads(capsys.readouterr().out))
    drawn = terminal.getvalue()
    assert "summarising" in drawn and "━" in drawn
    assert f"{done}/{done}" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)

    piped = runner.invoke(app, ["summarize", "--all"])
    assert piped.exit_code == 0 and piped.stderr == ""  # no bar when stderr is not a terminal


def test_feeds_add_then_poll_stores_the_entries_and_prints_a_summary(
    private_fetch_allowed, loopback
):
    url = loopback.serve("/rss.xml", RSS, "application/rss+xml")
    added = runner.invoke(app, ["feeds", "add", url])
    assert added.exit_code == 0, added.output
    assert url in added.stdout

    polled = runner.invoke(app, ["feeds", "poll"])
    assert polled.exit_code == 0, polled.output
    first, refreshed = polled.stdout.strip().splitlines()
    assert first == "1 feeds: 2 new entries, 0 already stored"
    assert refreshed.startswith("summaries refreshed: ")
    assert "brent-price-on-2027-06-30" in refreshed
    assert polled.stderr == ""
    assert loopback.requests == ["/rss.xml"]
    items = {item.title: item for item in stored("feed")}
    assert set(items) == {
        "Iran test-fires a new ballistic missile",
        "Brent climbs above $90 on Gulf supply fears",
    }
    missile = items["Iran test-fires a new ballistic missile"]
    assert missile.url == "https://gulfwire.example.com/world/iran-missile-test"
    assert missile.published_at == datetime(2026, 2, 10, 8, 0, tzinfo=UTC)
    assert "longer range" in missile.text

    again = runner.invoke(app, ["feeds", "poll"])
    assert again.exit_code == 0
    assert again.stdout.strip() == "1 feeds: 0 new entries, 2 already stored"
    assert len(stored("feed")) == 2


def test_polling_a_loopback_feed_is_refused_unless_private_fetching_is_allowed(
    seeded, loopback, monkeypatch
):
    assert get_settings().fetch_allow_private is False
    url = loopback.serve("/rss.xml", RSS, "application/rss+xml")
    refused = runner.invoke(app, ["feeds", "add", url])  # at once, not at the first poll (12.9)
    assert refused.exit_code == 1 and "loopback" in refused.output
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")  # added while the operator allowed it
    get_settings.cache_clear()
    assert runner.invoke(app, ["feeds", "add", url]).exit_code == 0
    monkeypatch.delenv("FETCH_ALLOW_PRIVATE")
    get_settings.cache_clear()
    polled = runner.invoke(app, ["feeds", "poll"])
    assert polled.exit_code == 0  # one broken feed is a warning, not a failed run
    assert polled.stdout.strip() == "1 feeds: 0 new entries, 0 already stored"
    assert polled.stderr.startswith(f"warning: {url}:") and "loopback" in polled.stderr
    assert loopback.requests == []  # refused before connecting
    assert stored("feed") == []


def test_one_broken_feed_does_not_stop_the_others(private_fetch_allowed, loopback):
    good = loopback.serve("/rss.xml", RSS, "application/rss+xml")
    missing = loopback.url("/gone.xml")  # answered with 404
    for url in (missing, good):
        assert runner.invoke(app, ["feeds", "add", url]).exit_code == 0
    polled = runner.invoke(app, ["feeds", "poll"])
    assert polled.exit_code == 0
    assert polled.stdout.strip().splitlines()[0] == "2 feeds: 2 new entries, 0 already stored"
    assert polled.stderr.startswith(f"warning: {missing}:")
    assert len(polled.stderr.strip().splitlines()) == 1


def test_ingest_files_prints_one_line_per_stored_item(seeded, tmp_path):
    note = tmp_path / "oil.txt"
    note.write_text(
        "Tankers avoid Hormuz\n\nBrent crude oil rose above 80 dollars a barrel as tankers "
        "avoided the Strait of Hormuz after the talks in Muscat stalled."
    )
    page = tmp_path / "rounds.html"
    page.write_text(
        "<html><head><title>Second round set for Muscat</title></head><body><p>US and Iranian "
        "envoys agreed to hold a further round of negotiations in Oman next week, the "
        "mediators said.</p><script>alert('x')</script></body></html>"
    )
    result = runner.invoke(
        app, ["ingest", str(note), str(page), "--outlet", "Desk", "--published", "2026-02-08"]
    )
    assert result.exit_code == 0, result.output
    *lines, refreshed = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert refreshed.startswith("summaries refreshed: 2 (")  # the linked questions, inline
    items = {item.title: item for item in stored("file")}
    assert set(items) == {"Tankers avoid Hormuz", "Second round set for Muscat"}
    for path, line in zip((note, page), lines, strict=True):
        assert re.fullmatch(rf"{re.escape(str(path))}: stored as evidence \d+; linked: .+", line)
    by_id = {str(item.id): item for item in items.values()}
    for line in lines:
        item = by_id[re.search(r"evidence (\d+);", line).group(1)]
        assert item.outlet == "Desk"
        assert item.published_at == datetime(2026, 2, 8, tzinfo=UTC)
    assert "alert" not in items["Second round set for Muscat"].text
    assert "us-iran-talk-rounds-by-2027-06" in lines[1]


def test_ingest_a_loopback_url_when_private_fetching_is_allowed(private_fetch_allowed, loopback):
    url = loopback.serve(
        "/story",
        "<html><head><title>Missile limits rejected</title></head><body><p>Iran rejected any "
        "limits on its ballistic missile range in an agreement with the United States.</p>"
        "</body></html>",
        "text/html; charset=utf-8",
    )
    result = runner.invoke(app, ["ingest", url, "--outlet", "Loopback Times"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{url}: stored as evidence ")
    assert "ballistic-missile-limits-in-agreement-by-2027-12" in result.stdout
    [item] = stored("url")
    assert (item.title, item.url, item.outlet) == ("Missile limits rejected", url, "Loopback Times")


def _drawn(terminal: io.StringIO) -> str:
    return ANSI.sub("", terminal.getvalue())


def test_ingest_draws_a_progress_bar_on_a_terminal_only(seeded, tmp_path, monkeypatch, capsys):
    paths = []
    for i, topic in enumerate(("enrichment at Fordow", "Hezbollah weapons in Lebanon")):
        path = tmp_path / f"note{i}.txt"
        path.write_text(f"Analysts in Muscat discussed {topic} at length on Saturday {i}.")
        paths.append(str(path))
    terminal = _Terminal()
    with monkeypatch.context() as patched:
        patched.setattr(sys, "stderr", terminal)
        app(["ingest", *paths], standalone_mode=False)
    assert capsys.readouterr().out.count("stored as evidence") == 2
    drawn = terminal.getvalue()
    assert "ingesting" in drawn and "━" in drawn
    assert "2/2" in _drawn(terminal)

    piped = runner.invoke(app, ["ingest", *paths])
    assert piped.exit_code == 0 and piped.stdout.count("already stored") == 2
    assert piped.stderr == ""  # no bar when stderr is not a terminal


def test_feeds_poll_draws_a_progress_bar_on_a_terminal_only(
    private_fetch_allowed, loopback, monkeypatch, capsys
):
    for path in ("/a.xml", "/b.xml"):
        url = loopback.serve(path, RSS, "application/rss+xml")
        assert runner.invoke(app, ["feeds", "add", url]).exit_code == 0
    terminal = _Terminal()
    with monkeypatch.context() as patched:
        patched.setattr(sys, "stderr", terminal)
        app(["feeds", "poll"], standalone_mode=False)
    assert capsys.readouterr().out.startswith("2 feeds:")
    drawn = terminal.getvalue()
    assert "polling feeds" in drawn and "━" in drawn
    assert "2/2" in _drawn(terminal)

    piped = runner.invoke(app, ["feeds", "poll"])
    assert piped.exit_code == 0 and "2 feeds: 0 new entries" in piped.stdout
    assert piped.stderr == ""  # no bar when stderr is not a terminal


def _fake_model(monkeypatch, server, timeout_s: float = 30.0) -> None:
    monkeypatch.setattr(get_settings(), "openai_base_url", server.url)
    monkeypatch.setattr(get_settings(), "llm_timeout_s", timeout_s)
    monkeypatch.setattr(get_settings(), "llm_max_retries", 2)


def test_summarize_stale_refreshes_exactly_the_stale_ones(seeded, monkeypatch):
    from tracker.schemas import Actor
    from tracker.testing.fake_llm_server import FakeLLMServer, echo_responder

    db = Database.from_settings()
    item = evidence.add_text(db, Actor.system(), title="Oil", text="Brent crude rose 2 percent.")
    evidence.link(db, Actor.system(), "brent-price-on-2027-06-30", item.item.id)
    db.dispose()
    with FakeLLMServer(responder=echo_responder) as server:
        _fake_model(monkeypatch, server)
        first = runner.invoke(app, ["summarize", "--stale"])
        assert first.exit_code == 0, first.output
        # the seed's offline summaries stand in for a model now configured: retried too
        assert "stale summary(ies) refreshed" in first.stdout
        assert "== brent-price-on-2027-06-30 [openai" in first.stdout
        calls = server.calls
        assert calls >= 1
        second = runner.invoke(app, ["summarize", "--stale"])
        assert second.stdout.startswith("0 stale summary(ies) refreshed")
        assert server.calls == calls  # nothing stale: no call


def test_summarize_all_against_a_hung_server_costs_about_one_deadline(seeded, monkeypatch):
    """18 seed questions, concurrency 10, each server call hangs: the first wave times out
    together and the breaker sends the rest to the offline digest without a call."""
    from tracker.testing.fake_llm_server import FakeLLMServer, hang

    with FakeLLMServer() as server:
        server.script(*[hang(120)] * 60)
        _fake_model(monkeypatch, server, timeout_s=1.0)
        result = runner.invoke(app, ["summarize", "--all"])
    assert result.exit_code == 0, result.output
    assert server.calls <= get_settings().llm_concurrency  # not 18 x 3 tries
    assert result.stderr.count("fell back to the offline digest") == 1  # said once
    assert "failed" in result.stderr and "in a row" in result.stderr


def test_an_elided_quote_is_marked_in_the_cli(seeded):
    from tracker.cli.evidence import render_summary
    from tracker.llm.schema import EvidenceSummary, KeyPoint, QuoteSegment
    from tracker.services.summaries import StoredSummary

    point = KeyPoint(
        claim="c", evidence_id=1, quote="protests ... bring down", quote_status="elided",
        quote_segments=[QuoteSegment(text="protests"), QuoteSegment(text="will not", omitted=True),
                        QuoteSegment(text="bring down")],
        omits_negation=True,
    )  # fmt: skip
    stored = StoredSummary(
        id=1, question_id="q", question_revision=1, engine="openai", model="m",
        prompt_version="p", created_at=datetime(2026, 2, 1, tzinfo=UTC), since_time=None,
        evidence_ids=[1], fallback_reason=None, tokens_in=0, tokens_out=0, latency_ms=0,
        summary=EvidenceSummary(headline="h", key_points=[point]),
    )  # fmt: skip
    text = render_summary(stored)
    assert '"protests [[will not]] bring down"' in text
    assert "ELIDED, check the source; the omitted words hold a negation" in text
