"""Benchmark: the near-duplicate index, datasketch's MinHashLSH (tracker.evidence.dedup) against
the numpy linear scan it replaced (kept below as `LinearScanIndex`), in the same run.

    python bench/dedup.py [--sizes 10000 200000] [--words 300] [--queries 1000]

Prints figures only (no pass/fail). Each size builds that many synthetic news-like stories
(Zipf-distributed vocabulary), then queries with near copies of stored stories (one sentence
rewritten, as wire services do) and with fresh unrelated stories. Both indexes use the same
stored signature scheme, so the signatures are computed once and timed on their own.

Rates:
- insert from text: `add(key, text)`, signature included (what a brand-new item costs);
- insert from a stored signature: `add(key, signature=blob)`; the evidence service builds a
  fresh index this way from every stored `minhash` blob at each ingest, so N / this rate is
  the per-ingest cost of today's service at N items;
- query: `query(text)` and `query(signature=...)` against the full index.
"""

import argparse
import gc
import os
import re
import time
import unicodedata
import zlib
from collections.abc import Iterable

import numpy as np

from tracker.evidence.dedup import NearDuplicateIndex

# ------------------------------------------------------------------ the reference (old code)

_WORD = re.compile(r"\w+")
_SHIFT = np.uint64(32)
_EMPTY = np.uint32(0xFFFFFFFF)
_POSITION_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)
_BLOCK = 4096


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _shingle_hashes(text: str, k: int = 5) -> np.ndarray:
    tokens = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in _words(text)), dtype=np.uint64)
    if tokens.size == 0:
        return np.empty(0, dtype=np.uint64)
    k = min(k, tokens.size)
    n = tokens.size - k + 1
    with np.errstate(over="ignore"):
        combined = np.zeros(n, dtype=np.uint64)
        for i in range(k):
            combined += tokens[i : i + n] * _POSITION_MULTIPLIERS[i]
        combined ^= combined >> np.uint64(29)
        combined *= _POSITION_MULTIPLIERS[0]
    return np.unique(combined >> np.uint64(32))


class LinearScanIndex:
    """The index before datasketch (tracker/evidence/dedup.py up to the rooms branch): every
    query compares with every stored signature in one vectorised step."""

    def __init__(
        self,
        *,
        threshold: float = 0.8,
        num_perm: int = 128,
        shingle_size: int = 5,
        seed: int = 20260206,
    ) -> None:
        rng = np.random.default_rng(seed)
        self._a = rng.integers(0, 1 << 64, size=num_perm, dtype=np.uint64, endpoint=False)
        self._b = rng.integers(0, 1 << 64, size=num_perm, dtype=np.uint64, endpoint=False)
        self._a = (self._a | np.uint64(1))[:, None]
        self._b = self._b[:, None]
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.scheme = f"minhash-v1/k{shingle_size}/p{num_perm}/s{seed}"
        self._keys: list[str] = []
        self._sigs = np.empty((64, num_perm), dtype=np.uint32)
        self._empty = np.empty(64, dtype=bool)

    def __len__(self) -> int:
        return len(self._keys)

    def signature(self, text: str) -> np.ndarray:
        shingles = _shingle_hashes(text, self.shingle_size)
        sig = np.full(self.num_perm, _EMPTY, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, shingles.size, _BLOCK):
                block = shingles[None, start : start + _BLOCK]
                hashed = (self._a * block + self._b) >> _SHIFT
                np.minimum(sig, hashed.min(axis=1), out=sig)
        return sig.astype(np.uint32)

    def add(self, key: str, text: str | None = None, *, signature: np.ndarray | None = None):
        sig = self._coerce(text, signature)
        n = len(self._keys)
        if n == self._sigs.shape[0]:
            self._sigs = np.resize(self._sigs, (2 * n, self.num_perm))
            self._empty = np.resize(self._empty, 2 * n)
        self._sigs[n] = sig
        self._empty[n] = bool(np.all(sig == _EMPTY))
        self._keys.append(key)

    def query(self, text=None, *, signature=None, threshold=None) -> list[tuple[str, float]]:
        sig = self._coerce(text, signature)
        n = len(self._keys)
        if n == 0 or np.all(sig == _EMPTY):
            return []
        limit = self.threshold if threshold is None else threshold
        similarity = np.count_nonzero(self._sigs[:n] == sig, axis=1) / self.num_perm
        similarity[self._empty[:n]] = 0.0
        hits = np.flatnonzero(similarity >= limit)
        hits = hits[np.argsort(-similarity[hits], kind="stable")]
        return [(self._keys[i], float(similarity[i])) for i in hits]

    def _coerce(self, text, signature) -> np.ndarray:
        if signature is None:
            if text is None:
                raise ValueError("give a text or a signature")
            return self.signature(text)
        return np.asarray(signature, dtype=np.uint32)


# ------------------------------------------------------------------ synthetic stories


