"""The ingest pipeline: URL, file, pasted text and feed entry to a cleaned, hashed draft."""

from datetime import UTC, datetime

import pytest

from tracker.evidence.errors import ExtractError, FetchRefused
from tracker.evidence.feeds import FeedEntry
from tracker.evidence.ingest import (
    draft_from_feed_entry,
    draft_from_file,
    draft_from_text,
    draft_from_url,
    feed_from_url,
)
from tracker.evidence.text import content_hash

PAGE = b"""<html><head><title>Brent tops $95</title></head><body><article>
<h1>Brent tops $95</h1><p>Brent crude rose above 95 dollars a barrel on Monday as tanker traffic
through the Strait of Hormuz slowed, traders said.</p></article></body></html>"""
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>One</title><link>https://wire.example/1</link><description>First.</description></item>
</channel></rss>"""


def test_draft_from_a_page(server):
    server.routes["/a"] = lambda h: server.respond(h, PAGE)
    draft = draft_from_url(server.url("/a"), is_allowed_address=server.only_me)
    assert draft.title == "Brent tops $95"
    assert "Strait of Hormuz" in draft.text
    assert draft.url == server.url("/a")
    assert draft.content_hash == content_hash(draft.text)


def test_draft_from_plain_text_and_markdown_urls(server):
    server.routes["/t.md"] = lambda h: server.respond(
        h, b"# Fed minutes\n\nRates on hold.", "text/markdown; charset=utf-8"
    )
    draft = draft_from_url(server.url("/t.md"), is_allowed_address=server.only_me, outlet="Fed")
    assert (draft.title, draft.text, draft.outlet) == (
        "Fed minutes",
        "# Fed minutes\n\nRates on hold.",
        "Fed",
    )


def test_a_feed_url_is_not_an_article_but_parses_as_a_feed(server):
    server.routes["/feed"] = lambda h: server.respond(h, FEED, "application/rss+xml")
    with pytest.raises(ExtractError, match="is a feed"):
        draft_from_url(server.url("/feed"), is_allowed_address=server.only_me)
    feed = feed_from_url(server.url("/feed"), is_allowed_address=server.only_me)
    assert [e.url for e in feed.entries] == ["https://wire.example/1"]


def test_ingest_uses_the_safe_fetcher():
    with pytest.raises(FetchRefused):
        draft_from_url("http://169.254.169.254/latest/meta-data/")


def test_draft_from_file_and_text():
    draft = draft_from_file("oil.md", b"# Oil\n\nBrent rose.")
    assert (draft.title, draft.text) == ("Oil", "# Oil\n\nBrent rose.")
    note = draft_from_text("  Analyst call notes\u202e\n\nSupply is tight.  ", title=" Call ")
    assert (note.title, note.text) == ("Call", "Analyst call notes\n\nSupply is tight.")
    with pytest.raises(ExtractError, match="no readable text"):
        draft_from_text("\u200b\u202e  ")


def test_draft_from_a_feed_entry():
    entry = FeedEntry(
        title="Iran tests missile",
        url="https://wire.example/2",
        published_at=datetime(2026, 2, 10, tzinfo=UTC),
        summary_text="Iran test-fired a missile.",
        guid="wire-2",
    )
    draft = draft_from_feed_entry(entry, outlet="Wire")
    assert (draft.title, draft.text, draft.outlet) == (
        "Iran tests missile",
        "Iran test-fired a missile.",
        "Wire",
    )
    assert draft.published_at == entry.published_at
