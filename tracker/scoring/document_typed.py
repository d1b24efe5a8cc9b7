"""The quick way to score a file: decode it straight into typed structs (msgspec).

Most files are plainly valid: every forecast an object with a string `question_id`, `user` and
`time`, numbers for probabilities. msgspec checks those types while it decodes, into structs
that cost far less than dicts; the values are then checked as arrays. When anything is off
(a wrong type, a bad row, not even JSON) `typed_scoring_input` returns None and the caller
takes the general path (`scoring_input_from_document`), whose row checks name the problem: so
a bad file gets exactly the message it always got.
"""

from operator import attrgetter
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from tracker.scoring.document import (
    FORMAT,
    DocumentError,
    build_input,
    plain_probabilities,
    plain_time,
    question_columns,
)
from tracker.scoring.document_arrays import NotPlain, collector_paused, column_arrays
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
    forecasts: list[_Forecast] = []


_DECODER = msgspec.json.Decoder(_Document)


def typed_scoring_input(raw: bytes) -> ScoringInput | None:
    """The file's `ScoringInput`, or None when it is not plainly valid (see the module)."""
    with collector_paused():
        return _typed(raw)


def _typed(raw: bytes) -> ScoringInput | None:
    try:
        doc = _DECODER.decode(raw)
    except msgspec.DecodeError:  # also a wrong type (ValidationError)
        return None
    if doc.format != FORMAT:
        return None
    try:
        index, options_of, cols = question_columns(doc.questions)
        if cols["continuous"]:  # numeric or date questions: the general path reads CDFs
            return None
        forecasts = doc.forecasts
        if any(map(attrgetter("hidden"), forecasts)):
            forecasts = [f for f in forecasts if not f.hidden]
        arrays = column_arrays(
            list(map(attrgetter("question_id"), forecasts)),
            list(map(attrgetter("user"), forecasts)),
            list(map(attrgetter("time"), forecasts)),
            list(map(attrgetter("probabilities"), forecasts)),  # UNSET: read by the row check
            index,
            options_of,
            max((len(o) for o in options_of), default=2),
            row_probabilities=lambda i, options: plain_probabilities(
                forecasts[i].as_mapping(), options
            ),
            row_time=plain_time,
            floats=True,
        )
    except (DocumentError, NotPlain):
        return None
    return build_input(index, options_of, cols, arrays)
