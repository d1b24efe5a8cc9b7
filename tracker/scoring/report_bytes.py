"""A `ScoreReport` as bytes and back, exactly (dtypes, categories, NaN), for keeping it.

An `.npz` archive of plain arrays, read with `allow_pickle=False`: a stored table can be
loaded without running anything it contains.
"""

import io
import json

import numpy as np
import pandas as pd

from tracker.scoring.report import ScoreReport

_FRAMES = ("scores", "users")


def report_to_bytes(report: ScoreReport) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    layout: dict[str, list[list[str]]] = {}
    for name in _FRAMES:
        frame = getattr(report, name)
        layout[name] = []
        for i, column in enumerate(frame.columns):
            key = f"{name}.{i}"
            series = frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                categories = series.cat.categories
                arrays[key] = series.cat.codes.to_numpy()
                arrays[key + ".categories"] = categories.to_numpy().astype(str)
                layout[name].append([column, "category", str(categories.dtype)])
            elif series.dtype.kind not in "biuf":  # text (object or pandas' str)
                arrays[key] = series.to_numpy().astype(str)
                layout[name].append([column, "text", str(series.dtype)])
            else:
                arrays[key] = series.to_numpy()
                layout[name].append([column, "array", str(series.dtype)])
        arrays[f"{name}.index"] = frame.index.to_numpy()
    arrays["layout"] = np.array(json.dumps(layout))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def report_from_bytes(payload: bytes) -> ScoreReport:
    with np.load(io.BytesIO(payload), allow_pickle=False) as stored:
        layout = json.loads(str(stored["layout"]))
        frames = {}
        for name in _FRAMES:
            columns = {}
            for i, (column, kind, dtype) in enumerate(layout[name]):
                values = stored[f"{name}.{i}"]
                if kind == "category":
                    labels = stored[f"{name}.{i}.categories"].astype(object)
                    categories = pd.Index(labels, dtype=dtype)
                    columns[column] = pd.Categorical.from_codes(values, categories=categories)
                elif kind == "text":
                    columns[column] = pd.array(values.astype(object), dtype=dtype)
                else:
                    columns[column] = values
            frames[name] = pd.DataFrame(columns, index=stored[f"{name}.index"])
    return ScoreReport(frames["scores"], frames["users"])
