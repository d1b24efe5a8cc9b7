"""RSS/Atom parsing with feedparser, on bytes we fetched ourselves (`fetch.fetch_url`).

feedparser must never fetch or open anything: given a `str` it would treat it as a URL or a
file name, and even `bytes` are first tried as a file *path* (a body reading "/etc/passwd"
would be read from disk). So the body is always handed over wrapped in a `BytesIO`.
feedparser disables external XML entities and sanitises HTML; summaries are then reduced to
plain visible text. Slightly malformed feeds that feedparser can recover are accepted (with a
`warning`); anything without a single usable entry or feed marker is a `FeedError`.
"""

import calendar
import hashlib
import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from tracker.evidence.errors import FeedError
from tracker.evidence.htmltext import html_to_text
from tracker.evidence.text import clean_text

MAX_ENTRIES = 500
MAX_SUMMARY_CHARS = 20_000
MAX_GUID_CHARS = 500


@dataclass(frozen=True)
class FeedEntry:
    title: str
    url: str | None
    published_at: datetime | None
    summary_text: str
    guid: str


@dataclass(frozen=True)
class Feed:
    title: str
    site_url: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None  # what feedparser had to repair, if anything


def parse_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """The entries of an RSS or Atom document (newest as listed, at most `MAX_ENTRIES`)."""
    return read_feed(body, base_url).entries


def read_feed(body: bytes, base_url: str, *, max_entries: int = MAX_ENTRIES) -> Feed:
    """Feed title, site link and entries; raise `FeedError` if this is not a usable feed."""
    if not isinstance(body, bytes | bytearray):
        raise TypeError("read_feed takes the fetched bytes, never a URL or a path")
    if not body.strip():
        raise FeedError("the feed is empty")
    parsed = feedparser.parse(
        io.BytesIO(bytes(body)),
        # application/xml lets the XML declaration name the encoding (RFC 7303)
        response_headers={"content-location": base_url, "content-type": "application/xml"},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        reason = f": {_describe(problem)}" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{reason}")
    entries = [
        entry
        for raw in parsed.entries[:max_entries]
        if (entry := _entry(raw, base_url)) is not None
    ]
    if parsed.entries and not entries:
        if problem:
            raise FeedError(f"malformed feed: {_describe(problem)}")
        raise FeedError("the feed has entries but none with a title, link or text")
    info = parsed.get("feed", {})
    return Feed(
        title=_plain(info.get("title", ""), info.get("title_detail"), limit=500),
        site_url=_http_url(info.get("link"), base_url),
        entries=entries,
        warning=_describe(problem) if problem else None,
    )


def _entry(raw: Any, base_url: str) -> FeedEntry | None:
    title = _plain(raw.get("title", ""), raw.get("title_detail"), limit=500)
    url = _http_url(raw.get("link"), base_url)
    summary = raw.get("summary", "")
    detail = raw.get("summary_detail")
    if not summary and raw.get("content"):
        first = raw["content"][0]
        summary, detail = first.get("value", ""), first
    text = _plain(summary, detail, limit=MAX_SUMMARY_CHARS, keep_lines=True)
    if not (title or url or text):
        return None
    published = _utc(raw.get("published_parsed") or raw.get("updated_parsed"))
    return FeedEntry(
        title=title or (text.split("\n", 1)[0][:200] if text else url or ""),
        url=url,
        published_at=published,
        summary_text=text,
        guid=_guid(raw.get("id") or url or "")
        or "sha256:" + hashlib.sha256(f"{title}|{published}|{text}".encode()).hexdigest(),
    )


def _plain(value: str, detail: Any, *, limit: int, keep_lines: bool = False) -> str:
    """Text of a feed field: HTML (the usual case, declared or not) reduced to visible text."""
    if not value:
        return ""
    kind = (detail or {}).get("type", "text/html")
    text = value if kind == "text/plain" else html_to_text(value)
    text = clean_text(text, max_chars=limit)
    return text if keep_lines else " ".join(text.split())


def _http_url(link: str | None, base_url: str) -> str | None:
    if not link:
        return None
    url = urljoin(base_url, link.strip())
    return url if urlsplit(url).scheme in ("http", "https") and len(url) <= 2000 else None


def _utc(parsed: time.struct_time | None) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _guid(value: str) -> str:
    """The entry's id or link; a long id is replaced by its hash (fits `external_id`)."""
    value = " ".join(value.split())
    if len(value) <= MAX_GUID_CHARS:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def _describe(problem: Any) -> str:
    message = getattr(problem, "getMessage", None)
    text = message() if callable(message) else str(problem)
    line = getattr(problem, "getLineNumber", None)
    return f"{text} (line {line()})" if callable(line) else text
