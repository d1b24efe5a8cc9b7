"""From a URL, an uploaded file, pasted text or a feed entry to a cleaned evidence draft.

The one pipeline every edge uses (fetch → extract → clean → hash), so an item ingested from
the CLI, the UI or the feed poller is stored the same way. No database: the evidence service
stores the draft (and decides about duplicates with `content_hash` / `NearDuplicateIndex`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.evidence.errors import ExtractError
from tracker.evidence.extract import (
    MAX_CHARS,
    ExtractedText,
    clean_text,
    content_hash,
    text_from_file,
    text_from_html,
    text_from_plain,
)
from tracker.evidence.feeds import Feed, FeedEntry, read_feed
from tracker.evidence.fetch import (
    FEED_CONTENT_TYPES,
    HTML_CONTENT_TYPES,
    fetch_url,
)

UNTITLED = "Untitled"


@dataclass(frozen=True)
class EvidenceDraft:
    title: str
    text: str
    url: str | None
    outlet: str
    published_at: datetime | None
    content_hash: str


def draft_from_text(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    outlet: str | None = None,
    published_at: datetime | None = None,
    max_chars: int = MAX_CHARS,
) -> EvidenceDraft:
    """Pasted text (e.g. a note); the title defaults to its first short line."""
    extracted = text_from_plain(text, max_chars=max_chars)
    return _draft(extracted, url, title=title, outlet=outlet, published_at=published_at)


def draft_from_file(
    name: str, data: bytes, *, title: str | None = None, max_chars: int = MAX_CHARS
) -> EvidenceDraft:
    """An uploaded .txt, .md or .html file."""
    return _draft(text_from_file(name, data, max_chars=max_chars), None, title=title)


def draft_from_url(
    url: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published_at: datetime | None = None,
    max_chars: int = MAX_CHARS,
    **fetch_options: Any,
) -> EvidenceDraft:
    """Fetch a page safely (`fetch_url` options pass through) and extract its main text."""
    result = fetch_url(url, **fetch_options)
    if result.content_type in FEED_CONTENT_TYPES and _looks_like_feed(result.body):
        raise ExtractError(f"{url} is a feed, not an article: add it as a feed instead")
    if result.content_type in HTML_CONTENT_TYPES | FEED_CONTENT_TYPES:  # XML: parse as markup
        extracted = text_from_html(
            result.body, result.final_url, charset=result.charset, max_chars=max_chars
        )
    else:
        extracted = text_from_plain(
            result.body,
            charset=result.charset,
            markdown="markdown" in result.content_type,
            max_chars=max_chars,
        )
    return _draft(
        extracted, result.final_url, title=title, outlet=outlet, published_at=published_at
    )


def feed_from_url(url: str, **fetch_options: Any) -> Feed:
    """Fetch and parse an RSS/Atom feed (`fetch_url` options pass through)."""
    result = fetch_url(url, **fetch_options)
    return read_feed(result.body, result.final_url)


def draft_from_feed_entry(entry: FeedEntry, *, outlet: str | None = None) -> EvidenceDraft:
    """A feed entry as evidence: its title and summary (fetch `entry.url` for the full text)."""
    extracted = ExtractedText(entry.title, entry.summary_text or entry.title, None, None)
    return _draft(extracted, entry.url, outlet=outlet, published_at=entry.published_at)


def _draft(
    extracted: ExtractedText,
    url: str | None,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published_at: datetime | None = None,
) -> EvidenceDraft:
    if not extracted.text:
        source = url or "the input"
        raise ExtractError(f"no readable text could be extracted from {source}")
    return EvidenceDraft(
        title=_line(title, 500) or extracted.title or (url or UNTITLED)[:500],
        text=extracted.text,
        url=url,
        outlet=_line(outlet, 300) or extracted.outlet or "",
        published_at=published_at or extracted.published_at,
        content_hash=content_hash(extracted.text),
    )


def _line(value: str | None, limit: int) -> str:
    return " ".join(clean_text(value or "", max_chars=limit * 4).split())[:limit]


def _looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head
