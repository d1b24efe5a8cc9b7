"""Numeric and date questions in the interchange document (DESIGN §3): the question's flat
`range` keys, a forecast's `cdf`, a value resolution; export → import → export is byte-
identical, re-import is idempotent, and a bad row changes nothing and is named."""

import copy
import json

import pytest
from sqlmodel import SQLModel

from tests.support import NOW, Clock
from tracker import interchange
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.scoring.continuous import ContinuousRange
from tracker.scoring.continuous_build import cdf_from_percentiles
from tracker.services import forecasts


def _system():  # type: ignore[no-untyped-def]
    from tracker.schemas import Actor

    return Actor.system()


def _cdf(rng: ContinuousRange, handles: dict[float, float]) -> list[float]:
    return [float(x) for x in cdf_from_percentiles(rng, handles)]


def document() -> dict:
    brent = ContinuousRange(40, 120, True, True)
    days = ContinuousRange(20788.0, 20999.0, False, True)  # 2026-12-01 .. 2027-06-30
    return {
        "format": "forecast-tracker/1",
        "questions": [
            {
                "id": "brent",
                "title": "Brent settlement on 30 June 2027?",
                "type": "numeric",
                "open_time": "2026-02-06T00:00:00Z",
                "close_time": "2026-10-01T00:00:00Z",
                "range": [40, 120],
                "open_lower": True,
                "open_upper": True,
                "scale": "linear",
                "unit": "USD/bbl",
                "resolution": 81.25,
                "resolved_time": "2026-10-01T00:00:00Z",
            },
            {
                "id": "next-round",
                "title": "When will the next round of talks begin?",
                "type": "date",
                "open_time": "2026-02-06T00:00:00Z",
                "close_time": "2027-06-30T00:00:00Z",
                "range": ["2026-12-01", "2027-06-30"],
                "open_upper": True,
            },
        ],
        "forecasts": [
            {"question_id": "brent", "user": "alice", "time": "2026-03-01T00:00:00Z",
             "cdf": _cdf(brent, {10: 62, 50: 75, 90: 95}), "rationale": "tight market"},
            {"question_id": "next-round", "user": "bob", "time": "2026-03-02T00:00:00Z",
             "cdf": _cdf(days, {10: 20800.0, 50: 20850.0, 90: 20950.0})},
        ],
    }  # fmt: skip


def _fresh(tmp_path, name: str) -> Database:  # type: ignore[no-untyped-def]
    other = Database(f"sqlite:///{tmp_path / name}", clock=Clock(NOW))
    SQLModel.metadata.create_all(other.engine)
    return other


def test_a_numeric_document_round_trips_byte_for_byte(db: Database, tmp_path) -> None:
    interchange.import_document(db, _system(), document())
    first = interchange.export_json(db)
    exported = json.loads(first)
    brent = next(q for q in exported["questions"] if q["id"] == "brent")
    assert brent["range"] == [40.0, 120.0] and brent["unit"] == "USD/bbl"
    assert brent["resolution"] == 81.25 and brent["options"] == []
    dated = next(q for q in exported["questions"] if q["id"] == "next-round")
    assert dated["range"] == ["2026-12-01", "2027-06-30"] and dated["open_upper"] is True
    assert all(len(f["cdf"]) == 201 and "probabilities" not in f for f in exported["forecasts"])
    other = _fresh(tmp_path, "other.db")
    interchange.import_text(other, _system(), first)
    assert interchange.export_json(other) == first
    (stored,) = forecasts.forecast_history(other, question_id="brent")
    assert stored.cdf == exported["forecasts"][0]["cdf"]
    other.dispose()


def test_reimporting_a_numeric_document_adds_nothing(db: Database) -> None:
    interchange.import_document(db, _system(), document())
    again = interchange.import_document(db, _system(), document())
    assert (again.questions_added, again.forecasts_added) == (0, 0)
    assert (again.questions_unchanged, again.forecasts_unchanged) == (2, 2)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["forecasts"][0].update(cdf=[0.5] * 201), r"forecasts\[0\].*"),
        (lambda d: d["forecasts"][0]["cdf"].pop(), r"forecasts\[0\].*201"),
        (lambda d: d["forecasts"][0].update(probability=0.4), r"forecasts\[0\].*give 'cdf'"),
        (lambda d: d["forecasts"][1].pop("cdf"), r"forecasts\[1\].*needs 'cdf'"),
        (lambda d: d["questions"][1].update(range=["2027-06-30", "2026-12-01"]), "lower < upper"),
        (lambda d: d["questions"][0].update(resolution="a lot"), r"questions\[0\].*not a number"),
        (
            lambda d: d["questions"][1].update(resolution="2026-01-01",
                                               resolved_time="2026-10-01T00:00:00Z"),
            r"questions\[1\].*below the closed lower bound",
        ),
        (lambda d: d["questions"][0].update(range=[1, 2, 3]), "range must be"),
    ],
)  # fmt: skip
def test_a_bad_numeric_row_changes_nothing_and_is_named(db: Database, mutate, message) -> None:
    bad = copy.deepcopy(document())
    mutate(bad)
    with pytest.raises(InvalidInput, match=message):
        interchange.import_document(db, _system(), bad)
    assert interchange.export_document(db)["questions"] == []


def test_a_categorical_question_refuses_a_cdf(db: Database) -> None:
    bad = copy.deepcopy(document())
    bad["questions"][0] |= {"type": "binary", "resolution": None, "resolved_time": None}
    for key in ("range", "open_lower", "open_upper", "scale", "unit"):
        bad["questions"][0].pop(key)
    with pytest.raises(InvalidInput, match=r"forecasts\[0\].*only for numeric and date"):
        interchange.import_document(db, _system(), bad)
