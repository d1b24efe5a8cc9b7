"""The interchange format: canonical export, all-or-nothing idempotent import, CSV."""

import copy
import csv
import io
import json

import pytest

from tests.support import NOW, Clock
from tracker import interchange
from tracker.db import Database
from tracker.errors import InvalidInput, PermissionDenied
from tracker.schemas import Actor

SYSTEM = Actor.system()


def document() -> dict:
    return {
        "format": "forecast-tracker/1",
        "questions": [
            {
                "id": "us-strike",
                "title": "US strike on Iran by mid-2027?",
                "type": "binary",
                "description": "Context.",
                "resolution_criteria": "Wire services report it.",
                "open_time": "2026-02-06T00:00:00Z",
                "close_time": "2027-07-01T00:00:00Z",
                "resolution": None,
                "resolved_time": None,
                "tags": ["iran"],
            },
            {
                "id": "rounds",
                "title": "How many more rounds of talks?",
                "type": "ordered",
                "options": ["0", "1-2", "3+"],
                "open_time": "2026-02-06T00:00:00Z",
                "close_time": "2026-10-01T00:00:00Z",
                "resolution": "1-2",
                "resolved_time": "2026-09-30T00:00:00Z",
                "tags": [],
            },
        ],
        "forecasts": [
            {
                "question_id": "us-strike",
                "user": "alice",
                "time": "2026-02-07T12:00:00Z",
                "probability": 0.3,
                "rationale": "buildup",
            },
            {
                "question_id": "rounds",
                "user": "bob",
                "time": "2026-03-01T08:30:00Z",
                "probabilities": {"0": 0.2, "1-2": 0.5, "3+": 0.3},
            },
        ],
    }


def count_rows(db: Database) -> tuple[int, int]:
    exported = interchange.export_document(db)
    return len(exported["questions"]), len(exported["forecasts"])


def test_import_keeps_times_and_creates_password_less_forecasters(db):
    summary = interchange.import_document(db, SYSTEM, document())
    assert (summary.questions_added, summary.forecasts_added, summary.users_added) == (2, 2, 2)
    exported = interchange.export_document(db)
    assert exported["forecasts"][1]["time"] == "2026-02-07T12:00:00Z"
    assert exported["forecasts"][1]["probabilities"] == {"Yes": 0.3, "No": 0.7}
    from tracker.services import users

    alice = users.get_user(db, "alice")
    assert alice.role == "forecaster" and not alice.has_password


def test_import_is_idempotent(db):
    interchange.import_document(db, SYSTEM, document())
    again = interchange.import_document(db, SYSTEM, document())
    assert (again.questions_added, again.forecasts_added) == (0, 0)
    assert (again.questions_unchanged, again.forecasts_unchanged) == (2, 2)
    assert count_rows(db) == (2, 2)


def test_export_import_export_is_byte_identical(db, database_url, tmp_path):
    interchange.import_document(db, SYSTEM, document())
    first = interchange.export_json(db)
    other = Database(f"sqlite:///{tmp_path / 'other.db'}", clock=Clock(NOW))
    from sqlmodel import SQLModel

    SQLModel.metadata.create_all(other.engine)
    interchange.import_text(other, SYSTEM, first)
    assert interchange.export_json(other) == first
    assert first.endswith("\n") and json.loads(first)["format"] == "forecast-tracker/1"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["forecasts"][0].update(probability=1.3), r"forecasts\[0\].*between 0 and 1"),
        (
            lambda d: d["forecasts"][1]["probabilities"].update({"7+": 0.0}),
            r"forecasts\[1\].*unknown option",
        ),
        (
            lambda d: d["forecasts"][0].update(time="2026-01-01T00:00:00Z"),
            r"forecasts\[0\].*before the question opened",
        ),
        (
            lambda d: d["forecasts"][1].update(time="2026-09-30T12:00:00Z"),
            r"forecasts\[1\].*after the question closed or resolved",
        ),
        (
            lambda d: d["questions"].append(copy.deepcopy(d["questions"][0])),
            r"questions\[2\]: duplicate id 'us-strike'",
        ),
        (lambda d: d["forecasts"][0].update(time="yesterday"), r"forecasts\[0\].*time"),
        (lambda d: d["forecasts"][0].update(question_id="nope"), r"forecasts\[0\].*no question"),
        (
            lambda d: d["forecasts"].append(copy.deepcopy(d["forecasts"][0])),
            r"forecasts\[2\].*duplicate of forecasts\[0\]",
        ),
        (lambda d: d["questions"][1].update(resolution="4"), r"questions\[1\].*resolution '4'"),
        (lambda d: d["forecasts"][1]["probabilities"].update({"3+": 0.9}), "sum to 1"),
        (lambda d: d["forecasts"][0].update(probability=float("nan")), "finite"),
        (lambda d: d["questions"][0].update(title="x\u202ey"), "bidirectional"),
        (lambda d: d.update(format="other/2"), "format"),
        (lambda d: d["questions"][0].update(colour="red"), "colour"),
    ],
)
def test_one_bad_row_changes_nothing_and_is_named(db, mutate, message):
    bad = document()
    mutate(bad)
    with pytest.raises(InvalidInput, match=message):
        interchange.import_document(db, SYSTEM, bad)
    assert count_rows(db) == (0, 0)


def test_malformed_json_is_a_clear_error():
    with pytest.raises(InvalidInput, match="line 1, column"):
        interchange.loads('{"format": ')
    with pytest.raises(InvalidInput, match="JSON object"):
        interchange.loads("[]")


def test_reimport_with_changed_content_is_refused(db):
    interchange.import_document(db, SYSTEM, document())
    changed = document()
    changed["questions"][0]["title"] = "Different"
    with pytest.raises(InvalidInput, match="different title"):
        interchange.import_document(db, SYSTEM, changed)
    changed = document()
    changed["forecasts"][0]["probability"] = 0.4
    with pytest.raises(InvalidInput, match="different forecast"):
        interchange.import_document(db, SYSTEM, changed)


def test_only_admins_import(db, alice):
    with pytest.raises(PermissionDenied):
        interchange.import_document(db, alice, document())


def test_csv_has_one_row_per_forecast_and_option(db):
    interchange.import_document(db, SYSTEM, document())
    rows = list(csv.DictReader(io.StringIO(interchange.export_forecasts_csv(db))))
    assert len(rows) == 2 + 3
    assert rows[0] == {
        "question_id": "rounds",
        "question_title": "How many more rounds of talks?",
        "user": "bob",
        "time": "2026-03-01T08:30:00Z",
        "option": "0",
        "probability": "0.2",
        "rationale": "",
    }
