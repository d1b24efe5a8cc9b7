"""HTML parsing and a plain lxml text extraction (the fallback when trafilatura finds nothing).

Content a reader never sees (scripts, styles, templates, `hidden` or `display:none` elements)
is removed before any extraction: it is where pages hide text aimed at machines, and evidence
text should be what a reader of the page saw.
"""

import re

import lxml.etree
import lxml.html

from tracker.evidence.charset import decode_bytes

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_NEVER_TEXT = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "canvas",
    "select",
    "button",
)
_BLOCK_TAGS = """p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr table thead tbody section article
    header footer aside nav main blockquote pre figure figcaption hr address details summary
    form fieldset"""
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_SPACES = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def parse_html(html: bytes | str, *, charset: str | None = None) -> lxml.html.HtmlElement | None:
    """An lxml tree of the document, or None when there is no markup at all."""
    text = decode_bytes(html, charset) if isinstance(html, bytes) else html
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return None


def remove_invisible(tree: lxml.html.HtmlElement, *, keep_json_ld: bool = False) -> None:
    """Drop elements a reader never sees (in place). JSON-LD may be kept for metadata."""
    for el in list(tree.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        _drop(el)
    for el in list(tree.iter(*_NEVER_TEXT)):
        if keep_json_ld and el.tag == "script" and "ld+json" in (el.get("type") or ""):
            continue
        _drop(el)
    for el in list(tree.iter(lxml.etree.Element)):
        if el.getparent() is None:
            continue
        hidden = (
            el.get("hidden") is not None
            or (el.get("aria-hidden") or "").lower() == "true"
            or _HIDDEN_STYLE.search(el.get("style") or "")
        )
        if hidden:
            _drop(el)


def _drop(el: lxml.etree._Element) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    previous = el.getprevious()
    parent.remove(el)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def tree_title(tree: lxml.html.HtmlElement) -> str | None:
    """og:title, then <title>, then the first <h1>."""
    for xpath in (
        "//meta[@property='og:title']/@content",
        "//title//text()",
        "//h1//text()",
    ):
        found = " ".join(str(t) for t in tree.xpath(xpath)).strip()
        if found:
            return " ".join(found.split())
    return None


def tree_text(tree: lxml.html.HtmlElement) -> str:
    """Visible body text with a line break around every block element."""
    body = tree.find("body")
    root = body if body is not None else tree
    head = tree.find("head")
    if head is not None and root is tree:
        _drop(head)
    remove_invisible(root)
    for el in root.iter(lxml.etree.Element):  # HTML collapses source whitespace, except <pre>
        in_pre = el.tag == "pre" or any(a.tag == "pre" for a in el.iterancestors())
        if el.text and not in_pre:
            el.text = _SPACES.sub(" ", el.text)
        if el.tail and not (in_pre and el.tag != "pre"):
            el.tail = _SPACES.sub(" ", el.tail)
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    return "\n".join(line.strip(" ") for line in root.text_content().split("\n"))


def html_to_text(html: bytes | str, *, charset: str | None = None) -> str:
    """Plain visible text of an HTML document or fragment (not yet `clean_text`-ed)."""
    tree = parse_html(html, charset=charset)
    return "" if tree is None else tree_text(tree)
