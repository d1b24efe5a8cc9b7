"""Which open questions an evidence item bears on: BM25 weights (bm25s) scored per passage.

A forecaster links an agency round-up to the protests question because of one sentence about
protests, so an item is scored as a whole *and* per passage (windows of two sentences), and
each question takes its best unit.

**The question side.** Each question is indexed with bm25s twice: its *core* (title and its
`keywords`, the key terms and synonyms an admin or the drafting model wrote into the question
record) and its full text (core, description, resolution criteria). bm25s gives every
(term, question) pair a weight; a question's weight for a term is the core weight, or
`FULL_WEIGHT` × the full-text weight if higher. Its *norm* Z_q is the sum of its `NORM_TERMS`
largest weights: a question is fully covered by an item that covers that many of its most
distinctive terms, however many synonyms its keywords list.

**The item side.** A unit (the whole item, or one passage) with L tokens covers term t with
u(t) = c / (c + 0.5 · max(1, L / 30)) where c counts t in the unit (one mention in a short
passage gives 0.67; in a 300-token article one passing mention gives 0.17):

    score(unit, q) = min(1, Σ_t u(t) · w(t, q) / Z_q)

**Anchors.** A question's anchors are the names in it (capitalised words of its title and
keywords: Iran, Hezbollah, Brent, IAEA — not months). Only an item that names at least one of
them somewhere can link: a football "strike" or a French pensions protest never reaches an
Iran question, whatever its words.

**The link rule** (`QuestionMatcher.links`): q links if some unit scores ≥ `threshold` for q
and at least `relative` × that unit's best score for any question (a passage about the
nuclear deal bears on several deal questions; only those close to its best are linked). The
link keeps the unit's text as its passage.

Tokens: NFKC, lower-case words of two or more characters; "U.S.", "US", "USA" and "United
States" become "usa", country demonyms their country ("Iranian" → "iran"); a stopword list
(bm25s' plus common function words); then PyStemmer's Snowball English stemmer (a pip
package, no download). Items are cut to their first `MAX_QUERY_CHARS` characters and
`MAX_PASSAGES` passages. Scoring is vectorised (numpy bincount over postings).
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

FULL_WEIGHT = 0.2
NORM_TERMS = 3
QUERY_SATURATION = 0.5
REFERENCE_LENGTH = 30.0
DEFAULT_THRESHOLD = 0.45
DEFAULT_RELATIVE = 0.6
ONE_NAME_SHORT = 0.5
MAX_QUERY_CHARS = 50_000
MAX_PASSAGES = 400
PASSAGE_SENTENCES = 2
_BATCH = 16
"""Items scored together (their units share one vectorised pass)."""

_WORD = re.compile(r"\w\w+")
_NAME_RUN = re.compile(r"(?<![\w'’])[A-Z][\w'’-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’-]*)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-Z0-9])|\s*\n\s*")
# bm25s' list is Lucene's 33 words; add common function words (not "us": the country).
_EXTRA_STOPWORDS = """
    i me my we our ours you your he him his she her its them what which who whom whose
    when where why how am were been being have has had having do does did doing can could
    would should may might must shall from about after before over under between against
    during than all any both each few more most other some nor only own same so too very
    just also said says here out up down off again further once because while until those
    whether within without per via us will say told tell"""
_STOPWORDS = frozenset(STOPWORDS_EN) | frozenset(_EXTRA_STOPWORDS.split())
_NOT_ANCHORS = frozenset((
    "will", "what", "which", "who", "when", "how", "whether", "would", "the", "a", "an", "if",
    "by", "before", "after", "between", "on", "in", "january", "february", "march", "april",
    "may", "june", "july", "august", "september", "october", "november", "december", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "of", "the",
))  # fmt: skip
_US = re.compile(r"\bU\.S\.(?:A\.)?|\bUSA?\b|\bUnited States\b")  # before "us" is lower-cased
_DEMONYMS = {
    "iranian": "iran", "iranians": "iran", "israeli": "israel", "israelis": "israel",
    "lebanese": "lebanon", "american": "usa", "americans": "usa", "saudi": "saudi",
    "saudis": "saudi", "emirati": "emirates", "emiratis": "emirates", "qatari": "qatar",
    "omani": "oman", "kuwaiti": "kuwait", "bahraini": "bahrain", "iraqi": "iraq",
    "iraqis": "iraq", "syrian": "syria", "yemeni": "yemen", "russian": "russia",
    "chinese": "china", "turkish": "turkey", "egyptian": "egypt", "jordanian": "jordan",
    "palestinian": "palestine", "palestinians": "palestine", "european": "europe",
    "british": "britain", "french": "france", "german": "germany",
}  # fmt: skip
_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A lower-cased word's index form: its country for a demonym, else its Snowball stem."""
    return _DEMONYMS.get(word) or _STEMMER.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stopword-free, stemmed word tokens."""
    text = _US.sub(" usa ", unicodedata.normalize("NFKC", text))
    return [stem(w) for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS]


def anchor_phrases(
    title: str, keywords: Sequence[str] = ()
) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """The names in a question, as token sequences: (all names, the title's own names).

    Title names are its runs of capitalised words ("Gulf Cooperation Council", "Iran", "US"),
    leaving out the first word, months and question words; keyword names are the keywords
    that start with a capital ("Tehran", "Saudi Arabia", "Supreme Leader")."""
    title = _US.sub(" USA ", unicodedata.normalize("NFKC", title)).strip()
    title = title.split(None, 1)[1] if " " in title else ""
    own = set()
    for run in _NAME_RUN.finditer(title):
        words = [w for w in run.group().split() if w.casefold() not in _NOT_ANCHORS]
        if tokens := tuple(tokenize(" ".join(words))):
            own.add(tokens)
    names = set(own)
    for keyword in keywords:
        if keyword[:1].isupper() and (tokens := tuple(tokenize(_US.sub(" USA ", keyword)))):
            names.add(tokens)
    return frozenset(names), frozenset(own)


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            bounds.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds


def passages(text: str, size: int = PASSAGE_SENTENCES) -> list[str]:
    """Windows of `size` consecutive sentences (or lines), as exact slices of the text."""
    return _units(text, size)[0][1:] or ([text.strip()] if text.strip() else [])


def _units(text: str, size: int = PASSAGE_SENTENCES) -> tuple[list[str], list[list[str]]]:
    """An item's scored units, the whole item first, then its passages (none when it has
    `size` sentences or fewer), with their tokens; each sentence is tokenised once."""
    text = text[:MAX_QUERY_CHARS]
    bounds = _sentence_bounds(text)
    sentence_tokens = [tokenize(text[a:b]) for a, b in bounds]
    texts, tokens = [text], [[t for ts in sentence_tokens for t in ts]]
    for i in range(min(len(bounds) - size + 1, MAX_PASSAGES) if len(bounds) > size else 0):
        texts.append(text[bounds[i][0] : bounds[i + size - 1][1]].strip())
        tokens.append([t for ts in sentence_tokens[i : i + size] for t in ts])
    return texts, tokens


@dataclass(frozen=True)
class QuestionTerms:
    """What a question is matched on."""

    id: str
    title: str
    text: str = ""
    """Description and resolution criteria."""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    question_id: str
    score: float
    passage: str = ""
    """The passage of the item that scored best for the question ("" when it was the whole
    item)."""


def _postings(corpus: list[list[str]], k1: float, b: float) -> dict[str, dict[int, float]]:
    """bm25s weights w(t, q) of one field: term → {question index: weight}."""
    if not any(corpus):
        return {}
    retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
    retriever.index(corpus, show_progress=False)
    # bm25s keeps w(t, q) as a CSC matrix (its documented on-disk format): term t has
    # questions indices[indptr[t]:indptr[t + 1]] with weights data[same slice].
    scores = retriever.scores
    indptr, docs, data = scores["indptr"], scores["indices"], scores["data"]
    return {
        tok: dict(zip(docs[indptr[tid] : indptr[tid + 1]].tolist(),
                      data[indptr[tid] : indptr[tid + 1]].tolist(), strict=True))
        for tok, tid in retriever.vocab_dict.items()
        if tok
    }  # fmt: skip


class _Weights:
    """w(t, q) for every term as postings (CSC layout), and each question's norm Z_q."""

    def __init__(self, postings: dict[str, dict[int, float]], n: int, norm_terms: int) -> None:
        self.n = n
        self.vocab = {t: i for i, t in enumerate(sorted(postings))}
        lengths = [len(postings[t]) for t in sorted(postings)]
        self.indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.docs = np.fromiter(
            (q for t in sorted(postings) for q in postings[t]), np.int64, self.indptr[-1]
        )
        self.weights = np.fromiter(
            (w for t in sorted(postings) for w in postings[t].values()), np.float64, self.indptr[-1]
        )
        self.norm = np.ones(n)
        if self.docs.size:
            order = np.lexsort((-self.weights, self.docs))
            docs, weights = self.docs[order], self.weights[order]
            first = np.searchsorted(docs, docs, side="left")
            rank = np.arange(docs.size) - first
            top = np.bincount(docs[rank < norm_terms], weights[rank < norm_terms], minlength=n)
            self.norm = np.where(top > 0, top, 1.0)

    def score(self, token_lists: list[list[str]], saturation: float, reference: float):
        """Normalised scores (texts × questions) of tokenised texts, capped at 1."""
        out_shape = (len(token_lists), self.n)
        rows, terms, counts, sats = [], [], [], []
        for row, tokens in enumerate(token_lists):
            ids = [tid for tok in tokens if (tid := self.vocab.get(tok)) is not None]
            if ids:
                uniq, cnt = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
                rows.append(np.full(uniq.size, row, dtype=np.int64))
                terms.append(uniq)
                counts.append(cnt)
                sats.append(np.full(uniq.size, saturation * max(1.0, len(tokens) / reference)))
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
        return np.minimum(1.0, raw.reshape(out_shape) / self.norm)


