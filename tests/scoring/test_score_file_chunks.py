"""The quick path decodes a file's forecasts a chunk at a time: the arrays are those of the
whole file at once, whatever the chunk size, the layout of the file, or where a bad row lies."""

import copy
import json

import msgspec
import numpy as np
import pytest

from tests.scoring.test_score_file_checks import mixed_document, plain_document
from tracker.scoring import document_typed
from tracker.scoring._arrays import with_next
from tracker.scoring.document import scoring_input_from_document
from tracker.scoring.document_typed import _decoded_chunks, typed_scoring_input


def same_arrays(a, b) -> bool:  # type: ignore[no-untyped-def]
    return (
        a.forecast_question.tolist() == b.forecast_question.tolist()
        and a.forecast_user.tolist() == b.forecast_user.tolist()
        and a.forecast_time.tolist() == b.forecast_time.tolist()
        and a.users.tolist() == b.users.tolist()
        and np.array_equal(a.probs, b.probs)
    )


def user_per_stretch() -> dict:
    """Users that appear only in some stretches of the file (so only in some chunks)."""
    doc = mixed_document()
    for i, row in enumerate(doc["forecasts"]):
        if i % 3 == 0:
            row["user"] = f"u{i // 10:02d}"
    return doc


@pytest.mark.parametrize("chunk", [1, 2, 7, 5_000])
@pytest.mark.parametrize("make", [plain_document, mixed_document, user_per_stretch])
@pytest.mark.parametrize("indent", [None, 2, 4])
def test_every_chunk_size_reads_what_the_row_checks_read(
    chunk: int, make, indent: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(document_typed, "CHUNK", chunk)
    doc = make()
    data = typed_scoring_input(json.dumps(doc, indent=indent).encode())
    assert data is not None
    assert same_arrays(data, scoring_input_from_document(doc))


@pytest.mark.parametrize("at", [0, 6, 7, 71])
def test_a_bad_row_in_any_chunk_hands_the_file_to_the_row_checks(
    at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(document_typed, "CHUNK", 7)
    doc = plain_document()
    for bad in ({"user": 7}, {"question_id": "nope"}, {"time": "yesterday"}):
        broken = copy.deepcopy(doc)
        broken["forecasts"][at] |= bad
        assert typed_scoring_input(json.dumps(broken).encode()) is None


def test_a_file_without_forecasts_reads_as_empty() -> None:
    doc = plain_document() | {"forecasts": []}
    data = typed_scoring_input(json.dumps(doc).encode())
    assert data is not None and data.forecast_question.size == 0 and data.users.size == 0


def test_rows_that_are_not_views_into_the_file_are_joined(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(document_typed, "CHUNK", 2)
    rows = [msgspec.Raw(json.dumps(f).encode()) for f in plain_document()["forecasts"][:5]]
    chunks = list(_decoded_chunks(b"unrelated bytes", rows))
    assert [len(c) for c in chunks] == [2, 2, 1]
    users = [f.user for chunk in chunks for f in chunk]
    assert users == [f["user"] for f in plain_document()["forecasts"][:5]]


def test_tie_runs_are_the_tied_rows_and_their_successors_as_union1d_gives() -> None:
    rng = np.random.default_rng(11)
    drawn = [np.unique(rng.integers(0, 50, rng.integers(1, 30))).tolist() for _ in range(50)]
    for tied in [[], [0], [0, 1, 2], [3, 7, 8, 20], *drawn]:
        at = np.array(tied, dtype=np.int64)
        assert with_next(at).tolist() == np.union1d(at, at + 1).tolist()
