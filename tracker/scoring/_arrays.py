"""Small array tools shared by the timeline code: grouped running sums and fast sorts.

Sorting is the engine's main cost. ``np.sort`` of int64 uses SIMD sorting networks and is
several times faster than ``np.argsort``, so orderings are computed by sorting keys that pack
(major key, rank) into one int64 and reading the rank back out of the low bits.
"""

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def segmented_cumsum(values: npt.NDArray, lengths: npt.NDArray[np.int64]) -> npt.NDArray:
    """Inclusive running sum along axis 0 that restarts at each segment; ``lengths`` tile it.

    Restarting (instead of differencing one global running sum) keeps float error at the scale
    of one segment's total rather than the whole array's.
    """
    out = np.array(values, copy=True)
    if out.size == 0:
        return out
    lengths = np.asarray(lengths, dtype=np.int64)
    starts = (np.cumsum(lengths) - lengths)[lengths > 0]
    if starts.size > 1:
        totals = np.add.reduceat(out, starts)
        out[starts[1:]] -= totals[:-1]
    return np.cumsum(out, axis=0)


def with_next(tied: IntArray) -> IntArray:
    """``tied`` (ascending indices) and each one's successor, ascending and once each: the
    rows of runs of ties. `np.union1d` gives the same, but imports `numpy.ma` on first use."""
    both = np.concatenate([tied, tied + 1])
    both.sort()
    return both[np.concatenate([[True], both[1:] != both[:-1]])] if both.size else both


def _bits(n: int) -> int:
    return max(int(n).bit_length(), 1)


def rank_of(values: npt.NDArray) -> tuple[IntArray, npt.NDArray]:
    """A permutation giving each value's position in ascending order, and the values in that
    order. Integer ties go by index (packed sort); float ties in no particular order."""
    n = values.size
    if values.dtype.kind in "iu" and n:
        low = int(values.min())
        shift = _bits(n - 1)
        if _bits(int(values.max()) - low) + shift <= 62:
            keys = np.sort(((values.astype(np.int64) - low) << shift) | np.arange(n))
            rank = np.empty(n, dtype=np.int64)
            rank[keys & ((1 << shift) - 1)] = np.arange(n)
            return rank, (keys >> shift) + low
    order = np.argsort(values, kind="stable" if values.dtype.kind in "iu" else None)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank, values[order]


def order_by_rank(major: IntArray, rank: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Indices sorting by ``major`` (non-negative ints) then ``rank`` (a permutation of
    0..n−1), with ``major`` and ``rank`` in that order (read off the sorted keys for free)."""
    n = rank.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    shift = _bits(n - 1)
    if _bits(int(major.max())) + shift > 62:
        order = np.lexsort((rank, major))
        return order, major[order], rank[order]
    by_rank = np.empty(n, dtype=np.int64)
    by_rank[rank] = np.arange(n)
    keys = np.sort((major.astype(np.int64) << shift) | rank)
    sorted_rank = keys & ((1 << shift) - 1)
    return by_rank[sorted_rank], keys >> shift, sorted_rank
