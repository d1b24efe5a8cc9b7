"""Checks for human text: what may be stored, and a clear reason when it may not.

Control characters and bidirectional overrides are refused (not silently stripped) so a title
can never display differently from what was typed.
"""

import re
import unicodedata

_BIDI_AND_INVISIBLE = r"\u202a-\u202e\u2066-\u2069\ufeff"
_FORBIDDEN_SINGLE_LINE = re.compile(rf"[\x00-\x1f\x7f-\x9f\u200b-\u200f{_BIDI_AND_INVISIBLE}]")
_FORBIDDEN_MULTI_LINE = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_AND_INVISIBLE}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(
    value: str, *, max_length: int, multiline: bool = False, required: bool = False
) -> str:
    """Return the NFC-normalised, stripped text, or raise ValueError with the reason."""
    if _SURROGATE.search(value):  # "\ud800" from JSON, or argv bytes that were not UTF-8
        raise ValueError(
            "is not valid Unicode text (a lone surrogate, or bytes that are not UTF-8)"
        )
    text = unicodedata.normalize("NFC", value).strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if required and not text:
        raise ValueError("must not be empty")
    if len(text) > max_length:
        raise ValueError(f"is too long ({len(text):,} characters; at most {max_length:,})")
    pattern = _FORBIDDEN_MULTI_LINE if multiline else _FORBIDDEN_SINGLE_LINE
    bad = pattern.search(text)
    if bad:
        raise ValueError(
            f"contains a control or bidirectional-override character (U+{ord(bad.group()):04X})"
        )
    return text


def unique_terms(terms: list[str], *, limit: int, max_chars: int) -> list[str]:
    """One-line terms with inner spaces collapsed, cut to `max_chars`, without case-insensitive
    repeats, at most `limit` (keywords: a model or a person may list "Tehran" twice)."""
    seen: set[str] = set()
    out = []
    for term in terms:
        term = " ".join(term.split())[:max_chars]
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            out.append(term)
    return out[:limit]


def fold(text: str) -> str:
    """Case-insensitive matching the same on SQLite and PostgreSQL: PostgreSQL's `lower()`
    under a UTF-8 locale (Python's `lower()` differs from it only on 'İ'), then 'ß' as 'ss'
    and the final sigma as 'σ', the two foldings readers expect that `lower()` lacks.
    SQLite gets this function (its own `lower()` is ASCII-only); PostgreSQL spells it in SQL
    (`services.question_listing.folded`)."""
    return text.replace("İ", "i").lower().replace("ß", "ss").replace("ς", "σ")
