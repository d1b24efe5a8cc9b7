"""Quote checks: a key point counts as evidence only if its quote really is in the cited item.

Matching is verbatim up to presentation: Unicode NFKC, curly vs straight quote marks, dash
variants, invisible characters, case and runs of whitespace. A quote may elide text with "..."
(each fragment must then appear, in order). Anything else is marked unverified, never dropped:
the UI shows it as an unverified claim, not as fact.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

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


def quote_in_text(quote: str, text: str) -> bool:
    """True if the quote (possibly with "..." elisions) occurs in the text, in order."""
    fragments = _fragments(quote)
    if sum(len(f) for f in fragments) < MIN_QUOTE_CHARS:
        return False
    haystack = _haystack(text)
    position = 0
    for fragment in fragments:
        found = haystack.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def verify_point(point: KeyPoint, docs: dict[int, EvidenceDoc]) -> KeyPoint:
    doc = docs.get(point.evidence_id)
    ok = doc is not None and quote_in_text(point.quote, doc.text)
    return point.model_copy(update={"verified": ok})


def verify_summary(
    summary: EvidenceSummary, evidence_docs: Iterable[EvidenceDoc]
) -> EvidenceSummary:
    """Recompute every `verified` flag from scratch; points are kept whatever the outcome."""
    docs = {doc.id: doc for doc in evidence_docs}
    points = [verify_point(point, docs) for point in summary.key_points]
    return summary.model_copy(update={"key_points": points})
