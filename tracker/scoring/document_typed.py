"""The quick way to score a file: decode it straight into typed structs (msgspec).

Most files are plainly valid: every forecast an object with a string `question_id`, `user` and
`time`, numbers for probabilities. msgspec checks those types while it decodes, into structs
that cost far less than dicts; the values are then checked as arrays. When anything is off
(a wrong type, a bad row, not even JSON) `typed_scoring_input` returns None and the caller
takes the general path (`scoring_input_from_document`), whose row checks name the problem: so
a bad file gets exactly the message it always got.

A file whose questions use few option labels between them (Yes/No, lettered options) decodes
each forecast's probabilities into a struct with a float slot per label (`_slot_rows`): no
dict and no key string per row, and the slots read out as one array. Any other file decodes
them as dicts.
"""

import math
from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import Any, Literal, NamedTuple

import msgspec
import numpy as np
import numpy.typing as npt
from msgspec import UNSET, UnsetType

from tracker.gc_pause import collector_paused
from tracker.scoring.document import (
    FORMAT,
    SUM_TOLERANCE,
    DocumentError,
    build_input,
    plain_probabilities,
    plain_time,
    question_columns,
)
from tracker.scoring.document_arrays import (
    IntArray,
    NotPlain,
    column_arrays,
    exact_column_sums,
)
from tracker.scoring.inputs import ScoringInput

#: Up to this many distinct option labels in a file, probabilities decode into label slots
#: (each row then holds a float per label of the whole file: 128 bytes at most).
MAX_LABEL_SLOTS = 16


class _Forecast(msgspec.Struct, gc=False):
    question_id: str
    user: str
    time: str
    probabilities: dict[str, float] | UnsetType = UNSET
    probability: float | UnsetType = UNSET
    hidden: bool = False

    def as_mapping(self) -> dict[str, Any]:
        """The fields the row check reads, present only when the file had them."""
        row: dict[str, Any] = {}
        if self.probabilities is not UNSET:
            row["probabilities"] = self.probabilities
        if self.probability is not UNSET:
            row["probability"] = self.probability
        return row


class _Document(msgspec.Struct):
    format: str
    questions: list[Any] = []
    forecasts: msgspec.Raw = msgspec.Raw(b"[]")  # decoded once the labels are known


_DOCUMENT = msgspec.json.Decoder(_Document)
#: What closes the bytes before a document's `"forecasts"` key into a document of its own.
_HEAD_CLOSING = b'"forecasts": []}'


class _Plan(NamedTuple):
    """How a document's forecasts are read, from its questions."""

    index: dict[str, int]
    options_of: list[list[str]]
    cols: dict[str, Any]
    labels: tuple[str, ...] | None  # None: probabilities as dicts
    row: type[_Forecast]


def _plan(questions: list[Any]) -> _Plan | None:
    """The questions checked (`DocumentError`), and how to read the forecasts on them; None
    for numeric or date questions, whose CDFs the general path reads."""
    index, options_of, cols = question_columns(questions)
    if cols["continuous"]:
        return None
    labels = tuple(dict.fromkeys(chain.from_iterable(options_of)))
    if not index or len(labels) > MAX_LABEL_SLOTS:
        return _Plan(index, options_of, cols, None, _Forecast)
    return _Plan(index, options_of, cols, labels, _slot_row(tuple(index), labels))


def _slot_row(ids: tuple[str, ...], labels: tuple[str, ...]) -> type[_Forecast]:
    """A forecast row whose `question_id` is one of ``ids`` (decoded as that very string: no
    new string per row, its hash already known) and whose `probabilities` are a struct with a
    slot per label (NaN: not given). An unknown id or label fails the decoding."""
    names = [f"p{j}" for j in range(len(labels))]
    slots = msgspec.defstruct(
        "_Slots",
        [(name, float, math.nan) for name in names],
        rename=dict(zip(names, labels, strict=True)),
        forbid_unknown_fields=True,
        gc=False,
    )
    return msgspec.defstruct(
        "_SlotForecast",
        [
            ("question_id", Literal[ids]),
            ("user", str),
            ("time", str),
            ("probabilities", slots | UnsetType, UNSET),
            ("probability", float | UnsetType, UNSET),
            ("hidden", bool, False),
        ],
        bases=(_Forecast,),
        gc=False,
    )


