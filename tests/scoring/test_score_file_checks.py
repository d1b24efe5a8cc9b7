"""Scoring a file checks whole columns at once, but accepts and rejects exactly what the row
checks did, with the same message naming the row; and `--format json` writes the same bytes
as `json.dumps(indent=2)`."""

import copy
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.scoring.document import (
    DocumentError,
    forecast_rows,
    question_columns,
    scoring_input_from_document,
)
from tracker.scoring.document_typed import typed_scoring_input
from tracker.scoring.report import ScoreReport, score_input
from tracker.scoring.report_json import dumps_report

QUESTIONS = [
    {"id": "b", "type": "binary", "open_time": "2025-01-01T00:00:00Z",
     "close_time": "2025-02-01T00:00:00Z", "resolution": "Yes",
     "resolved_time": "2025-02-01T00:00:00Z"},
    {"id": "m", "type": "multiple_choice", "options": ["A", "B", "C"],
     "open_time": "2025-01-01T00:00:00Z", "close_time": "2025-03-01T00:00:00Z",
     "resolution": "C", "resolved_time": "2025-03-01T00:00:00Z"},
]  # fmt: skip


def plain_document() -> dict:
    forecasts = []
    for day in range(1, 25):
        for user in ("ann", "bob", "cy"):
            p = (day % 9 + 1) / 10
            forecasts.append(
                {
                    "question_id": "b",
                    "user": user,
                    "time": f"2025-01-{day:02d}T{day % 24:02d}:00:00Z",
                    "probabilities": {"Yes": p, "No": 1 - p},
                    "rationale": "",
                }
            )
            forecasts.append(
                {
                    "question_id": "m",
                    "user": user,
                    "time": f"2025-02-{day:02d}T12:30:{day:02d}Z",
                    "probabilities": {"A": 0.2, "B": 0.3, "C": 0.5},
                }
            )
    return {"format": "forecast-tracker/1", "questions": QUESTIONS, "forecasts": forecasts}


# (what is wrong with forecast #7, a change to it, the message the row checks give)
BAD_ROWS = [
    ("not an object", lambda f: ["x"], "forecast #7: must be an object"),
    ("unknown question", lambda f: f | {"question_id": "nope"}, "unknown question_id"),
    ("unhashable question", lambda f: f | {"question_id": ["m"]}, None),
    ("empty user", lambda f: f | {"user": ""}, "needs a user name"),
    ("numeric user", lambda f: f | {"user": 7}, "needs a user name"),
    ("probabilities a list", lambda f: f | {"probabilities": [0.2, 0.3, 0.5]},
     "probabilities must map option labels to numbers"),
    ("unknown option", lambda f: f | {"probabilities": {"A": 0.5, "Z": 0.5}},
     "unknown option(s) ['Z']"),
    ("above 1", lambda f: f | {"probabilities": {"A": 1.5, "B": -0.5, "C": 0.0}},
     "every probability must be a number in [0, 1]"),
    ("a boolean", lambda f: f | {"probabilities": {"A": True, "B": 0.0, "C": 0.0}},
     "every probability must be a number in [0, 1]"),
    ("a string", lambda f: f | {"probabilities": {"A": "0.2", "B": 0.3, "C": 0.5}},
     "every probability must be a number in [0, 1]"),
    ("null", lambda f: f | {"probabilities": {"A": None, "B": 0.5, "C": 0.5}},
     "every probability must be a number in [0, 1]"),
    ("not a number", lambda f: f | {"probabilities": {"A": math.nan, "B": 0.5, "C": 0.5}},
     "every probability must be a number in [0, 1]"),
    ("sum off", lambda f: f | {"probabilities": {"A": 0.2, "B": 0.3, "C": 0.4}},
     "probabilities sum to 0.9, not 1"),
    ("neither key", lambda f: {k: v for k, v in f.items() if k != "probabilities"},
     "needs probabilities (or probability, for binary)"),
    ("probability on 3 options", lambda f: {**f, "probability": 0.5} | {"probabilities": None},
     "probabilities must map option labels to numbers"),
    ("no such day", lambda f: f | {"time": "2025-02-30T12:00:00Z"}, "is not an ISO-8601 time"),
    ("hour 24", lambda f: f | {"time": "2025-02-03T24:00:00Z"}, "is not an ISO-8601 time"),
    ("not a time", lambda f: f | {"time": "yesterday"}, "is not an ISO-8601 time"),
    ("missing time", lambda f: {k: v for k, v in f.items() if k != "time"},
     "expected an ISO-8601 time, got None"),
    ("numeric time", lambda f: f | {"time": 20250203}, "expected an ISO-8601 time, got 20250203"),
    ("a list of 20 for a time", lambda f: f | {"time": ["2"] * 20}, "expected an ISO-8601 time"),
]  # fmt: skip


