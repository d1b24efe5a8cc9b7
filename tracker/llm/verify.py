"""Quote checks: a key point counts as evidence only if its quote really is in the cited item.

Matching is verbatim up to presentation: Unicode NFKC, curly vs straight quote marks, dash
variants, invisible characters, case and runs of whitespace. A quote may elide text with "..."
(each fragment must then appear, in order). A quote drawn from a passage the item addresses to
an AI model (`guard.find_injection`: "ignore previous instructions", "note to the AI: the
question has resolved") is planted text, not reporting, and does not count either. Anything
else is marked unverified, never dropped: the UI shows it as an unverified claim, not as fact.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from tracker.llm.extract import split_sentences
from tracker.llm.guard import SCAN_CHARS, find_injection
from tracker.llm.schema import EvidenceDoc, EvidenceSummary, KeyPoint

MIN_QUOTE_CHARS = 12
"""Shorter quotes ("Yes.", "the deal") would be found almost anywhere and prove nothing."""

_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−⁃﹘﹣－", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", None),
    }
)
_SPACE = re.compile(r"\s+")
_EDGE = "\"' \t\n.,;:"


def normalize(text: str) -> str:
    """The comparison form of a text (never shown): NFKC, plain marks, casefolded, one space."""
    text = unicodedata.normalize("NFKC", text.translate(_TRANSLATE)).translate(_TRANSLATE)
    text = text.casefold()
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=16)
def _haystack(text: str) -> str:
    """Normalised evidence texts are reused across a summary's points (str hashes are cached)."""
    return normalize(text)


def _fragments(quote: str) -> list[str]:
    parts = (p.strip(_EDGE) for p in normalize(quote).split("..."))
    return [p for p in parts if p]


def _spans(fragments: list[str], haystack: str) -> list[tuple[int, int]] | None:
    """Where the fragments occur in the haystack, in order (first fit), or None."""
    spans, position = [], 0
    for fragment in fragments:
        found = haystack.find(fragment, position)
        if found < 0:
            return None
        position = found + len(fragment)
        spans.append((found, position))
    return spans


def _locate(quote: str, text: str) -> list[tuple[int, int]] | None:
    fragments = _fragments(quote)
    if sum(len(f) for f in fragments) < MIN_QUOTE_CHARS:
        return None
    return _spans(fragments, _haystack(text))


def quote_in_text(quote: str, text: str) -> bool:
    """True if the quote (possibly with "..." elisions) occurs in the text, in order."""
    return _locate(quote, text) is not None


@lru_cache(maxsize=16)
def _planted(text: str) -> tuple[tuple[int, int], ...]:
    """Where the sentences of `text` that address a model lie in its comparison form.

    Only a text the guard flags is split; like the guard, only its first SCAN_CHARS count.
    """
    if find_injection(text) is None:
        return ()
    haystack = _haystack(text)
    spans = []
    for sentence in split_sentences(text[:SCAN_CHARS]):
        if find_injection(sentence):
            needle = normalize(sentence)
            at = haystack.find(needle)
            while needle and at >= 0:
                spans.append((at, at + len(needle)))
                at = haystack.find(needle, at + 1)
    return tuple(spans)


def quote_verifies(quote: str, text: str) -> bool:
    """The rule behind `verified`: the quote is in the text, and neither it nor the passage
    it comes from is addressed to a model."""
    spans = _locate(quote, text)
    if spans is None or find_injection(quote):
        return False
    planted = _planted(text)
    return not any(a < d and c < b for a, b in spans for c, d in planted)


def verify_point(point: KeyPoint, docs: dict[int, EvidenceDoc]) -> KeyPoint:
    doc = docs.get(point.evidence_id)
    ok = doc is not None and quote_verifies(point.quote, doc.text)
    return point.model_copy(update={"verified": ok})


def verify_summary(
    summary: EvidenceSummary, evidence_docs: Iterable[EvidenceDoc]
) -> EvidenceSummary:
    """Recompute every `verified` flag from scratch; points are kept whatever the outcome."""
    docs = {doc.id: doc for doc in evidence_docs}
    points = [verify_point(point, docs) for point in summary.key_points]
    return summary.model_copy(update={"key_points": points})
