"""Near-duplicate detection: word 5-gram shingles, MinHash signatures, and datasketch's
`MinHashLSH` to find the stored items that may be near duplicates without comparing with all.

Wire services and feeds republish the same story with a changed sentence or a new headline;
those copies should be linked to the first one instead of inflating the evidence list. Exact
copies are caught by `content_hash`; this catches the rest. The estimated Jaccard similarity of
shingle sets is the fraction of equal signature slots; ≥ 0.8 means near duplicate.

Signatures are deterministic across processes (CRC32 token hashes, seeded permutations), so
they can be stored (`signature(text).tobytes()`, the `minhash` column) and reloaded with
`add(key, signature=...)` as long as `scheme` is unchanged.
"""

import re
import unicodedata
import zlib
from collections.abc import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

_WORD = re.compile(r"\w+")
_SHIFT = np.uint64(32)
_EMPTY = np.uint32(0xFFFFFFFF)
# Odd 64-bit multipliers combining the k token hashes of a shingle (positions matter).
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
_BLOCK = 4096  # shingles hashed per step, bounds memory for long texts
# An item at exactly the threshold is missed by the LSH bands at most this often.
_MAX_MISS = 1e-4
# datasketch asks which of its permutation schemes made a sketch's values, so that an index
# never mixes schemes. Ours are our own uint32 values (see `scheme`), laid out like its
# "affine32"; this index only ever holds sketches of our own signatures.
_SKETCH_LAYOUT = "affine32"


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingle_hashes(text: str, k: int = 5) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word k-grams (the whole text if shorter than k).

    Our own: datasketch hashes the items it is given; turning text into shingles is ours."""
    if not 1 <= k <= len(_POSITION_MULTIPLIERS):
        raise ValueError(f"shingle size must be between 1 and {len(_POSITION_MULTIPLIERS)}")
    tokens = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words(text)), dtype=np.uint64)
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


def near_duplicate_score(a: str, b: str, *, shingle_size: int = 5) -> float:
    """Exact Jaccard similarity of the two texts' shingle sets (0..1)."""
    sa, sb = shingle_hashes(a, shingle_size), shingle_hashes(b, shingle_size)
    if sa.size == 0 or sb.size == 0:
        return 0.0
    inter = np.intersect1d(sa, sb, assume_unique=True).size
    return inter / (sa.size + sb.size - inter)


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) for `MinHashLSH`: the longest bands that still miss an item at
    exactly the threshold at most `_MAX_MISS` of the time (a candidate is then checked on its
    whole signature, so false candidates cost a comparison, missed ones a duplicate)."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if (1 - threshold**rows) ** bands <= _MAX_MISS:
            return bands, rows
    return num_perm, 1


class NearDuplicateIndex:
    """MinHash signatures of stored texts; `query` finds those with estimated Jaccard ≥ threshold.

    Candidates come from datasketch's `MinHashLSH` (banded signatures, so a query looks at the
    items sharing a band, not at all of them); each candidate is then compared on its whole
    signature (a query with a `threshold` below the index's compares with every item). Not
    thread-safe for concurrent `add`; build one per process or guard it with a lock.
    """

    def __init__(
        self,
        *,
        threshold: float = 0.8,
        num_perm: int = 128,
        shingle_size: int = 5,
        seed: int = 20260206,
    ) -> None:
        rng = np.random.default_rng(seed)
        # Our own signature scheme (the stored `minhash` blobs are in it): multiply-add-shift
        # hashing of 32-bit keys, h(x) = ((a·x + b) mod 2**64) >> 32 with random 64-bit a, b,
        # is strongly universal (Dietzfelbinger 1996); numpy wraps mod 2**64.
        self._a = rng.integers(0, 1 << 64, size=num_perm, dtype=np.uint64, endpoint=False)
        self._b = rng.integers(0, 1 << 64, size=num_perm, dtype=np.uint64, endpoint=False)
        self._a = (self._a | np.uint64(1))[:, None]
        self._b = self._b[:, None]
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.seed = seed
        self.scheme = f"minhash-v1/k{shingle_size}/p{num_perm}/s{seed}"
        self._lsh = MinHashLSH(num_perm=num_perm, params=lsh_bands(threshold, num_perm))
        self._sketches: dict[str, LeanMinHash] = {}
        self._order: dict[str, int] = {}  # insertion order, to break ties like a stable sort
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def signature(self, text: str) -> np.ndarray:
        """The MinHash signature (uint32[num_perm]); all 0xFFFFFFFF for a text without words.

        Our own rather than datasketch's `MinHash.update_batch`: its values differ, and the
        stored signatures of every existing item are in this scheme."""
        shingles = shingle_hashes(text, self.shingle_size)
        sig = np.full(self.num_perm, _EMPTY, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, shingles.size, _BLOCK):
                block = shingles[None, start : start + _BLOCK]
                hashed = (self._a * block + self._b) >> _SHIFT
                np.minimum(sig, hashed.min(axis=1), out=sig)
        return sig.astype(np.uint32)

    def add(
        self, key: str, text: str | None = None, *, signature: np.ndarray | None = None
    ) -> None:
        """Store a text (or its precomputed signature) under `key` (again: its last one counts)."""
        sig = self._coerce(text, signature)
        self._count += 1
        if np.all(sig == _EMPTY):
            return  # a text without words is never anyone's near duplicate
        sketch = self._sketch(sig)
        self._sketches[key] = sketch
        self._order.setdefault(key, self._count)
        self._lsh.insert(key, sketch, check_duplication=False)

    def add_many(self, items: Iterable[tuple[str, str]]) -> None:
        for key, text in items:
            self.add(key, text)

    def query(
        self,
        text: str | None = None,
        *,
        signature: np.ndarray | None = None,
        threshold: float | None = None,
    ) -> list[tuple[str, float]]:
        """Stored keys whose estimated Jaccard with the text is ≥ threshold, best first."""
        sig = self._coerce(text, signature)
        if not self._sketches or np.all(sig == _EMPTY):
            return []
        limit = self.threshold if threshold is None else threshold
        sketch = self._sketch(sig)
        # The bands are built for the index's threshold; a lower one compares with every item.
        keys = self._lsh.query(sketch) if limit >= self.threshold else self._sketches
        scored = [(key, self._sketches[key].jaccard(sketch)) for key in keys]
        hits = [(key, float(score)) for key, score in scored if score >= limit]
        hits.sort(key=lambda hit: (-hit[1], self._order[hit[0]]))
        return hits

    def best_match(self, text: str) -> tuple[str, float] | None:
        """The most similar stored item at or above the threshold, if any."""
        found = self.query(text)
        return found[0] if found else None

    def _sketch(self, sig: np.ndarray) -> LeanMinHash:
        return LeanMinHash(seed=self.seed, hashvalues=sig, scheme=_SKETCH_LAYOUT)

    def _coerce(self, text: str | None, signature: np.ndarray | None) -> np.ndarray:
        if signature is None:
            if text is None:
                raise ValueError("give a text or a signature")
            return self.signature(text)
        sig = np.asarray(signature, dtype=np.uint32)
        if sig.shape != (self.num_perm,):
            raise ValueError(f"a signature must have {self.num_perm} values for {self.scheme}")
        return sig
