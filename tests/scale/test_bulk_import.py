"""Import writes forecasts in Core batches with ids assigned up front, yet stays one
transaction: a bad row after batches were written leaves nothing behind, ids continue after
the rows already there, and a re-import adds nothing (SQLite and PostgreSQL)."""

import pytest
from sqlmodel import func, select

from tracker import interchange
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.interchange import bulk
from tracker.models import Forecast, ForecastProbability, Question, User
from tracker.schemas import Actor

SYSTEM = Actor.system()


def document(n: int, *, users: int = 3) -> dict:
    return {
        "format": "forecast-tracker/1",
        "questions": [
            {
                "id": "rounds",
                "title": "How many more rounds of talks?",
                "type": "ordered",
                "options": ["0", "1-2", "3+"],
                "open_time": "2026-01-01T00:00:00Z",
                "close_time": "2026-03-01T00:00:00Z",
                "resolution": None,
                "resolved_time": None,
                "tags": [],
            }
        ],
        "forecasts": [
            {
                "question_id": "rounds",
                "user": f"user{i % users}",
                "time": f"2026-01-{1 + i // 24:02d}T{i % 24:02d}:00:00Z",
                "probabilities": {"0": 0.2, "1-2": 0.5, "3+": 0.3},
                "rationale": f"row {i}",
            }
            for i in range(n)
        ],
    }


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.read() as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Question, User, Forecast, ForecastProbability)
        )


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "BATCH", 2)


@pytest.mark.usefixtures("small_batches")
def test_a_bad_row_after_written_batches_leaves_nothing(db: Database) -> None:
    doc = document(7)
    doc["forecasts"][6]["time"] = "2026-04-01T00:00:00Z"  # after the close
    before = counts(db)
    with pytest.raises(InvalidInput, match=r"^forecasts\[6\] .*after the question closed"):
        interchange.import_document(db, SYSTEM, doc)
    assert counts(db) == before


@pytest.mark.usefixtures("small_batches")
def test_batched_rows_get_new_ids_and_read_back_exactly(db: Database) -> None:
    interchange.import_document(db, SYSTEM, document(5))
    more = document(12)
    summary = interchange.import_document(db, SYSTEM, more)  # the first 5 are already there
    assert (summary.forecasts_added, summary.forecasts_unchanged) == (7, 5)
    assert counts(db)[2:] == (12, 36)
    exported = interchange.export_document(db)["forecasts"]
    assert [f["rationale"] for f in exported] == [f"row {i}" for i in range(12)]
    assert all(f["probabilities"] == {"0": 0.2, "1-2": 0.5, "3+": 0.3} for f in exported)


def test_reimporting_an_export_adds_nothing_and_keeps_its_bytes(db: Database) -> None:
    interchange.import_document(db, SYSTEM, document(40, users=7))
    first = interchange.export_json(db)
    summary = interchange.import_text(db, SYSTEM, first)
    assert (summary.forecasts_added, summary.forecasts_unchanged, summary.users_added) == (0, 40, 0)
    assert interchange.export_json(db) == first


def test_new_forecasters_are_created_once_each(db: Database) -> None:
    summary = interchange.import_document(db, SYSTEM, document(9, users=4))
    assert summary.users_added == 4
    with db.read() as session:
        names = sorted(u.name for u in session.exec(select(User)))
    assert names == ["user0", "user1", "user2", "user3"]
