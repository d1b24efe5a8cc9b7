"""The forecasts of a document as arrays, checked column by column instead of row by row.

`forecast_arrays` accepts exactly what the row checks in `tracker.scoring.document` accept and
builds the same arrays; when any column check fails it raises `NotPlain` and the caller runs
the row checks, which find the first offending row and name it with the usual message. Rows in
a form the columns do not cover (a binary `probability`, keys in another order, a time with an
offset) are read one at a time by the row functions, so they cost only themselves.
"""

import math
from collections.abc import Callable
from itertools import chain, repeat
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
#: "YYYY-MM-DDTHH:MM:SSZ": positions of the digits and the separators that must be there.
_ISO_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 19: "Z"}
_ISO_DIGITS = [i for i in range(20) if i not in _ISO_SEPARATORS]
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


class NotPlain(Exception):
    """Some row fails a check: let the row checks find it and name it."""


def forecast_arrays(
    forecasts: list[Any],
    index: dict[str, int],
    options_of: list[list[str]],
    width: int,
    *,
    row_probabilities: Callable[[Any, list[str]], list[float]],
    row_time: Callable[[Any], int],
) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.float64], list[str]]:
    """(question, user, time, probs, users) of forecasts parsed as plain dicts, or `NotPlain`."""
    if any(type(f) is not dict for f in forecasts):
        raise NotPlain
    return column_arrays(
        [f.get("question_id") for f in forecasts],
        [f.get("user") for f in forecasts],
        [f.get("time") for f in forecasts],
        [f.get("probabilities") for f in forecasts],
        index,
        options_of,
        width,
        row_probabilities=lambda i, options: row_probabilities(forecasts[i], options),
        row_time=row_time,
    )


def column_arrays(
    qids: list[Any],
    names: list[Any],
    times: list[Any],
    given: list[Any],
    index: dict[str, int],
    options_of: list[list[str]],
    width: int,
    *,
    row_probabilities: Callable[[int, list[str]], list[float]],
    row_time: Callable[[Any], int],
    floats: bool = False,
    vectors: Callable[[IntArray], npt.NDArray[np.float64]] | None = None,
) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.float64], list[str]]:
    """The arrays from the forecasts' columns (``given``: each one's `probabilities`, None when
    absent); ``row_probabilities(i, options)`` reads forecast i in any other form. ``floats``:
    the parser already made every probability a float (msgspec's typed decoding).
    ``vectors(question_of_each_row)``: the probability matrix, for `given` in another form
    than dicts."""
    n = len(qids)
    try:
        q = np.fromiter(map(index.get, qids, repeat(-1, n)), np.int64, n)
        distinct = set(names)
    except TypeError:  # an unhashable id or name
        raise NotPlain from None
    if (n and q.min() < 0) or "" in distinct or not set(map(type, distinct)) <= {str}:
        raise NotPlain
    users = sorted(distinct)
    number = {u: j for j, u in enumerate(users)}
    fu = np.fromiter(map(number.__getitem__, names), np.int64, n)
    if vectors is not None:
        probs = vectors(q)
    else:
        probs = _probabilities(given, q, options_of, width, row_probabilities, floats)
    ft = iso_seconds(times, row_time)
    return q, fu, ft, probs, users


def _probabilities(
    given: list[Any],
    q: IntArray,
    options_of: list[list[str]],
    width: int,
    row_probabilities: Callable[[int, list[str]], list[float]],
    floats: bool = False,
) -> npt.NDArray[np.float64]:
    """Rows whose `probabilities` name every option in order are checked as one flat array
    (types, range, finiteness, sum within tolerance: then divided by their `math.fsum`, as the
    row check does); the others go through the row check one by one. The keys of every row
    are compared with the options in one list comparison, row by row only when that fails."""
    from tracker.scoring.document import SUM_TOLERANCE

    labels = [tuple(o) for o in options_of]
    sizes = np.array([len(o) for o in options_of], dtype=np.int64)
    q_list = q.tolist()
    if (
        set(map(type, given)) == {dict}
        and np.array_equal(np.fromiter(map(len, given), np.int64, len(given)), sizes[q])
        and list(chain.from_iterable(given))
        == list(chain.from_iterable(map(labels.__getitem__, q_list)))
    ):  # every row's keys are its question's options in order (same sizes, same sequence)
        plain = np.ones(len(given), dtype=bool)
        vectors = given
    else:
        expected = map(labels.__getitem__, q_list)
        plain = np.fromiter(
            (type(g) is dict and tuple(g) == e for g, e in zip(given, expected, strict=True)),
            bool,
            len(given),
        )
        vectors = [given[i] for i in np.flatnonzero(plain).tolist()]
    rows = np.flatnonzero(plain)
    counts = sizes[q[rows]]
    if floats:
        total = int(counts.sum())  # known: numpy fills one buffer instead of growing it
        values = np.fromiter(chain.from_iterable(map(dict.values, vectors)), np.float64, total)
    else:
        flat = list(chain.from_iterable(map(dict.values, vectors)))
        if not set(map(type, flat)) <= {float, int}:  # bools, strings, null: the row check says
            raise NotPlain
        try:
            values = np.array(flat, dtype=np.float64)
        except OverflowError:  # an integer too large for a float
            raise NotPlain from None
    if not (np.isfinite(values).all() and (values >= 0.0).all() and (values <= 1.0).all()):
        raise NotPlain
    matrix = np.zeros((len(vectors), max(width, 1)))
    starts = np.cumsum(counts) - counts
    columns = np.arange(values.size) - np.repeat(starts, counts)
    matrix[np.repeat(np.arange(len(vectors)), counts), columns] = values
    totals = exact_row_sums(matrix)
    if np.any(np.abs(totals - 1.0) > SUM_TOLERANCE):
        raise NotPlain
    probs = np.zeros((len(given), width))
    probs[rows] = matrix[:, :width] / totals[:, None]  # padding stays 0
    for i in np.flatnonzero(~plain).tolist():
        row = row_probabilities(i, options_of[q[i]])
        probs[i, : len(row)] = row
    return probs


