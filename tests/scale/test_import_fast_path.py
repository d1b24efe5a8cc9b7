"""Import's fast paths give what the slow ones give: a plain forecast row read without pydantic
is the model's row, any other row goes to the model (so its message is unchanged), and the
SQLite indexes dropped for a big insert are back afterwards, also when the import fails."""

import copy

import pytest
from sqlalchemy import text

from tracker import interchange
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.interchange import bulk
from tracker.interchange.format import ForecastRecord, ForecastRow, _plain_forecast
from tracker.interchange.reading import _plain_vector
from tracker.schemas import Actor
from tracker.services.forecasts import normalise_probabilities

from .test_bulk_import import counts, document

SYSTEM = Actor.system()
PLAIN = {
    "question_id": "rounds",
    "user": "alice",
    "time": "2026-01-02T03:04:05Z",
    "probabilities": {"0": 0.2, "1-2": 0.5, "3+": 0.3},
    "rationale": "",
}


def by_model(row: dict) -> ForecastRow:
    return ForecastRow(**ForecastRecord.model_validate(row).__dict__)


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"time": "2026-01-02T03:04:05.123456Z"},
        {"rationale": "  talks stall\r\nagain  "},  # trimmed and newlines made \n, as the model
        {"rationale": "cafe\u0301"},  # NFC
        {"hidden": True, "late": True, "revision": 2, "session": 1, "phase": "blind"},
        {"probabilities": None, "probability": 0.25},
        {"probabilities": None, "cdf": [0.0, 0.5, 1.0]},
        {"probabilities": {"0": -0.0, "1-2": 1.5, "3+": 0.3}},  # range: checked on merge
        {"user": "a.b-c_d", "question_id": "q" * 100},
    ],
)
def test_a_plain_row_is_the_models_row(change: dict) -> None:
    row = PLAIN | change
    plain = _plain_forecast(copy.deepcopy(row))
    assert plain is not None
    assert plain == by_model(row)
    assert plain.time.utcoffset() is not None and plain.time == by_model(row).time


@pytest.mark.parametrize(
    "change",
    [
        {"probabilities": {"0": 0, "1-2": 1, "3+": 0}},  # ints: the model converts
        {"probabilities": {"0": float("nan"), "1-2": 0.5, "3+": 0.5}},
        {"probabilities": {"0": float("inf"), "1-2": 0.5, "3+": 0.5}},
        {"probabilities": {"0": True, "1-2": 0.5, "3+": 0.5}},
        {"probabilities": {"0": "0.2", "1-2": 0.5, "3+": 0.3}},
        {"probability": float("nan")},
        {"cdf": [0, 1]},
        {"cdf": [0.5] * 1001},
        {"time": "2026-01-02T03:04:05+00:00"},
        {"time": "2026-01-02T03:04:05"},
        {"time": "2026-13-02T03:04:05Z"},
        {"time": "2026-01-02T03:04:05.1Z"},
        {"time": 1767323045},
        {"user": "-alice"},
        {"user": "alice\n"},
        {"user": "a" * 65},
        {"question_id": "q" * 101},
        {"question_id": 7},
        {"rationale": "bad\x00byte"},
        {"rationale": "x" * 10_001},
        {"rationale": None},
        {"hidden": 1},
        {"late": "false"},
        {"revision": 0},
        {"revision": True},
        {"session": 1.0},
        {"phase": "reveal"},
        {"colour": "red"},
    ],
)
def test_any_other_row_goes_to_the_model(change: dict) -> None:
    assert _plain_forecast(PLAIN | change) is None


def test_rows_the_model_refuses_are_refused_with_its_message(db: Database) -> None:
    doc = document(3)
    doc["forecasts"][2]["rationale"] = "bad\x07bell"
    with pytest.raises(InvalidInput) as refused:
        interchange.import_document(db, SYSTEM, doc)
    message = str(refused.value)
    assert message.startswith("forecasts[2] (rounds, user2, 2026-01-01T02:00:00Z): ")
    assert "U+0007" in message


@pytest.mark.parametrize(
    "probabilities",
    [
        {"0": 0.2, "1-2": 0.5, "3+": 0.3},
        {"0": -0.0, "1-2": 0.5, "3+": 0.5},
        {"0": 0.1, "1-2": 0.1, "3+": 0.1},  # does not sum to 1
        {"0": 0.2, "1-2": 0.8},  # one missing
        {"0": 0.2, "1-2": 0.5, "3+": 0.3, "4": 0.0},  # one unknown
        {"0": 1.5, "1-2": -0.5, "3+": 0.0},  # out of range
    ],
)
def test_the_plain_vector_is_the_services_or_none(probabilities: dict) -> None:
    options = ["0", "1-2", "3+"]
    fast = _plain_vector(options, probabilities)
    try:
        slow = normalise_probabilities(options, probabilities)
    except InvalidInput:
        assert fast is None
        return
    assert fast is None or [repr(v) for v in fast] == [repr(v) for v in slow]


def forecast_indexes(db: Database) -> tuple[list[tuple[str, str]], int]:
    """The forecast table's indexes, and the page cache size the connection is left with."""
    with db.read() as session:
        found = session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'forecast'")
        ).all()
        return sorted(found), session.execute(text("PRAGMA cache_size")).scalar_one()


@pytest.fixture
def rebuild_small(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the index rebuild is SQLite's")
    monkeypatch.setattr(bulk, "REBUILD_AT", 5)
    monkeypatch.setattr(bulk, "BATCH", 4)


@pytest.mark.usefixtures("rebuild_small")
def test_a_big_import_rebuilds_the_sqlite_indexes_it_dropped(db: Database) -> None:
    before = forecast_indexes(db)
    assert any(name.startswith("ix_forecast") for name, _ in before[0])
    summary = interchange.import_document(db, SYSTEM, document(30, users=4))
    assert summary.forecasts_added == 30
    assert forecast_indexes(db) == before
    first = interchange.export_json(db)
    again = interchange.import_text(db, SYSTEM, first)
    assert (again.forecasts_added, again.forecasts_unchanged) == (0, 30)
    assert interchange.export_json(db) == first


@pytest.mark.usefixtures("rebuild_small")
def test_a_failed_big_import_leaves_the_indexes_and_no_rows(db: Database) -> None:
    before, rows = forecast_indexes(db), counts(db)
    doc = document(30)
    doc["forecasts"][29]["time"] = "2026-04-01T00:00:00Z"  # after the close: the last batch
    with pytest.raises(InvalidInput, match=r"^forecasts\[29\] .*after the question closed"):
        interchange.import_document(db, SYSTEM, doc)
    assert forecast_indexes(db) == before
    assert counts(db) == rows


def test_a_big_import_leaves_postgresql_the_statistics_it_plans_the_export_with(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without them a server-side cursor over the export's pivot planned a quadratic join."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("PostgreSQL's planner statistics")
    monkeypatch.setattr(bulk, "REBUILD_AT", 5)
    interchange.import_document(db, SYSTEM, document(30))
    with db.read() as session:
        rows = session.execute(
            text(
                "SELECT reltuples FROM pg_class WHERE relname = 'forecast_probability'"
                " AND relnamespace = current_schema()::regnamespace"
            )
        ).scalar_one()
    assert rows == 30 * 3
    exported = interchange.export_json(db)
    assert exported.count('"question_id"') == 30
