"""`tracker score --format json` text, written column by column.

Byte for byte what `json.dumps(report.to_dict(), indent=2)` writes (the standard library's
indented output falls back to its slow pure-Python encoder): each column is turned into JSON
text at once (`float.__repr__`, as `json` does; NaN as null; categories encoded once), then the
rows are laid out with one template."""

import json

import numpy as np
import pandas as pd

from tracker.scoring.report import ScoreReport


def dumps_report(report: ScoreReport) -> str:
    """The report as `json.dumps(report.to_dict(), indent=2)` would write it."""
    return f'{{\n  "scores": {_array(report.scores)},\n  "users": {_array(report.users)}\n}}'


def _array(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "[]"
    fields = [f"      {json.dumps(name).replace('%', '%%')}: %s" for name in frame.columns]
    template = "    {\n" + ",\n".join(fields) + "\n    }"
    columns = [_column(frame[name]) for name in frame.columns]
    return "[\n" + ",\n".join(map(template.__mod__, zip(*columns, strict=True))) + "\n  ]"


def _column(series: pd.Series) -> list[str]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        spelled = np.array([json.dumps(c) for c in series.cat.categories] + ["null"], dtype=object)
        return spelled[series.cat.codes.to_numpy()].tolist()  # code -1 (missing) → null
    values = series.to_numpy()
    if values.dtype.kind == "f":
        text = np.array(list(map(float.__repr__, values.tolist())), dtype=object)
        text[np.isnan(values)] = "null"
        text[values == np.inf] = "Infinity"
        text[values == -np.inf] = "-Infinity"
        return text.tolist()
    if values.dtype.kind in "iu":
        return list(map(int.__repr__, values.tolist()))
    return [json.dumps(v) for v in values.tolist()]
