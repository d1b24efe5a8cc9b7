"""The streamed export writes the same bytes as encoding the whole document at once, in any
batch size and with rows left out; import's plain-row fast path for probabilities returns
exactly what the full check returns, and sends every other row to it (SQLite and PostgreSQL)."""

import math

import pytest
from sqlmodel import select

from tracker import interchange
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.interchange import forecast_rows, writing
from tracker.interchange.reading import _plain_vector
from tracker.models import Forecast
from tracker.schemas import Actor
from tracker.services.forecasts import normalise_probabilities

from .test_bulk_import import document

SYSTEM = Actor.system()


def whole(db: Database, **options: object) -> str:
    return writing.dumps(writing.export_document(db, **options))  # type: ignore[arg-type]


@pytest.mark.parametrize("batch", [1, 7, 5_000])
def test_streamed_export_is_the_whole_documents_bytes(
    db: Database, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    doc = document(40)
    doc["forecasts"][3]["rationale"] = 'tiny 0.00001, é\n\u2028 "quoted"'
    doc["forecasts"][5]["probabilities"] = {"0": 1.5e-7, "1-2": 0.5, "3+": 0.4999998}
    interchange.import_document(db, SYSTEM, doc)
    monkeypatch.setattr(forecast_rows, "EXPORT_BATCH", batch)
    chunks: list[bytes] = []
    writing.write_json(db, chunks.append, credentials=True)
    assert len(chunks) >= 2
    assert b"".join(chunks).decode() == whole(db, credentials=True)
    with db.read() as session:
        ids = set(session.exec(select(Forecast.id).limit(9)))
    streamed = interchange.export_json(db, leave_out=ids)
    assert streamed == whole(db, leave_out=ids)
    assert streamed.count('"question_id"') == 40 - len(ids)


def test_an_export_with_no_forecasts_is_unchanged(db: Database) -> None:
    doc = document(0)
    interchange.import_document(db, SYSTEM, doc)
    assert interchange.export_json(db) == whole(db)
    every = interchange.export_json(db, leave_out=set(range(1, 100)))
    assert every == whole(db, leave_out=set(range(1, 100)))


OPTIONS = ["a", "b", "c"]


@pytest.mark.parametrize(
    "vector",
    [
        {"a": 0.2, "b": 0.5, "c": 0.3},
        {"a": 0.1, "b": 0.2, "c": 0.7000004},
        {"c": 1.0, "b": -0.0, "a": 0.0},
        {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3},
    ],
)
def test_the_fast_path_gives_the_checked_vector(vector: dict[str, float]) -> None:
    fast = _plain_vector(OPTIONS, vector)
    assert fast is not None
    expected = normalise_probabilities(OPTIONS, vector)
    assert [math.copysign(1, v) for v in fast] == [math.copysign(1, v) for v in expected]
    assert fast == expected


@pytest.mark.parametrize(
    "vector",
    [
        {"a": 0.2, "b": 0.5},
        {"a": 0.2, "b": 0.5, "d": 0.3},
        {"a": 0.2, "b": 0.5, "c": 0.3, "d": 0.0},
        {"a": math.nan, "b": 0.5, "c": 0.5},
        {"a": 0.5, "b": math.nan, "c": 0.5},
        {"a": 1.5, "b": -0.5, "c": 0.0},
        {"a": 0.2, "b": 0.2, "c": 0.2},
    ],
)
def test_every_other_row_goes_to_the_full_check(vector: dict[str, float]) -> None:
    """(Its values are floats: parsing made them so, and refused true/false and text.)"""
    assert _plain_vector(OPTIONS, vector) is None
    with pytest.raises(InvalidInput):
        normalise_probabilities(OPTIONS, vector)


def test_rows_the_templates_must_escape_or_skip_are_still_the_whole_documents(
    db: Database,
) -> None:
    doc = document(6)
    question = doc["questions"][0]
    question["options"] = ["<50 %", "50%+", '"100%s"']
    for row in doc["forecasts"]:
        row["probabilities"] = {"<50 %": 0.25, "50%+": 0.5, '"100%s"': 0.25}
    doc["forecasts"][1]["rationale"] = "%s %r %% \\ \t done"
    doc["forecasts"][2]["rationale"] = ""
    interchange.import_document(db, SYSTEM, doc)
    with db.write() as session:  # a time stored without microseconds, as older rows may be
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "UPDATE forecast SET created_at = '2026-01-01 03:00:00' WHERE id = 4"
            )
    exported = interchange.export_json(db)
    assert exported == whole(db)
    assert '"50%+": 0.5' in exported and '"%s %r %% \\\\ \\t done"' in exported
    assert '"time": "2026-01-01T03:00:00Z"' in exported


def test_a_forecast_whose_stored_vector_lost_an_option_is_refused_not_exported_short(
    db: Database,
) -> None:
    interchange.import_document(db, SYSTEM, document(3))
    with db.write() as session:
        session.connection().exec_driver_sql(
            "DELETE FROM forecast_probability WHERE forecast_id = 2 AND option_index = 1"
        )
    for export in (lambda: interchange.export_json(db), lambda: whole(db)):
        with pytest.raises(ValueError, match="zip"):
            export()


def test_a_forecast_with_no_stored_probabilities_is_refused_not_left_out(db: Database) -> None:
    interchange.import_document(db, SYSTEM, document(3))
    with db.write() as session:
        session.connection().exec_driver_sql(
            "DELETE FROM forecast_probability WHERE forecast_id = 2"
        )
    with pytest.raises(ValueError):
        interchange.export_json(db)


@pytest.mark.parametrize("batch", [2, 5_000])
def test_a_question_whose_rows_are_not_all_plain_is_written_row_by_row_to_the_same_bytes(
    db: Database, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    doc = document(9, users=9)
    doc["questions"].append(doc["questions"][0] | {"id": "later", "options": ["x", "y"]})
    doc["forecasts"] += [
        row | {"question_id": "later", "probabilities": {"x": 0.75, "y": 0.25}}
        for row in document(4)["forecasts"]
    ]
    doc["forecasts"][4]["hidden"] = True
    doc["forecasts"][6]["probabilities"] = {"0": 0.00001, "1-2": 1e-07, "3+": 0.99998999}
    interchange.import_document(db, SYSTEM, doc)
    monkeypatch.setattr(forecast_rows, "EXPORT_BATCH", batch)
    exported = interchange.export_json(db)
    assert exported == whole(db)
    assert '"hidden": true' in exported and "e-06," in exported and "e-08," in exported
    assert exported.count('"question_id": "later"') == 4
