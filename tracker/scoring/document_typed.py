"""The quick way to score a file: decode it straight into typed structs (msgspec).

Most files are plainly valid: every forecast an object with a string `question_id`, `user` and
`time`, numbers for probabilities. msgspec checks those types while it decodes, into structs
that cost far less than dicts; the values are then checked as arrays. When anything is off
(a wrong type, a bad row, not even JSON) `typed_scoring_input` returns None and the caller
takes the general path (`scoring_input_from_document`), whose row checks name the problem: so
a bad file gets exactly the message it always got.
"""

from collections.abc import Iterator
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np
from msgspec import UNSET, UnsetType

from tracker.gc_pause import collector_paused
from tracker.scoring.document import (
    FORMAT,
    DocumentError,
    build_input,
    plain_probabilities,
    plain_time,
    question_columns,
)
from tracker.scoring.document_arrays import (
    NotPlain,
    Shapes,
    column_arrays,
    option_shapes,
)
from tracker.scoring.inputs import ScoringInput


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
    forecasts: list[msgspec.Raw] = []  # each row's bytes: decoded a chunk at a time


_DOCUMENT = msgspec.json.Decoder(_Document)
_FORECASTS = msgspec.json.Decoder(list[_Forecast])
#: Rows decoded at once. Whole-file decoding kept every row's objects alive at the same time:
#: half a gigabyte at 391k rows, and faulting that much fresh memory in cost a fifth of the
#: run. A chunk's objects are dropped once its columns are arrays, and the next chunk reuses
#: their memory.
CHUNK = 5_000


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
        width = max((len(o) for o in options_of), default=2)
        shapes = option_shapes(options_of)
        parts = [
            _chunk_columns(forecasts, index, options_of, width, shapes)
            for forecasts in _decoded_chunks(raw, doc.forecasts)
        ]
    except (DocumentError, NotPlain, msgspec.DecodeError):
        return None
    return build_input(index, options_of, cols, _joined(parts))


def _decoded_chunks(raw: bytes, rows: list[msgspec.Raw]) -> Iterator[list[_Forecast]]:
    """The forecast rows, `CHUNK` at a time, as structs (or `msgspec.DecodeError`). A chunk's
    rows lie side by side in the file (msgspec's `Raw` is a view into it), so the chunk is
    decoded from one copy of that span with brackets around it."""
    if not rows:
        yield []
        return
    whole = memoryview(raw)
    base = _address(whole)
    span = bytearray()
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        first = _address(part[0]) - base
        end = _address(part[-1]) - base + len(part[-1])
        span[:] = b"["
        if 0 <= first < end <= len(whole) and whole[first : first + len(part[0])] == part[0]:
            span += whole[first:end]
        else:  # not a view into the file after all: join the rows' own bytes
            span += b",".join(part)
        span += b"]"
        yield _FORECASTS.decode(span)


def _address(buffer: Any) -> int:
    """Where a buffer's bytes start in memory."""
    return int(np.frombuffer(buffer, np.uint8).__array_interface__["data"][0])


def _chunk_columns(
    forecasts: list[_Forecast],
    index: dict[str, int],
    options_of: list[list[str]],
    width: int,
    shapes: Shapes,
) -> tuple[Any, Any, Any, Any, list[str]]:
    """One chunk's (question, user, time, probs, users) arrays, user numbers local to it."""
    if any(map(attrgetter("hidden"), forecasts)):
        forecasts = [f for f in forecasts if not f.hidden]
    return column_arrays(
        list(map(attrgetter("question_id"), forecasts)),
        list(map(attrgetter("user"), forecasts)),
        list(map(attrgetter("time"), forecasts)),
        list(map(attrgetter("probabilities"), forecasts)),  # UNSET: read by the row check
        index,
        options_of,
        width,
        row_probabilities=lambda i, options: plain_probabilities(
            forecasts[i].as_mapping(), options
        ),
        row_time=plain_time,
        floats=True,
        shapes=shapes,
    )


def _joined(parts: list[tuple[Any, Any, Any, Any, list[str]]]) -> tuple[Any, ...]:
    """The chunks' arrays end to end, users numbered in the sorted list of all of them."""
    users = sorted(set().union(*(part[4] for part in parts)))
    number = {user: j for j, user in enumerate(users)}
    local_to_global = [np.array([number[u] for u in part[4]], dtype=np.int64) for part in parts]
    return (
        np.concatenate([part[0] for part in parts]),
        np.concatenate(
            [table[part[1]] for table, part in zip(local_to_global, parts, strict=True)]
        ),
        np.concatenate([part[2] for part in parts]),
        np.concatenate([part[3] for part in parts]),
        users,
    )
