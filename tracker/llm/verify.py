"""Quote checks: a key point counts as evidence only if its quote really is in the cited item.

Matching is verbatim up to presentation: Unicode NFKC, curly vs straight quote marks, dash
variants, invisible characters, case and runs of whitespace. **Verified means one contiguous
span** of the cited item. A quote that elides text with "..." can be made to say the opposite
of its source ("protests alone ... bring down the system" from "protests alone will not bring
down the system"), so it is never verified: it is `elided`, and the check returns the source's
own words in order, the omitted ones marked, with flags when an omitted part holds a negation
or a number. A quote drawn from a passage the item addresses to an AI model
(`guard.find_injection`) is planted text, not reporting, and does not count either. Anything
else is `unverified`, never dropped: the UI shows it as an unverified claim, not as fact.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from tracker.llm.extract import split_sentences
from tracker.llm.guard import SCAN_CHARS, find_injection
from tracker.llm.schema import EvidenceDoc, EvidenceSummary, KeyPoint, QuoteSegment, QuoteStatus

MIN_QUOTE_CHARS = 12
"""Shorter quotes ("Yes.", "the deal") would be found almost anywhere and prove nothing."""
MAX_OMISSION_SHOWN = 240
"""An omitted stretch longer than this is shown by its two ends around a character count."""
_MAX_ALIGNMENTS = 64

_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−⁃﹘﹣－", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", None),
    }
)
_SPACE = re.compile(r"\s+")
_EDGE = "\"' \t\n.,;:[]()"
_ELLIPSIS = re.compile(r"\.\.\.+")
_NEGATION = re.compile(
    r"\b(not|no|never|neither|nor|none|nothing|nobody|nowhere|without|cannot|hardly|unlikely|"
    r"impossible)\b|n't\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|thousand|million|billion|dozens?|half|percent)\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text.translate(_TRANSLATE))
    return folded.translate(_TRANSLATE).casefold()


def normalize(text: str) -> str:
    """The comparison form of a text (never shown): NFKC, plain marks, casefolded, one space."""
    return _SPACE.sub(" ", _fold(text)).strip()


@lru_cache(maxsize=16)
def _haystack(text: str) -> str:
    """Normalised evidence texts are reused across a summary's points (str hashes are cached)."""
    return normalize(text)


@dataclass(frozen=True, slots=True)
class QuoteCheck:
    """What the verifier found for one quote in one text."""

    status: QuoteStatus
    segments: tuple[QuoteSegment, ...] = ()
    """For an elided quote: the source's words from the first quoted word to the last, in
    order, each marked quoted or omitted (taken from the source text, not from the model)."""
    omits_negation: bool = False
    omits_number: bool = False
    reason: str = ""

    @property
    def verified(self) -> bool:
        return self.status == "verified"


def _fragments(quote: str) -> list[str]:
    parts = (p.strip(_EDGE) for p in _ELLIPSIS.split(normalize(quote)))
    return [p for p in parts if p]


def _align(fragments: list[str], haystack: str) -> list[tuple[int, int]] | None:
    """Where the fragments occur in order; of the first-fit alignments starting at each
    occurrence of the first fragment, the tightest (the reading that omits least)."""
    best: list[tuple[int, int]] | None = None
    start = haystack.find(fragments[0])
    tries = 0
    while start >= 0 and tries < _MAX_ALIGNMENTS:
        tries += 1
        spans, position = [(start, start + len(fragments[0]))], start + len(fragments[0])
        for fragment in fragments[1:]:
            found = haystack.find(fragment, position)
            if found < 0:
                return best  # later starts cannot fit either
            position = found + len(fragment)
            spans.append((found, position))
        if best is None or spans[-1][1] - spans[0][0] < best[-1][1] - best[0][0]:
            best = spans
        start = haystack.find(fragments[0], start + 1)
    return best


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