def story_sentences(vocab: np.ndarray, words: int, rng: np.random.Generator) -> list[str]:
    ranks = np.minimum(rng.zipf(1.2, size=words), len(vocab)) - 1
    drawn = vocab[ranks]
    out, i = [], 0
    while i < words:
        n = int(rng.integers(8, 25))
        out.append(" ".join(drawn[i : i + n]).capitalize() + ".")
        i += n
    return out


def build(size: int, words: int, queries: int) -> tuple[list[str], list[str], list[int], list[str]]:
    """Stored stories, near copies of `queries` of them (with the index they copy), and as many
    fresh unrelated stories."""
    rng = np.random.default_rng(size)
    syllables = np.array(["ka", "lo", "mi", "ra", "tu", "ne", "so", "vi", "da", "pe", "zu", "ha"])
    vocab = np.unique(
        ["".join(rng.choice(syllables, size=int(n))) for n in rng.integers(2, 6, size=60_000)]
    )
    rng.shuffle(vocab)
    stored_sentences = [story_sentences(vocab, words, rng) for _ in range(size)]
    stored = [" ".join(s) for s in stored_sentences]
    sources = [int(i) for i in rng.choice(size, size=queries, replace=False)]
    copies = []
    for i in sources:
        sentences = list(stored_sentences[i])
        changed = int(rng.integers(len(sentences)))
        sentences[changed] = story_sentences(vocab, len(sentences[changed].split()), rng)[0]
        copies.append(" ".join(sentences))
    fresh = [" ".join(story_sentences(vocab, words, rng)) for _ in range(queries)]
    return stored, copies, sources, fresh


# ------------------------------------------------------------------ measuring


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f}/s"


def fill(index, texts: list[str], signatures: np.ndarray, from_text: int) -> tuple[float, float]:
    """Insert the first `from_text` items from their text and the rest from stored signatures
    (as np.frombuffer of the blob, like the service); returns the two durations."""
    t0 = time.perf_counter()
    for i in range(from_text):
        index.add(str(i), texts[i])
    t1 = time.perf_counter()
    for i in range(from_text, len(texts)):
        index.add(str(i), signature=np.frombuffer(signatures[i].tobytes(), dtype=np.uint32))
    return t1 - t0, time.perf_counter() - t1


def timed_queries(index, texts: Iterable[str]) -> tuple[list[list[tuple[str, float]]], float]:
    texts = list(texts)
    t0 = time.perf_counter()
    found = [index.query(text) for text in texts]
    return found, time.perf_counter() - t0


def run(size: int, words: int, queries: int) -> None:
    t0 = time.perf_counter()
    stored, copies, sources, fresh = build(size, words, queries)
    print(
        f"\n== {size:,} stored stories of {words} words; {queries} near copies and "
        f"{queries} unrelated stories as queries (built in {time.perf_counter() - t0:.0f} s)"
    )
    reference = LinearScanIndex()
    t0 = time.perf_counter()
    signatures = np.stack([reference.signature(t) for t in stored])
    elapsed = time.perf_counter() - t0
    print(f"  signatures (the same stored scheme in both): {rate(size, elapsed)}")
    copy_sigs = [reference.signature(t) for t in copies]
    from_text = min(size, 5_000)
    results = {}
    for name, make in (
        ("linear scan (old)", LinearScanIndex),
        ("datasketch LSH (new)", NearDuplicateIndex),
    ):
        gc.collect()
        before = rss_mb()
        index = make()
        text_s, sig_s = fill(index, stored, signatures, from_text)
        memory = rss_mb() - before
        near, near_s = timed_queries(index, copies)
        other, other_s = timed_queries(index, fresh)
        t0 = time.perf_counter()
        for sig in copy_sigs:
            index.query(signature=sig)
        sig_query_s = time.perf_counter() - t0
        found = sum(bool(f) and f[0][0] == str(i) for f, i in zip(near, sources, strict=True))
        false = sum(bool(f) for f in other)
        print(f"  {name}")
        print(f"    insert from text ({from_text:,}):           {rate(from_text, text_s)}")
        if size > from_text:
            rest = size - from_text
            print(
                f"    insert from a stored signature ({rest:,}): {rate(rest, sig_s)}"
                f"  (a fresh index of {size:,}: {size * sig_s / rest:.1f} s)"
            )
        print(f"    query, near copies (text):            {rate(queries, near_s)}")
        print(f"    query, unrelated stories (text):      {rate(queries, other_s)}")
        print(f"    query with a precomputed signature:   {rate(queries, sig_query_s)}")
        print(f"    memory of the filled index:           {memory:10,.0f} MB (RSS growth)")
        print(
            f"    near copies found (source first):     {found}/{queries}; "
            f"unrelated stories matched: {false}/{queries}"
        )
        results[name] = near + other
        del index
    old, new = results.values()
    same = sum(a == b for a, b in zip(old, new, strict=True))
    print(f"  identical results (keys and scores), new vs old: {same}/{len(old)} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--words", type=int, default=300, help="words per story")
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.words, args.queries)


if __name__ == "__main__":
    main()