class QuestionMatcher:
    """Built once from the open questions; scores items against all of them at once.

    Questions are `QuestionTerms`, or (id, text) pairs whose first non-empty line is the title.
    """

    def __init__(
        self,
        questions: Sequence[QuestionTerms | tuple[str, str]],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        full_weight: float = FULL_WEIGHT,
        norm_terms: int = NORM_TERMS,
        query_saturation: float = QUERY_SATURATION,
        reference_length: float = REFERENCE_LENGTH,
    ) -> None:
        terms = [q if isinstance(q, QuestionTerms) else _from_pair(*q) for q in questions]
        self.question_ids = [q.id for q in terms]
        if len(set(self.question_ids)) != len(self.question_ids):
            raise ValueError("question ids must be unique")
        self._saturation = query_saturation
        self._reference = reference_length
        cores = [tokenize("\n".join([q.title, q.title, *q.keywords])) for q in terms]
        fulls = [core + tokenize(q.text) for core, q in zip(cores, terms, strict=True)]
        merged = _postings(cores, k1, b)
        for term, found in _postings(fulls, k1, b).items():
            mine = merged.setdefault(term, {})
            for qi, weight in found.items():
                mine[qi] = max(mine.get(qi, 0.0), full_weight * weight)
        self._weights = _Weights(merged, len(terms), norm_terms)
        self._phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._need = np.zeros(len(terms), dtype=np.int64)
        for qi, q in enumerate(terms):
            names, own = anchor_phrases(q.title, q.keywords)
            for phrase in names:
                self._phrases.setdefault(phrase[0], []).append((phrase, qi))
            self._need[qi] = min(2, len(own)) if own else min(1, len(names))

    def __len__(self) -> int:
        return len(self.question_ids)

    # --- scoring ------------------------------------------------------------------------------

    def _unit_scores(self, token_lists: list[list[str]]) -> np.ndarray:
        """Scores (units × questions) of tokenised units, each in [0, 1]."""
        return self._weights.score(token_lists, self._saturation, self._reference)

    def _anchored(self, token_lists: Sequence[list[str]]) -> np.ndarray:
        """How far each (item, question) pair may link: 1 if the item names as many of the
        question's names as it has parties (two for "US–Iran", one for "Iran"), a reduced
        factor for one name short, 0 for none."""
        found = np.zeros((len(token_lists), len(self.question_ids)), dtype=np.int64)
        for item, tokens in enumerate(token_lists):
            seen: set[tuple[tuple[str, ...], int]] = set()
            for at, token in enumerate(tokens):
                for phrase, qi in self._phrases.get(token, ()):
                    if (phrase, qi) not in seen and tuple(tokens[at : at + len(phrase)]) == phrase:
                        seen.add((phrase, qi))
                        found[item, qi] += 1
        short = np.where(found > 0, ONE_NAME_SHORT, 0.0)
        return np.where(found >= self._need, 1.0, short)

    def _scored(self, texts: Sequence[str]) -> Iterator[tuple[list[str], np.ndarray]]:
        """Per item: its units' texts and their scores (units × questions), a batch at a time
        so memory stays bounded by the batch, not by the input."""
        for start in range(0, len(texts), _BATCH):
            units = [_units(text) for text in texts[start : start + _BATCH]]
            flat = [tokens for _, unit_tokens in units for tokens in unit_tokens]
            scores = self._unit_scores(flat)
            gates = self._anchored([unit_tokens[0] for _, unit_tokens in units])
            row = 0
            for item, (unit_texts, _) in enumerate(units):
                block = scores[row : row + len(unit_texts)] * gates[item]
                row += len(unit_texts)
                yield unit_texts, block

    def scores(self, texts: Iterable[str]) -> np.ndarray:
        """Best-unit scores, shape (number of texts, number of questions), in [0, 1]."""
        texts = list(texts)
        out = np.zeros((len(texts), len(self.question_ids)))
        for item, (_, block) in enumerate(self._scored(texts)):
            out[item] = block.max(axis=0)
        return out

    # --- linking ------------------------------------------------------------------------------

    def links_many(
        self,
        texts: Iterable[str],
        threshold: float = DEFAULT_THRESHOLD,
        relative: float = DEFAULT_RELATIVE,
        max_links: int | None = None,
        margin: float = 0.0,
    ) -> list[list[Match]]:
        """For each text, the questions it links (see the module docstring), best first.

        `margin` > 0 also returns candidates down to `threshold - margin` (for a second
        opinion on borderline ones); the caller tells them apart by their score.
        """
        out = []
        floor = threshold - margin
        for unit_texts, block in self._scored(list(texts)):
            best: dict[int, tuple[float, int]] = {}
            tops = block.max(axis=1)
            for row in range(len(unit_texts)):
                cut = max(floor, relative * tops[row])
                for qi in np.flatnonzero((block[row] >= cut) & (block[row] > 0)):
                    score = float(block[row, qi])
                    if qi not in best or score > best[qi][0]:
                        best[int(qi)] = (score, row)
            ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:max_links]
            out.append(
                [
                    Match(self.question_ids[qi], s, unit_texts[row] if row else "")
                    for qi, (s, row) in ranked
                ]
            )
        return out

    def links(self, text: str, **options: float) -> list[Match]:
        return self.links_many([text], **options)[0]

    # --- ranking (whole-item view, for tests and benchmarks) ----------------------------------

    def rank(self, text: str, top_k: int | None = None) -> list[tuple[str, float]]:
        """Questions with a positive score, best first (at most `top_k`)."""
        return self._ranked(self.scores([text])[0], top_k)

    def rank_many(
        self, texts: Iterable[str], top_k: int | None = None
    ) -> list[list[tuple[str, float]]]:
        return [self._ranked(row, top_k) for row in self.scores(texts)]

    def match(self, text: str, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[str, float]]:
        """The questions `links` would link, as (id, score) pairs."""
        return [(m.question_id, m.score) for m in self.links(text, threshold=threshold)]

    def match_many(
        self, texts: Iterable[str], threshold: float = DEFAULT_THRESHOLD
    ) -> list[list[tuple[str, float]]]:
        return [
            [(m.question_id, m.score) for m in row]
            for row in self.links_many(texts, threshold=threshold)
        ]

    def _ranked(self, row: np.ndarray, top_k: int | None) -> list[tuple[str, float]]:
        positive = np.flatnonzero(row > 0)
        order = positive[np.argsort(-row[positive], kind="stable")]
        if top_k is not None:
            order = order[:top_k]
        return [(self.question_ids[i], float(row[i])) for i in order]


def _from_pair(question_id: str, text: str) -> QuestionTerms:
    lines = text.split("\n")
    index = next((i for i, ln in enumerate(lines) if ln.strip()), 0)
    return QuestionTerms(question_id, lines[index] if lines else "", "\n".join(lines[index + 1 :]))


def question_text(title: str, description: str = "", resolution_criteria: str = "") -> str:
    """A question as one text (title on the first line), for the (id, text) form."""
    return "\n".join([title, description, resolution_criteria])
