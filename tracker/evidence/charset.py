"""Turning fetched or uploaded bytes into text without guessing wildly.

Order: an explicit charset (HTTP header) → byte-order mark → a declaration in the first bytes
(`<meta charset>`, `http-equiv`, `<?xml encoding?>`) → UTF-8 → charset-normalizer's guess for
undeclared encodings → Windows-1252 with replacement. The guess keeps Windows-1252 whenever that
reads at least as cleanly, because it is what mislabelled "latin-1" pages really are (and short
Western text gives the detector too little to tell code pages apart).
"""

import codecs
import re

_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN = "cp1252"


def normalise_charset(name: str | None) -> str | None:
    """The codec's canonical name, or None when Python does not know the charset."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None


def sniff_charset(data: bytes) -> str | None:
    """A charset declared inside the document (BOM, meta tag, XML declaration), if any.

    Our own: a declaration is read, not guessed, and charset-normalizer only guesses."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if match:
        return normalise_charset(match.group(1).decode("ascii", "replace"))
    return None


def guess_charset(data: bytes) -> str:
    """The encoding of undeclared, non-UTF-8 bytes: Windows-1252 unless charset-normalizer
    finds one that reads more cleanly (Cyrillic, Greek, Arabic, Hebrew, CJK code pages…)."""
    from charset_normalizer import from_bytes

    western = from_bytes(data, cp_isolation=[_WESTERN]).best()
    if western is not None and western.chaos == 0:
        return _WESTERN
    best = from_bytes(data).best()
    if best is None or (western is not None and western.chaos <= best.chaos):
        return _WESTERN
    return best.encoding


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode `data`, trusting `charset` first, then the document's own declaration."""
    for name in (normalise_charset(charset), sniff_charset(data)):
        if name:
            try:
                return data.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(guess_charset(data), errors="replace")