def row_check_message(doc: dict) -> str:
    """What the row-by-row checks say about the document's forecasts."""
    index, options, _ = question_columns(doc["questions"])
    with pytest.raises((DocumentError, TypeError)) as raised:
        forecast_rows(doc["forecasts"], index, options, 3)
    return str(raised.value)


@pytest.mark.parametrize(("problem", "change", "expected"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_column_checks_reject_a_bad_row_with_the_row_checks_message(
    problem: str, change, expected: str | None, tmp_path: Path
) -> None:
    doc = plain_document()
    doc["forecasts"][7] = change(copy.deepcopy(doc["forecasts"][7]))
    message = row_check_message(doc)
    if expected is not None:
        assert expected in message
        assert message.startswith("forecast #7")
        with pytest.raises(DocumentError) as raised:
            scoring_input_from_document(doc)
        assert str(raised.value) == message
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(doc), encoding="utf-8")  # nan becomes the NaN literal
        assert typed_scoring_input(path.read_bytes()) is None
        result = CliRunner().invoke(app, ["score", str(path), "--format", "json"])
        assert result.exit_code == 1 and result.stderr == f"error: {message}\n"
    else:  # an unhashable id fails the same way on both paths
        with pytest.raises(TypeError):
            scoring_input_from_document(doc)


def test_the_first_bad_row_is_named_when_several_are_bad() -> None:
    doc = plain_document()
    doc["forecasts"][30]["time"] = "2025-13-01T00:00:00Z"
    doc["forecasts"][13]["probabilities"] = {"A": 0.9, "B": 0.3, "C": 0.5}
    with pytest.raises(DocumentError, match=r"^forecast #13 \(m, ann\): probabilities sum"):
        scoring_input_from_document(doc)


def mixed_document() -> dict:
    """Valid rows in every form the column checks hand to the row checks."""
    doc = plain_document()
    rows = doc["forecasts"]
    rows[0] = {"question_id": "b", "user": "ann", "time": "2025-01-01T05:00:00Z",
               "probability": 0.3}  # fmt: skip
    rows[1]["probabilities"] = {"C": 0.5, "A": 0.2, "B": 0.3}  # keys in another order
    rows[3]["probabilities"] = {"C": 1}  # missing options count 0, an integer is a number
    rows[5]["time"] = "2025-02-01T13:30:01+01:00"  # with an offset
    rows[9]["time"] = "2025-02-01T12:30:01.750Z"  # sub-second
    rows[11]["hidden"] = True
    rows[13]["probabilities"] = {"A": 0.2, "B": 0.3, "C": 0.5000004}  # normalised
    return doc


@pytest.mark.parametrize("make", [plain_document, mixed_document])
def test_every_path_reads_the_same_arrays(make) -> None:
    doc = make()
    index, options, _ = question_columns(doc["questions"])
    shown = [f for f in doc["forecasts"] if f.get("hidden") is not True]
    fq, fu, ft, probs, users = forecast_rows(shown, index, options, 3)
    for data in (scoring_input_from_document(doc), typed_scoring_input(json.dumps(doc).encode())):
        assert data is not None
        assert data.forecast_question.tolist() == fq and data.forecast_time.tolist() == ft
        assert data.forecast_user.tolist() == fu and data.users.tolist() == users
        assert np.array_equal(data.probs, probs)  # bit for bit, normalised by math.fsum


def test_json_output_is_byte_for_byte_what_json_dumps_writes() -> None:
    data = typed_scoring_input(json.dumps(mixed_document()).encode())
    assert data is not None
    report = score_input(data)
    assert dumps_report(report) == json.dumps(report.to_dict(), indent=2)
    odd = ScoreReport(
        scores=pd.DataFrame({"question_id": pd.Categorical(["é", "q\"2"]), "n": [1, 2],
                             "x": [math.nan, 1e-05], "y": [math.inf, -math.inf]}),
        users=pd.DataFrame({"user": pd.Series([], dtype=object)}),
    )  # fmt: skip
    assert dumps_report(odd) == json.dumps(odd.to_dict(), indent=2)