def typed_scoring_input(raw: bytes, keep: list[Any] | None = None) -> ScoringInput | None:
    """The file's `ScoringInput`, or None when it is not plainly valid (see the module).
    ``keep``: where the decoded rows are put rather than freed, for a process that exits
    right after (freeing a million rows object by object takes a twentieth of the run)."""
    with collector_paused():
        return _typed(raw, [] if keep is None else keep)


def _typed(raw: bytes, keep: list[Any]) -> ScoringInput | None:
    try:
        read = _in_one_pass(raw) or _in_two_passes(raw)
        if read is None:
            return None
        plan, forecasts = read
        keep.append(forecasts)
        arrays = _columns(forecasts, plan.index, plan.options_of, plan.labels)
    except (DocumentError, NotPlain, msgspec.DecodeError):
        return None
    return build_input(plan.index, plan.options_of, plan.cols, arrays)


def _in_one_pass(raw: bytes) -> tuple[_Plan, list[Any]] | None:
    """The plan and the rows from one decoding of the file, the questions being read first
    from the bytes before the first `"forecasts"` key (where an exported file has them);
    None when that guess fails or is not confirmed by the whole document's questions."""
    at = raw.find(b'"forecasts"')
    try:
        head = _DOCUMENT.decode(raw[:at] + _HEAD_CLOSING) if at > 0 else None
        plan = _plan(head.questions) if head is not None and head.format == FORMAT else None
        if plan is None:
            return None
        document = msgspec.defstruct(
            "_TypedDocument",
            [("format", str), ("questions", list[Any], []), ("forecasts", list[plan.row], [])],
        )
        doc = msgspec.json.decode(raw, type=document)
    except (msgspec.DecodeError, DocumentError):  # not so plain: the two passes tell
        return None
    if doc.format != FORMAT or doc.questions != head.questions:
        return None
    return plan, doc.forecasts


def _in_two_passes(raw: bytes) -> tuple[_Plan, list[Any]] | None:
    """The plan from the document's questions, then the rows decoded by it."""
    try:
        doc = _DOCUMENT.decode(raw)
    except msgspec.DecodeError:  # also a wrong type (ValidationError)
        return None
    plan = _plan(doc.questions) if doc.format == FORMAT else None
    if plan is None:
        return None
    return plan, msgspec.json.decode(doc.forecasts, type=list[plan.row])


def _columns(
    forecasts: list[_Forecast],
    index: dict[str, int],
    options_of: list[list[str]],
    labels: tuple[str, ...] | None,
) -> tuple[Any, Any, Any, Any, list[str]]:
    """The (question, user, time, probs, users) arrays of the rows not hidden."""
    if any(map(attrgetter("hidden"), forecasts)):
        forecasts = [f for f in forecasts if not f.hidden]
    width = max((len(o) for o in options_of), default=2)
    given = list(map(attrgetter("probabilities"), forecasts))  # UNSET: read by the row check

    def row_probabilities(i: int, options: list[str]) -> list[float]:
        return plain_probabilities(forecasts[i].as_mapping(), options)

    def slot_vectors(q: IntArray) -> npt.NDArray[np.float64]:
        return _slot_probabilities(given, q, options_of, width, labels or (), row_probabilities)

    return column_arrays(
        list(map(attrgetter("question_id"), forecasts)),
        list(map(attrgetter("user"), forecasts)),
        list(map(attrgetter("time"), forecasts)),
        given,
        index,
        options_of,
        width,
        row_probabilities=row_probabilities,
        row_time=plain_time,
        floats=True,
        vectors=slot_vectors if labels is not None else None,
    )


