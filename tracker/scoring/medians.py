"""Daily medians of the active forecasters' Brier scores, for every question-day at once.

Each forecast that stands for at least one scored day is a *segment*: a value (its Brier score)
covering days [start, stop). The median of day D is an order statistic of the segments covering
D. Materialising every (day, forecaster) cell costs days × forecasters per question, which grows
with the team rather than with the number of forecasts, so instead:

1. rank each question's segments by value and cut the ranks into ``blocks`` equal blocks;
2. count, for every block and question-day row, the segments covering that day (a difference
   array over the rows, summed along them);
3. a running count over the blocks, binary-searched, says which block holds the k-th smallest
   value active that day;
4. scan just that block's few ranks for the k-th segment covering the day.

The work is O(rows × blocks + rows × ranks per block) with no Python loop over days or
forecasts (only over the ~log2(blocks) steps of the binary search).
"""

import numpy as np
import numpy.typing as npt

from tracker.scoring._arrays import order_by_rank, rank_of

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def daily_medians(
    seg_question: IntArray,
    seg_start: IntArray,
    seg_stop: IntArray,
    seg_value: FloatArray,
    first_day: IntArray,
    n_days: IntArray,
    blocks: int | None = None,
) -> FloatArray:
    """Median of the values covering each scored day; NaN on days nobody covers.

    Rows are laid out question by question: question q owns ``n_days[q]`` rows for the days
    ``first_day[q]`` onwards. Segments must lie within their question's days (start < stop).
    """
    n_days = np.asarray(n_days, dtype=np.int64)
    n_rows = int(n_days.sum())
    medians = np.full(n_rows, np.nan)
    if n_rows == 0 or seg_question.size == 0:
        return medians
    row_off = np.cumsum(n_days) - n_days

    order, q, _ = order_by_rank(seg_question, rank_of(seg_value)[0])
    start, stop, value = seg_start[order], seg_stop[order], seg_value[order]
    seg_count = np.bincount(q, minlength=n_days.size)
    seg_off = np.cumsum(seg_count) - seg_count
    h = blocks or _block_count(seg_count, n_days)
    width = np.maximum(1, -(-seg_count // h))
    block = (np.arange(q.size) - seg_off[q]) // width[q]

    base = row_off[q] - first_day[q]
    upto = _coverage_upto_block(block, base + start, base + stop, n_rows, h)
    active = upto[-1].astype(np.int64)

    rows = np.flatnonzero(active > 0)
    k = (active[rows] - 1) // 2
    blk, j = _find_block(upto, rows, k)
    row_q = np.repeat(np.arange(n_days.size), n_days)
    day = first_day[row_q] + (np.arange(n_rows) - row_off[row_q])
    in_block = (upto[blk, rows] - upto[blk - 1, rows] * (blk > 0)).astype(np.int64)
    even = active[rows] % 2 == 0
    same = even & (j + 1 < in_block)

    def scan(r: IntArray, b: IntArray, jj: IntArray, pair: npt.NDArray[np.bool_]) -> tuple:
        qq = row_q[r]
        return _kth_in_block(
            first=seg_off[qq] + b * width[qq],
            size=np.minimum(width[qq], seg_count[qq] - b * width[qq]),
            k=jj,
            with_next=pair,
            day=day[r],
            start=start,
            stop=stop,
        )

    low, next_low = scan(rows, blk, j, same)
    medians[rows] = value[low]
    both = rows[same]
    medians[both] = 0.5 * (medians[both] + value[next_low])
    apart = np.flatnonzero(even & ~same)
    if apart.size:
        r = rows[apart]
        blk2, j2 = _find_block(upto, r, k[apart] + 1)
        high, _ = scan(r, blk2, j2, np.zeros(r.size, dtype=bool))
        medians[r] = 0.5 * (medians[r] + value[high])
    return medians


def _block_count(seg_count: IntArray, n_days: IntArray) -> int:
    """Blocks per question balancing the grid (rows × blocks) against the scan (rows × width)."""
    busy = seg_count > 0
    typical = float(np.average(seg_count[busy], weights=n_days[busy])) if busy.any() else 1.0
    return int(np.clip(2 ** round(np.log2(max(np.sqrt(2.0 * typical), 1.0))), 4, 128))


def _coverage_upto_block(
    block: IntArray, open_row: IntArray, close_row: IntArray, n_rows: int, h: int
) -> FloatArray:
    """upto[b, row]: segments of blocks ≤ b covering the row's day (whole numbers as floats,
    which keeps this, the largest array, to a single allocation).

    A segment ending with its question adds its −1 to the next question's first row (or the
    spare last row), so one running sum over all rows needs no per-question restart.
    """
    span = n_rows + 1
    cell = block * span
    events = np.concatenate((cell + open_row, cell + close_row))
    signs = np.repeat([1.0, -1.0], block.size)
    grid = np.bincount(events, weights=signs, minlength=h * span).reshape(h, span)
    np.cumsum(grid, axis=1, out=grid)
    np.cumsum(grid, axis=0, out=grid)  # small integers: exact in float64
    return grid[:, :n_rows]


def _find_block(upto: FloatArray, rows: IntArray, k: IntArray) -> tuple[IntArray, IntArray]:
    """First block whose running count passes k (binary search), and k's place inside it."""
    lo = np.zeros(rows.size, dtype=np.int64)
    hi = np.full(rows.size, upto.shape[0] - 1, dtype=np.int64)
    for _ in range(int(upto.shape[0]).bit_length()):
        mid = (lo + hi) // 2
        right = upto[mid, rows] <= k
        lo = np.where(right, mid + 1, lo)
        hi = np.where(right, hi, mid)
    before = np.where(lo > 0, upto[np.maximum(lo - 1, 0), rows], 0.0)
    return lo, k - before.astype(np.int64)


def _kth_in_block(
    first: IntArray,
    size: IntArray,
    k: IntArray,
    with_next: npt.NDArray[np.bool_],
    day: IntArray,
    start: IntArray,
    stop: IntArray,
) -> tuple[IntArray, IntArray]:
    """Per query: the k-th (0-based) segment covering ``day`` among ranks first..first+size−1,
    and for queries flagged ``with_next`` the (k+1)-th as well."""
    offset = np.cumsum(size) - size
    idx = np.arange(int(size.sum())) + np.repeat(first - offset, size)
    d = np.repeat(day, size)
    covers = (start[idx] <= d) & (d < stop[idx])
    running = np.cumsum(covers)
    target = np.where(offset > 0, running[np.maximum(offset - 1, 0)], 0) + k + 1
    kth = idx[np.flatnonzero(covers & (running == np.repeat(target, size)))]
    second = np.repeat(np.where(with_next, target + 1, -1), size)
    return kth, idx[np.flatnonzero(covers & (running == second))]
