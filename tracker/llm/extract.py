"""Text mechanics for the extractive engine: sentences as exact slices, tokens, BM25.

Sentences are always verbatim slices of the source, so a quote built from one is found again by
the verifier. Ranking is plain BM25 over the sentences of one request (numpy, deterministic).
"""

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

MIN_SENTENCE_CHARS = 25
MAX_QUOTE_CHARS = 400
BM25_K1, BM25_B = 1.5, 0.75

_STOPWORDS_TEXT = (
    "a an and are as at be been by for from has have he her his how in is it its of on or "
    "that the their this to was were will with would which who what when where why not no "
    "yes does did do than then there these those they them we you i our your if any all "
    "before after by between into over under during more most such only other can could "
    "may might shall should must question resolve resolves resolved resolution criteria"
)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_ABBREVIATIONS_TEXT = (
    "mr mrs ms dr st sen rep gov gen lt col sgt prof jr sr inc ltd co corp vs etc no fig "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.g i.e"
)
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
_BREAK = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+(?![a-z])|\s*\n\s*")
_WORD = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """Lower-cased content words with a crude plural strip: enough for ranking, not for display."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return [
        w[:-1] if len(w) > 4 and w[-1] == "s" and w[-2] != "s" else w  # "strikes" -> "strike"
        for w in words
        if len(w) > 1 and w not in _STOPWORDS
    ]


def split_sentences(text: str) -> list[str]:
    """Sentences (and lines) as exact, stripped slices of `text`; long runs are cut in pieces."""
    pieces, start = [], 0
    for match in _BREAK.finditer(text):
        is_stop = bool(match.group().strip())
        before = text[max(start, match.start() - 12) : match.start()].rsplit(None, 1)
        if is_stop and before and before[-1].lower().rstrip(".") in _ABBREVIATIONS:
            continue  # "Mr. Smith", "the U.S. Senate": not a sentence end
        pieces.extend(_chunks(text[start : match.end() if is_stop else match.start()]))
        start = match.end()
    pieces.extend(_chunks(text[start:]))
    return [p for p in pieces if len(p) >= MIN_SENTENCE_CHARS]


def _chunks(sentence: str) -> list[str]:
    """A stripped sentence, or consecutive word-aligned pieces of one that is too long to quote."""
    sentence = sentence.strip()
    out = []
    while len(sentence) > MAX_QUOTE_CHARS:
        cut = sentence.rfind(" ", MAX_QUOTE_CHARS // 2, MAX_QUOTE_CHARS)
        cut = cut if cut > 0 else MAX_QUOTE_CHARS
        out.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    out.append(sentence)
    return out


def bm25(token_lists: Sequence[Sequence[str]], weights: dict[str, float]) -> np.ndarray:
    """BM25 score of each token list against weighted query terms (rounded: stable ties)."""
    terms = sorted(weights)
    if not token_lists or not terms:
        return np.zeros(len(token_lists))
    column = {t: j for j, t in enumerate(terms)}
    tf = np.zeros((len(token_lists), len(terms)))
    lengths = np.array([max(len(tokens), 1) for tokens in token_lists], dtype=float)
    for i, tokens in enumerate(token_lists):
        for token in tokens:
            j = column.get(token)
            if j is not None:
                tf[i, j] += 1.0
    df = (tf > 0).sum(axis=0)
    idf = np.log1p((len(token_lists) - df + 0.5) / (df + 0.5))
    norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / lengths.mean())
    scores = (tf * (BM25_K1 + 1) / (tf + norm[:, None])) @ (idf * [weights[t] for t in terms])
    return np.round(scores, 9)