def exact_row_sums(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`math.fsum` of each row (non-negative, finite values), correctly rounded, as arrays."""
    return exact_column_sums(np.ascontiguousarray(matrix.T))


def exact_column_sums(columns: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`math.fsum` of each column of a (terms, rows) array of non-negative, finite values.

    Neumaier's compensated sum with exact two-sum errors; the result r and its exact residual
    e (r + e = s + c) bound the true sum S within |S − r − e| ≤ w²·2⁻¹⁰⁰·r. r is S correctly
    rounded when that interval lies strictly inside r's rounding interval; the rare row where
    it does not (S at or next to a midpoint, common for sums next to 1) gets `math.fsum`,
    unless it has at most two non-zero terms (a binary forecast's p + (1 − p) is often on a
    midpoint): r is then their one IEEE addition, rounded half-even as `math.fsum` rounds."""
    w, n = columns.shape
    if n == 0:
        return np.zeros(0)
    s = columns[0].copy()
    c = np.zeros(n)
    for x in columns[1:]:
        t = s + x
        back = t - s
        c += (s - (t - back)) + (x - back)
        s = t
    r = s + c
    back = r - s
    e = (s - (r - back)) + (c - back)
    bound = (w * w) * 2.0**-100 * r
    below = (r - np.nextafter(r, -np.inf)) / 2
    above = (np.nextafter(r, np.inf) - r) / 2
    doubtful = np.flatnonzero(~((e - bound > -below) & (e + bound < above)))
    if doubtful.size:
        terms = columns[:, doubtful]
        wide = np.count_nonzero(terms, axis=0) > 2
        r[doubtful[wide]] = np.fromiter(map(math.fsum, terms[:, wide].T.tolist()), np.float64)
    return r


def iso_seconds(times: list[Any], row_time: Callable[[Any], int]) -> IntArray:
    """Unix seconds of "YYYY-MM-DDTHH:MM:SSZ" strings, decoded digit by digit as arrays
    (a calendar date and a time of day, as `datetime.fromisoformat` requires); a value in any
    other form is handed to ``row_time``, which raises `NotPlain` if it is no time at all."""
    n = len(times)
    out = np.zeros(n, dtype=np.int64)
    if not n:
        return out
    try:
        ascii_ = "".join(times).encode("utf-8") if set(map(len, times)) == {20} else None
    except TypeError:  # a value that is not a string (`len` or `join` refuses it)
        ascii_ = None
    if ascii_ is None or len(ascii_) != 20 * n:  # not all 20 ASCII characters: one by one
        out[:] = [row_time(t) for t in times]
        return out
    codes = np.frombuffer(ascii_, dtype=np.uint8).reshape(n, 20)
    valid = np.all(codes[:, _ISO_DIGITS] - np.uint8(ord("0")) <= 9, axis=1)  # wraps below "0"
    for at, sep in _ISO_SEPARATORS.items():
        valid &= codes[:, at] == ord(sep)

    def number(first: int, last: int) -> IntArray:
        value = np.zeros(n, dtype=np.int64)
        for at in range(first, last + 1):
            value = value * 10 + (codes[:, at] - ord("0"))
        return value

    year, month, day = number(0, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    days_in = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    valid &= (year >= 1) & month_ok & (day >= 1) & (day <= days_in)
    valid &= (hour <= 23) & (minute <= 59) & (second <= 59)
    days = _days_from_civil(year, month, day)
    out[:] = days * 86_400 + hour * 3600 + minute * 60 + second
    for i in np.flatnonzero(~valid).tolist():
        out[i] = row_time(times[i])
    return out


def _days_from_civil(year: IntArray, month: IntArray, day: IntArray) -> IntArray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
