"""RSS and Atom parsing on bytes: entries, dates, HTML summaries to text, malformed input."""

from datetime import UTC, datetime

import pytest

from tracker.evidence.errors import FeedError
from tracker.evidence.feeds import parse_feed, read_feed

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Gulf Wire &amp; Markets</title>
  <link>https://gulfwire.example.com/</link>
  <description>News</description>
  <item>
    <title>Iran test-fires new ballistic missile</title>
    <link>/world/2026/02/iran-missile-test</link>
    <guid isPermaLink="false">gw-1001</guid>
    <pubDate>Tue, 10 Feb 2026 08:00:00 +0300</pubDate>
    <description><![CDATA[<p>Iran <b>test-fired</b> a ballistic missile, state media said.</p>
      <script>alert("SCRIPT-IN-SUMMARY")</script><img src="x.png" onerror="evil()">
      <p>The launch drew condemnation.</p>]]></description>
  </item>
  <item>
    <title>Brent climbs above $90</title>
    <link>https://gulfwire.example.com/markets/brent-90</link>
    <pubDate>Wed, 11 Feb 2026 14:30:00 GMT</pubDate>
    <description>Oil &lt;em&gt;jumped&lt;/em&gt; 4% on supply fears.</description>
  </item>
  <item>
    <title>Bad link</title>
    <link>javascript:alert(1)</link>
    <description>An entry whose link is not a web address.</description>
  </item>
</channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Muscat Talks Tracker</title>
  <link rel="alternate" href="https://talks.example.org/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-02-12T18:30:02Z</updated>
  <entry>
    <title type="html">Fourth round &lt;em&gt;ends&lt;/em&gt; in Muscat</title>
    <link rel="alternate" href="rounds/4"/>
    <id>tag:talks.example.org,2026:round-4</id>
    <published>2026-02-12T17:00:00+04:00</published>
    <updated>2026-02-12T18:30:02Z</updated>
    <summary type="html">&lt;p&gt;Negotiators discussed
      &lt;b&gt;enrichment&lt;/b&gt;.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>Téhéran reacts</title>
    <link href="https://talks.example.org/rounds/4/reaction"/>
    <id>tag:talks.example.org,2026:reaction</id>
    <updated>2026-02-13T06:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Officials in Tehran
      called the round <strong>serious</strong>.</p></div></content>
  </entry>
</feed>""".encode()


def test_rss_entries():
    entries = parse_feed(RSS, "https://gulfwire.example.com/rss.xml")
    assert [e.title for e in entries] == [
        "Iran test-fires new ballistic missile",
        "Brent climbs above $90",
        "Bad link",
    ]
    first, second, third = entries
    assert first.url == "https://gulfwire.example.com/world/2026/02/iran-missile-test"
    assert first.guid == "gw-1001"
    assert first.published_at == datetime(2026, 2, 10, 5, 0, tzinfo=UTC)
    assert first.summary_text == (
        "Iran test-fired a ballistic missile, state media said.\n\nThe launch drew condemnation."
    )
    assert "SCRIPT-IN-SUMMARY" not in first.summary_text
    assert second.summary_text == "Oil jumped 4% on supply fears."
    assert second.guid == second.url  # no <guid>: the link identifies the entry
    assert second.published_at == datetime(2026, 2, 11, 14, 30, tzinfo=UTC)
    assert third.url is None  # javascript: links are dropped


def test_rss_feed_information():
    feed = read_feed(RSS, "https://gulfwire.example.com/rss.xml")
    assert feed.title == "Gulf Wire & Markets"
    assert feed.site_url == "https://gulfwire.example.com/"
    assert feed.warning is None


def test_atom_entries():
    feed = read_feed(ATOM, "https://talks.example.org/feed.atom")
    assert feed.title == "Muscat Talks Tracker"
    first, second = feed.entries
    assert first.title == "Fourth round ends in Muscat"
    assert first.url == "https://talks.example.org/rounds/4"
    assert first.guid == "tag:talks.example.org,2026:round-4"
    assert first.published_at == datetime(2026, 2, 12, 13, 0, tzinfo=UTC)
    assert first.summary_text == "Negotiators discussed enrichment."
    assert second.title == "Téhéran reacts"
    assert second.published_at == datetime(2026, 2, 13, 6, 0, tzinfo=UTC)
    assert second.summary_text == "Officials in Tehran called the round serious."


@pytest.mark.parametrize(
    "body",
    [
        b"this is not xml at all {{{",
        b"<html><head><title>A web page</title></head><body><p>Hello</p></body></html>",
        b"<rss version='2.0'><channel><item><title>Broken",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"",
        b"   \n ",
    ],
)
def test_malformed_or_non_feed_bytes_raise_a_clear_error(body):
    with pytest.raises(FeedError, match="feed"):
        parse_feed(body, "https://example.com/feed")


def test_recoverable_sloppiness_is_accepted_with_a_warning():
    sloppy = b"""<rss version="2.0"><channel><title>Tom & Jerry News</title>
    <item><title>Oil & gas</title><link>https://e.example/a</link></item></channel></rss>"""
    feed = read_feed(sloppy, "https://e.example/feed")
    assert [e.title for e in feed.entries] == ["Oil & gas"]
    assert feed.warning


def test_feedparser_never_opens_files_or_urls():
    with pytest.raises(FeedError):
        parse_feed(b"/etc/passwd", "https://example.com/feed")
    with pytest.raises(TypeError):
        parse_feed("https://example.com/feed.xml", "https://example.com/")  # type: ignore[arg-type]


def test_external_entities_are_not_expanded():
    xxe = b"""<?xml version="1.0"?>
    <!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
    <rss version="2.0"><channel><title>t</title>
    <item><title>before &xxe; after</title><link>https://e.example/x</link></item>
    </channel></rss>"""
    entries = parse_feed(xxe, "https://e.example/feed")
    assert "root:" not in entries[0].title
    assert entries[0].title.startswith("before")


def test_very_long_guid_is_hashed_to_fit():
    long_id = "tag:" + "x" * 600
    rss = f"""<rss version="2.0"><channel><title>t</title><item><title>a</title>
    <guid>{long_id}</guid></item></channel></rss>""".encode()
    (entry,) = parse_feed(rss, "https://e.example/")
    assert entry.guid.startswith("sha256:") and len(entry.guid) == 71
