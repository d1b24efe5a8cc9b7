"""Plain-text hygiene shared by every ingest path: cleaning, hashing, sentence splitting.

Evidence text is shown to people, quoted by an LLM and checked verbatim, so it is cleaned
once at ingest: invisible characters that can hide or reorder text (bidi overrides, zero-width
characters, Unicode "tag" characters used to smuggle instructions) are removed rather than
stored. Zero-width (non-)joiners U+200C/U+200D are kept: Persian, Indic scripts and emoji
need them.
"""

import hashlib
import re
import unicodedata

MAX_CHARS = 200_000
TRUNCATION_MARKER = "[… text truncated]"

_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# C0/C1 controls except tab and newline; soft hyphen; Arabic letter mark; Mongolian vowel
# separator; zero-width space; LRM/RLM; bidi embeddings, overrides and isolates; word joiner
# and invisible operators; BOM; interlinear annotations; tag characters; lone surrogates.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff]"
)
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)
_BLANK_RUNS = re.compile(r"\n{3,}")


def clean_text(text: str, *, max_chars: int = MAX_CHARS) -> str:
    """Normalise newlines and Unicode (NFC), drop invisible/control characters, collapse
    runs of blank lines and cap the length, ending a cut text with `TRUNCATION_MARKER`."""
    truncated = len(text) > 4 * max_chars + 1024  # don't spend time cleaning what we drop
    if truncated:
        text = text[: 4 * max_chars + 1024]
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _BLANK_RUNS.sub("\n\n", text).strip()
    if truncated or len(text) > max_chars:
        text = _truncate(text, max_chars)
    return text


def _truncate(text: str, max_chars: int) -> str:
    suffix = "\n\n" + TRUNCATION_MARKER
    keep = max(0, max_chars - len(suffix))
    cut = text[:keep]
    space = cut.rfind(" ", max(0, keep - 200))  # end on a word boundary when one is near
    if space > 0 and not text[keep : keep + 1].isspace():
        cut = cut[:space]
    return cut.rstrip() + suffix


_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "−": "-",
    }
)
_WHITESPACE = re.compile(r"\s+")


def normalise_for_hash(text: str) -> str:
    """The form `content_hash` digests: NFKC, case-folded, quotes/dashes and whitespace unified."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = text.casefold().translate(_QUOTES)
    return _WHITESPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """sha256 hex of `normalise_for_hash(text)`: copies differing only in layout, case or
    quote style get the same hash (64 characters, fits `EvidenceItem.content_hash`)."""
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()


# --- sentences --------------------------------------------------------------------------------

_ABBREVIATION_LIST = """
    mr mrs ms dr prof sen rep gov gen col lt maj capt sgt adm cmdr st jr sr rev hon pres
    inc ltd co corp llc plc bros dept univ assn est approx vs etc al fig no nos vol pp ed eds
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    e.g i.e u.s u.k u.n e.u u.s.a a.m p.m ph.d d.c"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_LIST.split())
_TERMINATOR = re.compile(r"[.!?…؟。！？]+[\"'”’»)\]]*")
_WIDE_STOPS = frozenset("。！？")
_LINE_END = re.compile(r"[.!?…؟。！？:;\"'”’»)\]]$")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences: stops at . ! ? … (and Arabic/CJK stops) followed by a
    non-lower-case start, not after common abbreviations ("Mr.", "U.S.") or initials; a line
    break ends a sentence unless the next line continues it in lower case (hard-wrapped text).
    """
    sentences: list[str] = []
    for block in _logical_lines(text):
        start = 0
        for match in _TERMINATOR.finditer(block):
            end = match.end()
            nxt = block[end : end + 2]
            wide = match.group()[0] in _WIDE_STOPS
            if not wide and not nxt[:1].isspace():
                continue  # "3.5", "e.g.x", "U.S." followed by more letters
            following = nxt.strip()[:1]
            if following and following.islower():
                continue
            if match.group().startswith(".") and _is_abbreviation(block[start : match.start()]):
                continue
            piece = block[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
        piece = block[start:].strip()
        if piece:
            sentences.append(piece)
    return sentences


def _is_abbreviation(before: str) -> bool:
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = word.lstrip("(\"'“‘").lower()
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS


def _logical_lines(text: str) -> list[str]:
    """Join hard-wrapped lines (next line starts lower-case, previous has no end mark)."""
    lines = [line.strip() for line in _NEWLINES.sub("\n", text).split("\n")]
    joined: list[str] = []
    for line in lines:
        if not line:
            joined.append("")
            continue
        prev = joined[-1] if joined else ""
        if prev and line[0].islower() and not _LINE_END.search(prev):
            joined[-1] = f"{prev} {line}"
        else:
            joined.append(line)
    return [line for line in joined if line]
