"""Evidence text from web pages and uploaded files.

HTML goes through trafilatura (main-content extraction: no menus, footers, comments), after
the page's invisible parts are removed (`htmltext.remove_invisible`); when trafilatura finds
nothing, a plain lxml extraction of the visible text is used instead. Every result passes
through `clean_text`. The text helpers (`clean_text`, `content_hash`, `split_sentences`,
`NearDuplicateIndex`) are re-exported here for convenience.
"""

import copy
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from urllib.parse import urlsplit

import trafilatura

from tracker.evidence.charset import decode_bytes
from tracker.evidence.dedup import NearDuplicateIndex, near_duplicate_score
from tracker.evidence.errors import ExtractError, UnsupportedFileType
from tracker.evidence.htmltext import parse_html, remove_invisible, tree_text, tree_title
from tracker.evidence.text import (
    MAX_CHARS,
    TRUNCATION_MARKER,
    clean_text,
    content_hash,
    split_sentences,
)

__all__ = [
    "MAX_CHARS",
    "TEXT_FILE_TYPES",
    "TRUNCATION_MARKER",
    "ExtractedText",
    "NearDuplicateIndex",
    "clean_text",
    "content_hash",
    "near_duplicate_score",
    "split_sentences",
    "text_from_file",
    "text_from_html",
    "text_from_plain",
]

logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

TEXT_FILE_TYPES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
MAX_TITLE_CHARS = 500
MAX_OUTLET_CHARS = 300
_PUBLISHED_META = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='pubdate' or @name='publishdate' or @name='date']/@content",
    "//meta[@name='dc.date' or @name='DC.date.issued' or @name='dcterms.created']/@content",
    "//time[@itemprop='datePublished']/@datetime",
)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class ExtractedText:
    title: str | None
    text: str
    published_at: datetime | None
    outlet: str | None


def text_from_html(
    html: bytes | str,
    url: str | None = None,
    *,
    charset: str | None = None,
    max_chars: int = MAX_CHARS,
) -> ExtractedText:
    """Main text, title, publication time and outlet of a web page."""
    tree = parse_html(html, charset=charset)
    if tree is None:
        return ExtractedText(None, "", None, _outlet(None, url))
    remove_invisible(tree, keep_json_ld=True)
    fallback_tree = copy.deepcopy(tree)  # trafilatura prunes the tree it is given
    doc = None
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # trafilatura is best effort; the lxml fallback below always works
        logging.getLogger(__name__).debug("trafilatura failed on %s", url, exc_info=True)
    text = clean_text(getattr(doc, "text", None) or "", max_chars=max_chars)
    if not text:
        text = clean_text(tree_text(copy.deepcopy(fallback_tree)), max_chars=max_chars)
    title = getattr(doc, "title", None) or tree_title(fallback_tree)
    return ExtractedText(
        title=_one_line(title, MAX_TITLE_CHARS),
        text=text,
        published_at=_meta_published(fallback_tree) or _date_only(getattr(doc, "date", None)),
        outlet=_outlet(getattr(doc, "sitename", None), url),
    )


def text_from_plain(
    data: bytes | str,
    *,
    charset: str | None = None,
    markdown: bool = False,
    fallback_title: str | None = None,
    max_chars: int = MAX_CHARS,
) -> ExtractedText:
    """Plain text or Markdown (kept as written, not rendered); the title is the first heading
    (Markdown) or a short first line, else `fallback_title`."""
    raw = decode_bytes(data, charset) if isinstance(data, bytes) else data
    text = clean_text(raw, max_chars=max_chars)
    return ExtractedText(_plain_title(text, markdown) or fallback_title, text, None, None)


def text_from_file(
    name: str,
    data: bytes,
    *,
    max_chars: int = MAX_CHARS,
    max_bytes: int = 5_000_000,
) -> ExtractedText:
    """Text of an uploaded .txt, .md/.markdown or .html/.htm file; other types are refused."""
    path = PurePath(name or "")
    suffix = path.suffix.lower()
    if suffix not in TEXT_FILE_TYPES:
        shown = f"{suffix} files" if suffix else "files without an extension"
        raise UnsupportedFileType(
            f"{shown} are not accepted: upload .txt, .md, .html or .htm (save PDFs and "
            "documents as text first)"
        )
    if len(data) > max_bytes:
        raise ExtractError(f"{path.name} is {len(data):,} bytes; the limit is {max_bytes:,}")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError(f"{path.name} looks like a binary file, not text")
    if suffix in (".html", ".htm"):
        result = text_from_html(data, max_chars=max_chars)
        return result if result.title else _with_title(result, path.stem)
    return text_from_plain(
        data,
        markdown=suffix in (".md", ".markdown"),
        fallback_title=path.stem,
        max_chars=max_chars,
    )


def _with_title(result: ExtractedText, title: str) -> ExtractedText:
    return ExtractedText(title, result.text, result.published_at, result.outlet)


def _plain_title(text: str, markdown: bool) -> str | None:
    lines = [line for line in text.split("\n")[:40] if line.strip()]
    if markdown:
        for line in lines:
            heading = _MD_HEADING.match(line)
            if heading:
                return _one_line(heading.group(1), MAX_TITLE_CHARS)
    if lines and len(lines[0]) <= 150:
        return _one_line(lines[0].lstrip("# "), MAX_TITLE_CHARS)
    return None


def _one_line(value: str | None, limit: int) -> str | None:
    if not value:
        return None
    line = " ".join(clean_text(value[: limit * 4]).split())
    return line[:limit].rstrip() or None


def _outlet(sitename: str | None, url: str | None) -> str | None:
    if sitename:
        return _one_line(sitename, MAX_OUTLET_CHARS)
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _meta_published(tree: object) -> datetime | None:
    for xpath in _PUBLISHED_META:
        for value in tree.xpath(xpath):  # type: ignore[attr-defined]
            parsed = _parse_datetime(str(value))
            if parsed is not None:
                return parsed
    return None


def _parse_datetime(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return parsed if parsed <= datetime.now(UTC) + timedelta(days=2) else None


def _date_only(value: str | None) -> datetime | None:
    return _parse_datetime(value[:10]) if value else None