def check_quote(quote: str, text: str) -> QuoteCheck:
    """The rule behind the badges (see the module docstring)."""
    fragments = _fragments(quote)
    if sum(len(f) for f in fragments) < MIN_QUOTE_CHARS:
        return QuoteCheck("unverified", reason="too short to check")
    haystack = _haystack(text)
    spans = _align(fragments, haystack)
    if spans is None:
        return QuoteCheck("unverified", reason="not found in the source")
    if find_injection(quote) or any(a < d and c < b for a, b in spans for c, d in _planted(text)):
        return QuoteCheck("unverified", reason="comes from text addressed to an AI model")
    if len(spans) == 1:
        return QuoteCheck("verified")
    segments = _segments(text, haystack, spans)
    omitted = " ".join(s.text for s in segments if s.omitted)
    return QuoteCheck(
        "elided",
        segments=segments,
        omits_negation=bool(_NEGATION.search(omitted)),
        omits_number=bool(_NUMBER.search(omitted)),
        reason="words were left out between the quoted parts",
    )


def _segments(text: str, haystack: str, spans: list[tuple[int, int]]) -> tuple[QuoteSegment, ...]:
    """The source between the first and last quoted character, split into quoted and omitted
    runs, in the source's own spelling where the offsets map back (else its comparison form)."""
    bounds: list[tuple[int, int, bool]] = []
    for i, (a, b) in enumerate(spans):
        bounds.append((a, b, False))
        if i + 1 < len(spans) and spans[i + 1][0] > b:
            bounds.append((b, spans[i + 1][0], True))
    source, offsets = _comparison_offsets(text)
    if source != haystack:  # a rare text whose per-character form differs: show that form
        pieces = [(haystack[a:b], omitted) for a, b, omitted in bounds]
    else:
        stops = [*offsets, len(text)]
        pieces = [(text[stops[a] : stops[b]], omitted) for a, b, omitted in bounds]
    return tuple(
        QuoteSegment(text=_shorten(piece) if omitted else piece.strip(), omitted=omitted)
        for piece, omitted in pieces
        if piece.strip()
    )


def _comparison_offsets(text: str) -> tuple[str, list[int]]:
    """`normalize(text)` built character by character, with the source index of each output
    character (a whitespace run maps to where it starts)."""
    out: list[str] = []
    where: list[int] = []
    space_at = -1
    for i, ch in enumerate(text):
        for c in _fold(ch):
            if c.isspace():
                if space_at < 0:
                    space_at = i
                continue
            if space_at >= 0 and out:
                out.append(" ")
                where.append(space_at)
            space_at = -1
            out.append(c)
            where.append(i)
    return "".join(out), where


def _shorten(text: str) -> str:
    text = text.strip()
    if len(text) <= MAX_OMISSION_SHOWN:
        return text
    head, tail = text[: MAX_OMISSION_SHOWN * 2 // 3], text[-MAX_OMISSION_SHOWN // 3 :]
    hidden = len(text) - len(head) - len(tail)
    return f"{head.rstrip()} [… {hidden:,} more characters …] {tail.lstrip()}"


def quote_in_text(quote: str, text: str) -> bool:
    """True if the quote occurs in the text, contiguously or as "..."-separated fragments in
    order (found is not verified: see `check_quote`)."""
    fragments = _fragments(quote)
    if sum(len(f) for f in fragments) < MIN_QUOTE_CHARS:
        return False
    return _align(fragments, _haystack(text)) is not None


def quote_verifies(quote: str, text: str) -> bool:
    """One contiguous span of the text, not drawn from a passage addressed to a model."""
    return check_quote(quote, text).verified


def verify_point(point: KeyPoint, docs: dict[int, EvidenceDoc]) -> KeyPoint:
    doc = docs.get(point.evidence_id)
    if doc is None:
        check = QuoteCheck("unverified", reason="cites an item that is not linked")
    else:
        check = check_quote(point.quote, doc.text)
    return point.model_copy(
        update={
            "verified": check.verified,
            "quote_status": check.status,
            "quote_segments": list(check.segments),
            "omits_negation": check.omits_negation,
            "omits_number": check.omits_number,
        }
    )


def verify_summary(
    summary: EvidenceSummary, evidence_docs: Iterable[EvidenceDoc]
) -> EvidenceSummary:
    """Recompute every quote's status from scratch; points are kept whatever the outcome."""
    docs = {doc.id: doc for doc in evidence_docs}
    points = [verify_point(point, docs) for point in summary.key_points]
    return summary.model_copy(update={"key_points": points})
