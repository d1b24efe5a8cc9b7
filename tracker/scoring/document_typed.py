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
from typing import Any, Literal

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
    exact_row_sums,
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
_DICT_ROWS = msgspec.json.Decoder(list[_Forecast])


def _slot_rows(ids: tuple[str, ...], labels: tuple[str, ...]) -> msgspec.json.Decoder:
    """A decoder of forecast rows whose `question_id` is one of ``ids`` (decoded as that very
    string: no new string per row, its hash already known) and whose `probabilities` are
    structs with a slot per label (NaN: not given). An unknown id or label fails the
    decoding."""
    names = [f"p{j}" for j in range(len(labels))]
    slots = msgspec.defstruct(
        "_Slots",
        [(name, float, math.nan) for name in names],
        rename=dict(zip(names, labels, strict=True)),
        forbid_unknown_fields=True,
        gc=False,
    )
    row = msgspec.defstruct(
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
    return msgspec.json.Decoder(list[row])


def typed_scoring_input(raw: bytes) -> ScoringInput | None:
    """The file's `ScoringInput`, or None when it is not plainly valid (see the module)."""
    with collector_paused():
        return _typed(raw)


def _typed(raw: bytes) -> ScoringInput | None:
    try:
        doc = _DOCUMENT.decode(raw)
    except msgspec.DecodeError:  # also a wrong type (ValidationError)
        return None
    if doc.format != FORMAT:
        return None
    try:
        index, options_of, cols = question_columns(doc.questions)
        if cols["continuous"]:  # numeric or date questions: the general path reads CDFs
            return None
        labels = tuple(dict.fromkeys(chain.from_iterable(options_of)))
        slotted = len(index) > 0 and len(labels) <= MAX_LABEL_SLOTS
        forecasts = (_slot_rows(tuple(index), labels) if slotted else _DICT_ROWS).decode(
            doc.forecasts
        )
        arrays = _columns(forecasts, index, options_of, labels if slotted else None)
    except (DocumentError, NotPlain, msgspec.DecodeError):
        return None
    return build_input(index, options_of, cols, arrays)


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
    `probability`) go through the row check."""
    n, k = len(given), len(labels)
    missing = (
        [i for i, g in enumerate(given) if g is UNSET] if UnsetType in set(map(type, given)) else []
    )
    rows = np.setdiff1d(np.arange(n), missing) if missing else np.arange(n)
    slotted = [given[i] for i in rows.tolist()] if missing else given
    values = np.fromiter(
        chain.from_iterable(map(msgspec.structs.astuple, slotted)), np.float64, rows.size * k
    ).reshape(rows.size, k)
    slot = {label: j for j, label in enumerate(labels)}
    slot_of = np.full((len(options_of), max(width, 1)), k)  # k: a slot that is always 0
    allowed = np.zeros((len(options_of), k), dtype=bool)
    for question, options in enumerate(options_of):
        slot_of[question, : len(options)] = [slot[o] for o in options]
        allowed[question, slot_of[question, : len(options)]] = True
    present = ~np.isnan(values)
    asked = q[rows]
    if (present & ~allowed[asked]).any():  # a label that is not an option of the row's question
        raise NotPlain
    values = np.where(present, values, 0.0)
    if not ((values >= 0.0) & (values <= 1.0)).all():
        raise NotPlain
    padded = np.concatenate([values, np.zeros((rows.size, 1))], axis=1)
    matrix = np.take_along_axis(padded, slot_of[asked], axis=1)
    totals = exact_row_sums(matrix)
    if np.any(np.abs(totals - 1.0) > SUM_TOLERANCE):
        raise NotPlain
    probs = np.zeros((n, width))
    probs[rows] = matrix[:, :width] / totals[:, None]
    for i in missing:
        row = row_probabilities(i, options_of[q[i]])
        probs[i, : len(row)] = row
    return probs
