"""The quick path decodes each forecast's probabilities into a slot per option label when the
file's questions share few labels, and into dicts otherwise. Either way it reads exactly the
arrays the row checks read, whatever the layout of the file, and leaves every row it cannot
judge to the row checks, so their message names it."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.scoring.test_score_file_checks import (
    BAD_ROWS,
    mixed_document,
    plain_document,
    row_check_message,
)
from tracker.cli import app
from tracker.scoring import document_typed
from tracker.scoring._arrays import with_next
from tracker.scoring.document import scoring_input_from_document
from tracker.scoring.document_typed import MAX_LABEL_SLOTS, typed_scoring_input


def same_arrays(a, b) -> bool:  # type: ignore[no-untyped-def]
    return (
        a.forecast_question.tolist() == b.forecast_question.tolist()
        and a.forecast_user.tolist() == b.forecast_user.tolist()
        and a.forecast_time.tolist() == b.forecast_time.tolist()
        and a.users.tolist() == b.users.tolist()
        and np.array_equal(a.probs, b.probs)
    )


def many_labels() -> dict:
    """More distinct option labels than there are slots: each question its own names."""
    doc = mixed_document()
    questions = doc["questions"] = list(doc["questions"])  # the module's list stays as it is
    for j in range(MAX_LABEL_SLOTS):
        questions.append(questions[1] | {"id": f"m{j}", "options": [f"x{j}", f"y{j}"],
                                          "resolution": f"y{j}"})  # fmt: skip
        doc["forecasts"].append(
            {
                "question_id": f"m{j}",
                "user": "ann",
                "time": "2025-02-02T00:00:00Z",
                "probabilities": {f"y{j}": 0.25, f"x{j}": 0.75},
            }
        )
    return doc


@pytest.fixture(params=["slots", "dicts"])
def decoding(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs once per way of decoding probabilities (no slots: always dicts)."""
    if request.param == "dicts":
        monkeypatch.setattr(document_typed, "MAX_LABEL_SLOTS", 0)
    return str(request.param)


@pytest.mark.parametrize("make", [plain_document, mixed_document, many_labels])
@pytest.mark.parametrize("indent", [None, 2])
def test_both_decodings_read_what_the_row_checks_read(
    make, indent: int | None, decoding: str
) -> None:
    doc = make()
    data = typed_scoring_input(json.dumps(doc, indent=indent).encode())
    assert data is not None
    assert same_arrays(data, scoring_input_from_document(doc))


def test_slots_serve_a_file_with_few_labels_and_dicts_one_with_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[tuple[str, ...]] = []
    slot_row = document_typed._slot_row

    def spy(ids: tuple[str, ...], labels: tuple[str, ...]) -> type:
        built.append(labels)
        return slot_row(ids, labels)

    monkeypatch.setattr(document_typed, "_slot_row", spy)
    for make in (mixed_document, many_labels):
        assert typed_scoring_input(json.dumps(make()).encode()) is not None
    assert built == [("Yes", "No", "A", "B", "C")]


def passes_taken(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, object]:
    """How many decodings of the whole file reading it took (1: the questions were read from
    the bytes before the forecasts), and what it read."""
    calls = []
    two = document_typed._in_two_passes
    monkeypatch.setattr(document_typed, "_in_two_passes", lambda raw: calls.append(1) or two(raw))
    data = typed_scoring_input(text.encode())
    return 1 + len(calls), data


def test_an_exported_file_is_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = mixed_document()
    doc["questions"] = [
        doc["questions"][0] | {"title": 'the "forecasts": so far'},
        *doc["questions"][1:],
    ]
    taken, data = passes_taken(json.dumps(doc, indent=2), monkeypatch)
    assert taken == 1 and same_arrays(data, scoring_input_from_document(doc))


@pytest.mark.parametrize(
    "layout",
    ["forecasts first", "a question with a forecasts key", "questions given twice"],
)
def test_a_file_laid_out_otherwise_is_read_in_two_passes_to_the_same_arrays(
    layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = mixed_document()
    if layout == "forecasts first":
        text = json.dumps({"forecasts": doc["forecasts"], **doc})
    elif layout == "a question with a forecasts key":
        doc["questions"] = [doc["questions"][0] | {"forecasts": []}, *doc["questions"][1:]]
        text = json.dumps(doc)
    else:  # the last one counts, as json.loads has it
        first = json.dumps(doc | {"questions": doc["questions"][:1]})
        text = first[:-1] + ", " + json.dumps({"questions": doc["questions"]})[1:]
    taken, data = passes_taken(text, monkeypatch)
    assert taken == 2 and same_arrays(data, scoring_input_from_document(json.loads(text)))


@pytest.mark.parametrize(("problem", "change", "expected"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_is_left_to_the_row_checks(
    problem: str, change, expected: str | None, decoding: str
) -> None:
    doc = plain_document()
    doc["forecasts"][7] = change(copy.deepcopy(doc["forecasts"][7]))
    if expected is not None:
        assert typed_scoring_input(json.dumps(doc).encode()) is None


@pytest.mark.parametrize(
    "given",
    [
        {"Yes": 0.5, "No": 0.5, "A": 0.0},  # an option of another question
        {"Yes": 0.5, "Z": 0.5},  # a label no question has
        {"No": 0.5},  # one option given, summing to 0.5
    ],
)
def test_a_label_the_question_does_not_have_gets_the_row_checks_message(
    given: dict, decoding: str, tmp_path: Path
) -> None:
    doc = plain_document()
    doc["forecasts"][6]["probabilities"] = given  # forecast #6 is on the binary question
    message = row_check_message(doc)
    assert message.startswith("forecast #6 (b, ann)")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert typed_scoring_input(path.read_bytes()) is None
    result = CliRunner().invoke(app, ["score", str(path), "--format", "json"])
    assert result.exit_code == 1 and result.stderr == f"error: {message}\n"


def test_the_last_of_a_repeated_label_counts_as_json_loads_has_it(decoding: str) -> None:
    doc = plain_document()
    text = json.dumps(doc).replace('"Yes": 0.2, ', '"Yes": 0.9, "Yes": 0.2, ', 1)
    assert text != json.dumps(doc)
    data = typed_scoring_input(text.encode())
    assert data is not None and same_arrays(data, scoring_input_from_document(json.loads(text)))


def test_a_file_without_forecasts_or_questions_reads_as_empty(decoding: str) -> None:
    for doc in (plain_document() | {"forecasts": []}, {"format": "forecast-tracker/1"}):
        data = typed_scoring_input(json.dumps(doc).encode())
        assert data is not None and data.forecast_question.size == 0 and data.users.size == 0


def test_tie_runs_are_the_tied_rows_and_their_successors_as_union1d_gives() -> None:
    rng = np.random.default_rng(11)
    drawn = [np.unique(rng.integers(0, 50, rng.integers(1, 30))).tolist() for _ in range(50)]
    for tied in [[], [0], [0, 1, 2], [3, 7, 8, 20], *drawn]:
        at = np.array(tied, dtype=np.int64)
        assert with_next(at).tolist() == np.union1d(at, at + 1).tolist()
