"""Which open questions an evidence item bears on: BM25 (bm25s) with questions as documents.

Each question is indexed twice with bm25s: its full text (title repeated `TITLE_REPEAT` times,
description, resolution criteria; see `question_text`) and its title alone. bm25s gives every
(term, question) pair a weight w(t, q) = idf(t) · tf-saturation(t, q). An item's text is the
query; for one field

    coverage(item, q) = Σ_t u(t) · w(t, q) / Σ_t w(t, q)
    u(t) = c / (c + 0.5 · max(1, L / 30))

where c counts term t in the item and L is the item's length in tokens: the share of the
question's BM25 weight that the item covers, each term counted by how much the item dwells on
it relative to its length (in a short item one mention gives 0.67, two 0.8; in a 300-token
article one passing mention gives only 0.17, ten give 0.67; never above 1). The score is
(1 − `TITLE_WEIGHT`) · full coverage + `TITLE_WEIGHT` · title coverage, so it lies in [0, 1)
and means the same for every question and item whatever their lengths: one threshold serves
all. Threshold semantics: 0.15 (`DEFAULT_THRESHOLD`) ≈ the item is about several of the
question's distinctive terms (e.g. Iran + missile + Israel); an item that only shares a word
or two, or mentions the subject in passing, stays below ~0.13; the main story of an item
usually scores 0.2–0.6. On the hand-written set in tests/evidence every relevant
(item, question) pair scored ≥ 0.22 and every unrelated pair ≤ 0.13.

Tokens: lower-cased words of two or more characters ("U.S."/"US" become "usa" first), a
short English stopword list (bm25s' plus common function words), then `light_stem` (plural,
-ing, -ed, -ly and final -e folding; PyStemmer is not installed and nothing is downloaded).
Items are cut to their first `MAX_QUERY_CHARS` characters (headline and lead carry the
subject). Scoring is vectorised over batches of items (numpy bincount over postings).
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

TITLE_REPEAT = 3
TITLE_WEIGHT = 0.5
QUERY_SATURATION = 0.5
REFERENCE_LENGTH = 30.0
DEFAULT_THRESHOLD = 0.15
MAX_QUERY_CHARS = 50_000
_BATCH = 256

_WORD = re.compile(r"\w\w+")
# bm25s' list is Lucene's 33 words; add common function words (not "us": the country).
_EXTRA_STOPWORDS = """
    i me my we our ours you your he him his she her its them what which who whom whose
    when where why how am were been being have has had having do does did doing can could
    would should may might must shall from about after before over under between against
    during than all any both each few more most other some nor only own same so too very
    just also said says here out up down off again further once because while until those
    whether within without per via us"""
_STOPWORDS = frozenset(STOPWORDS_EN) | frozenset(_EXTRA_STOPWORDS.split())
_US = re.compile(r"\bU\.S\.(?:A\.)?|\bUSA?\b")  # the country, before "us" is lower-cased
_VOWELS = frozenset("aeiouy")
_KEEP_DOUBLE = frozenset("lsz")


def question_text(
    title: str,
    description: str = "",
    resolution_criteria: str = "",
    *,
    title_repeat: int = TITLE_REPEAT,
) -> str:
    """The text a question is indexed under: title first (it is also indexed alone) and
    counted `title_repeat` times, then description and resolution criteria."""
    return "\n".join([title] * title_repeat + [description, resolution_criteria])


@lru_cache(maxsize=200_000)
def light_stem(word: str) -> str:
    """A small, deterministic English suffix stripper: "missiles", "missile" → "missil";
    "launches", "launched", "launching" → "launch". Precision is not the goal; consistency is.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    w = word
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "ches", "shes", "xes", "zzes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        stem = w[: -len(suffix)]
        if w.endswith(suffix) and len(stem) >= 3 and _VOWELS & set(stem):
            w = stem
            if w[-1] == w[-2] and w[-1] not in _KEEP_DOUBLE and w[-1] not in _VOWELS:
                w = w[:-1]
            break
    if w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    bare = w.rstrip("e")
    return bare if len(bare) >= 3 else w


def tokenize(text: str, stemmer: Callable[[str], str] = light_stem) -> list[str]:
    """Lower-cased, stopword-free, stemmed word tokens."""
    text = _US.sub(" usa ", unicodedata.normalize("NFKC", text))
    words = _WORD.findall(text.casefold())
    return [stemmer(w) for w in words if w not in _STOPWORDS]


