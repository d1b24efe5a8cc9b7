"""`tracker score --format json` text, written column by column.

Byte for byte what `json.dumps(report.to_dict(), indent=2)` writes (the standard library's
indented output falls back to its slow pure-Python encoder): each column is turned into JSON
text at once (`float.__repr__`'s digits, as `json` writes them, through orjson: see `_floats`;
NaN as null; categories encoded once), then the rows are laid out with one template (a second
one, with `crps`, for the rows of numeric and date questions). Only numpy and orjson here:
`tracker score FILE` writes its tables without pandas."""

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from tracker.scoring.score_table import Columns

if TYPE_CHECKING:
    from tracker.scoring.report import ScoreReport


def dumps_report(report: "ScoreReport") -> str:
    """The report as `json.dumps(report.to_dict(), indent=2)` would write it."""
    return dumps_tables(_columns_of(report.scores), _columns_of(report.users))


def dumps_tables(scores: Columns, users: Columns) -> str:
    return f'{{\n  "scores": {_array(scores)},\n  "users": {_array(users)}\n}}'


def _columns_of(frame: Any) -> Columns:
    """A DataFrame's columns as a `Columns` table (categoricals as codes)."""
    names = [str(n) for n in frame.columns if n != "crps"]
    labels, codes, values = {}, {}, {}
    for name in names:
        series = frame[name]
        if hasattr(series, "cat"):
            labels[name] = np.asarray(series.cat.categories, dtype=object)
            codes[name] = series.cat.codes.to_numpy().astype(np.int64)
        else:
            values[name] = series.to_numpy()
    continuous = np.zeros(len(frame), dtype=bool)
    if "crps" in frame.columns:
        values["crps"] = frame["crps"].to_numpy()
        continuous = ~np.isnan(values["crps"])
    return Columns(tuple(names), labels, codes, values, continuous)


def _array(table: Columns) -> str:
    if not table.names or table.size == 0:
        return "[]"
    fields = [f"      {json.dumps(name).replace('%', '%%')}: %s" for name in table.names]
    template = "    {\n" + ",\n".join(fields) + "\n    }"
    columns = [_column(table, name) for name in table.names]
    rows = zip(*columns, strict=True)
    if not table.continuous.any():
        return "[\n" + ",\n".join(map(template.__mod__, rows)) + "\n  ]"
    wide = template[: -len("\n    }")] + ',\n      "crps": %s\n    }'
    crps = _column(table, "crps")
    out = [
        wide % (*row, crps[i]) if table.continuous[i] else template % row
        for i, row in enumerate(rows)
    ]
    return "[\n" + ",\n".join(out) + "\n  ]"


def _column(table: Columns, name: str) -> list[str]:
    if name in table.codes:
        spelled = [json.dumps(c) for c in table.labels[name].tolist()]
        text = np.array([*spelled, "null"], dtype=object)
        return text[table.codes[name]].tolist()  # code -1 (missing) → null
    values = np.asarray(table.values[name])
    if values.dtype.kind == "f":
        return _floats(np.ascontiguousarray(values, dtype=np.float64))
    if values.dtype.kind in "iu":
        return list(map(int.__repr__, values.tolist()))
    return [json.dumps(v) for v in values.tolist()]


def _floats(values: np.ndarray) -> list[str]:
    """`float.__repr__` of each value (NaN as null), the way `json` writes them. orjson writes
    the same shortest round-trip digits many times faster, in positional notation where repr
    switches to an exponent (below 1e-4, from 1e16 up): those few are redone with repr."""
    if values.size == 0:
        return []
    text = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY).decode()[1:-1].split(",")
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        redo = np.flatnonzero(((size < 1e-4) & (size > 0)) | (size >= 1e16))
    for i in redo.tolist():
        value = float(values[i])
        text[i] = (
            "Infinity" if value == np.inf else "-Infinity" if value == -np.inf else repr(value)
        )
    return text