def _slot_probabilities(
    given: list[Any],
    q: IntArray,
    options_of: list[list[str]],
    width: int,
    labels: tuple[str, ...],
    row_probabilities: Callable[[int, list[str]], list[float]],
) -> npt.NDArray[np.float64]:
    """The probability matrix from label slots, checked as the row check checks a row: only
    its question's options (an option left out is 0), each in [0, 1], summing to 1 within
    tolerance (`math.fsum`, then divided by it). Rows without `probabilities` (a binary
    `probability`) go through the row check. Checks are reductions, and the slots are
    gathered into option order one option at a time (`_option_columns`)."""
    n, k = len(given), len(labels)
    try:  # the usual file: every row has `probabilities` (`astuple` refuses UNSET)
        missing, values = [], _slot_values(given, k)
    except TypeError:
        missing = [i for i, g in enumerate(given) if g is UNSET]
        values = _slot_values([g for g in given if g is not UNSET], k)
    rows = np.setdiff1d(np.arange(n), missing) if missing else slice(None)
    m = len(values)
    allowed, slot_of = _slot_tables(options_of, labels, width)
    asked = q[rows]
    absent = np.isnan(values)
    given_bits = np.packbits(~absent, axis=1, bitorder="little")
    if (given_bits & ~allowed[asked]).any():  # a label that is not an option of the question
        raise NotPlain
    np.copyto(values, 0.0, where=absent)
    if m and not (values.min() >= 0.0 and values.max() <= 1.0):
        raise NotPlain
    terms = _option_columns(values, slot_of, asked)
    totals = exact_column_sums(terms)
    if np.any(np.abs(totals - 1.0) > SUM_TOLERANCE):
        raise NotPlain
    terms /= totals
    matrix = terms.T  # rows in option order, 0 past them
    if not missing:
        return matrix
    probs = np.zeros((n, width))
    probs[rows] = matrix
    for i in missing:
        row = row_probabilities(i, options_of[q[i]])
        probs[i, : len(row)] = row
    return probs


def _slot_values(vectors: list[Any], k: int) -> npt.NDArray[np.float64]:
    """The rows' k label slots as an (rows, k) array (NaN: not given)."""
    flat = chain.from_iterable(map(msgspec.structs.astuple, vectors))
    return np.fromiter(flat, np.float64, len(vectors) * k).reshape(len(vectors), k)


def _option_columns(
    values: npt.NDArray[np.float64], slot_of: IntArray, asked: IntArray
) -> npt.NDArray[np.float64]:
    """(option, row): each row's slots in its question's option order, gathered one option at
    a time into one array (the sums then read contiguous terms; no row-sized index matrix)."""
    m, k = values.shape
    flat = values.reshape(-1)
    row_start = np.arange(0, m * k, k)
    terms = np.empty((slot_of.shape[1], m))
    for option, slots in enumerate(slot_of.T):
        np.take(flat, row_start + slots[asked], out=terms[option], mode="clip")  # in range
    return terms


def _slot_tables(
    options_of: list[list[str]], labels: tuple[str, ...], width: int
) -> tuple[npt.NDArray[np.uint8], IntArray]:
    """Per question: the bits of the slots of its options (as `np.packbits` packs a row of
    slots), and the slot of each of its options, padded to ``width`` with a slot that is not
    one of them (one always exists where padding is needed: a question with fewer options
    than ``width`` has fewer than all the labels), which holds 0 in a row that passed the
    label check."""
    slot = {label: j for j, label in enumerate(labels)}
    member = np.zeros((len(options_of), len(labels)), dtype=bool)
    slot_of = np.zeros((len(options_of), width), dtype=np.int64)
    for question, options in enumerate(options_of):
        own = [slot[o] for o in options]
        member[question, own] = True
        others = sorted(set(range(len(labels))) - set(own))
        slot_of[question] = own + others[: width - len(own)]
    return np.packbits(member, axis=1, bitorder="little"), slot_of