class _WeightIndex:
    """bm25s weights w(t, q) of one field, and each question's total weight Σ_t w(t, q)."""

    def __init__(self, corpus: list[list[str]], k1: float, b: float) -> None:
        self.n = len(corpus)
        self.vocab: dict[str, int] = {}
        self.norm = np.ones(self.n, dtype=np.float64)
        if not any(corpus):
            return
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index(corpus, show_progress=False)
        # bm25s keeps w(t, q) as a CSC matrix (its documented on-disk format): term t has
        # questions indices[indptr[t]:indptr[t + 1]] with weights data[same slice].
        scores = retriever.scores
        self.vocab = {tok: tid for tok, tid in retriever.vocab_dict.items() if tok}
        self.indptr = np.asarray(scores["indptr"], dtype=np.int64)
        self.docs = np.asarray(scores["indices"], dtype=np.int64)
        self.weights = np.asarray(scores["data"], dtype=np.float64)
        total = np.bincount(self.docs, weights=self.weights, minlength=self.n)
        self.norm = np.where(total > 0, total, 1.0)

    def score(
        self, token_lists: list[list[str]], saturation: float, reference_length: float
    ) -> np.ndarray:
        """Normalised scores (texts × questions) of tokenised texts."""
        out_shape = (len(token_lists), self.n)
        rows, terms, counts, sats = [], [], [], []
        for row, tokens in enumerate(token_lists):
            ids = [tid for tok in tokens if (tid := self.vocab.get(tok)) is not None]
            if ids:
                uniq, cnt = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
                rows.append(np.full(uniq.size, row, dtype=np.int64))
                terms.append(uniq)
                counts.append(cnt)
                scale = max(1.0, len(tokens) / reference_length)
                sats.append(np.full(uniq.size, saturation * scale))
        if not rows:
            return np.zeros(out_shape)
        row_ids, term_ids = np.concatenate(rows), np.concatenate(terms)
        c = np.concatenate(counts).astype(np.float64)
        u = c / (c + np.concatenate(sats))
        # Expand each (text, term) pair over the term's postings; sum per (text, question).
        starts = self.indptr[term_ids]
        lengths = self.indptr[term_ids + 1] - starts
        total = int(lengths.sum())
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        flat = np.repeat(row_ids, lengths) * self.n + self.docs[offsets]
        values = np.repeat(u, lengths) * self.weights[offsets]
        raw = np.bincount(flat, weights=values, minlength=out_shape[0] * self.n)
        return raw.reshape(out_shape) / self.norm


class QuestionMatcher:
    """Built once from (question id, question text) pairs; scores items against all of them.

    The first non-empty line of a question text is its title (`question_text` puts it
    there); the score blends full-text and title-only coverage by `title_weight`.
    """

    def __init__(
        self,
        questions: Sequence[tuple[str, str]],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        title_weight: float = TITLE_WEIGHT,
        query_saturation: float = QUERY_SATURATION,
        reference_length: float = REFERENCE_LENGTH,
        stemmer: Callable[[str], str] = light_stem,
    ) -> None:
        self.question_ids = [qid for qid, _ in questions]
        if len(set(self.question_ids)) != len(self.question_ids):
            raise ValueError("question ids must be unique")
        if not 0.0 <= title_weight <= 1.0:
            raise ValueError("title_weight must be between 0 and 1")
        self._stemmer = stemmer
        self._saturation = query_saturation
        self._reference = reference_length
        self._title_weight = title_weight
        self._full = _WeightIndex([tokenize(text, stemmer) for _, text in questions], k1, b)
        titles = [next((ln for ln in t.split("\n") if ln.strip()), "") for _, t in questions]
        self._title = _WeightIndex([tokenize(t, stemmer) for t in titles], k1, b)

    def __len__(self) -> int:
        return len(self.question_ids)

    def scores(self, texts: Iterable[str]) -> np.ndarray:
        """Normalised scores, shape (number of texts, number of questions), in [0, 1)."""
        texts = list(texts)
        out = np.zeros((len(texts), len(self.question_ids)), dtype=np.float64)
        if not self._full.vocab:
            return out
        w = self._title_weight
        for start in range(0, len(texts), _BATCH):
            chunk = texts[start : start + _BATCH]
            tokens = [tokenize(t[:MAX_QUERY_CHARS], self._stemmer) for t in chunk]
            batch = (1 - w) * self._full.score(tokens, self._saturation, self._reference)
            if w:
                batch += w * self._title.score(tokens, self._saturation, self._reference)
            out[start : start + len(tokens)] = batch
        return out

    def rank(self, text: str, top_k: int | None = None) -> list[tuple[str, float]]:
        """Questions with a positive score, best first (at most `top_k`)."""
        return self._ranked(self.scores([text])[0], top_k)

    def rank_many(
        self, texts: Iterable[str], top_k: int | None = None
    ) -> list[list[tuple[str, float]]]:
        """`rank` for many texts at once (vectorised in batches, much faster than a loop)."""
        return [self._ranked(row, top_k) for row in self.scores(texts)]

    def match(self, text: str, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[str, float]]:
        """Questions whose score is ≥ `threshold`, best first."""
        return [(qid, s) for qid, s in self.rank(text) if s >= threshold]

    def match_many(
        self, texts: Iterable[str], threshold: float = DEFAULT_THRESHOLD
    ) -> list[list[tuple[str, float]]]:
        return [[(q, s) for q, s in row if s >= threshold] for row in self.rank_many(texts)]

    def _ranked(self, row: np.ndarray, top_k: int | None) -> list[tuple[str, float]]:
        positive = np.flatnonzero(row > 0)
        order = positive[np.argsort(-row[positive], kind="stable")]
        if top_k is not None:
            order = order[:top_k]
        return [(self.question_ids[i], float(row[i])) for i in order]
