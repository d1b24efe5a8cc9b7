"""Score tables are kept in the database across restarts, keyed by the write version: a
restart reads them instead of rescoring, and every kind of write (forecast, resolve, annul,
hide, import) leaves what is served equal to scoring from scratch (SQLite and PostgreSQL)."""

from collections.abc import Callable

import pytest
from sqlmodel import select

from tracker import interchange
from tracker.db import Database
from tracker.models import Forecast, ScoreSnapshot
from tracker.schemas import Actor, ForecastCreate, Resolution
from tracker.scoring.report import score_input
from tracker.services import forecasts, memo, questions, scores

SYSTEM = Actor.system()


def question(qid: str, resolution: str | None, close: str = "2026-10-01T00:00:00Z") -> dict:
    return {
        "id": qid,
        "title": f"Question {qid}?",
        "type": "binary",
        "open_time": "2026-03-01T00:00:00Z",
        "close_time": close,
        "resolution": resolution,
        "resolved_time": None if resolution is None else close,
        "tags": [],
    }


def forecast(qid: str, user: str, time: str, p: float) -> dict:
    return {"question_id": qid, "user": user, "time": time, "probability": p}


HISTORY = {
    "format": "forecast-tracker/1",
    "questions": [
        question("strike", "No"),
        question("open", None, close="2027-10-01T00:00:00Z"),
    ],
    "forecasts": [
        forecast("strike", "ann", "2026-03-02T10:00:00Z", 0.2),
        forecast("strike", "ben", "2026-03-05T10:00:00Z", 0.7),
        forecast("strike", "ann", "2026-06-01T10:00:00Z", 0.1),
        forecast("open", "ben", "2026-03-03T00:00:00Z", 0.9),
    ],
}


@pytest.fixture
def history(db: Database) -> None:
    interchange.import_document(db, SYSTEM, HISTORY)
    scores.clear_caches()


def restart() -> None:
    """A new process: nothing memoised, only the database."""
    scores.clear_caches()


def kept_version(db: Database) -> int | None:
    with db.read() as session:
        row = session.get(ScoreSnapshot, "report")
        return None if row is None else row.version


def from_scratch(db: Database) -> dict:
    restart()
    return score_input(scores.scoring_input(db)).to_dict()


@pytest.mark.usefixtures("history")
def test_a_restart_reads_the_kept_tables_instead_of_rescoring(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = scores.report(db).to_dict()
    restart()

    def no_scoring(_data: object) -> None:
        raise AssertionError("rescored although the kept table is current")

    monkeypatch.setattr(scores, "score_input", no_scoring)
    assert scores.report(db).to_dict() == first


def _forecast(db: Database, admin: Actor, alice: Actor) -> None:
    create = ForecastCreate(question_id="open", probabilities={"Yes": 0.3, "No": 0.7})
    forecasts.log_forecast(db, alice, create)


def _resolve(db: Database, admin: Actor, alice: Actor) -> None:
    questions.resolve_question(db, admin, "open", Resolution(option="Yes"))


def _annul(db: Database, admin: Actor, alice: Actor) -> None:
    questions.resolve_question(db, admin, "open", Resolution(annul=True))


def _hide(db: Database, admin: Actor, alice: Actor) -> None:
    with db.read() as session:
        first = session.exec(select(Forecast.id).order_by(Forecast.id)).first()
    forecasts.set_hidden(db, admin, first or 0, True, "duplicate")


def _import(db: Database, admin: Actor, alice: Actor) -> None:
    more = {
        "format": "forecast-tracker/1",
        "questions": [question("rates", "Yes")],
        "forecasts": [forecast("rates", "carol", "2026-04-01T00:00:00Z", 0.6)],
    }
    interchange.import_document(db, SYSTEM, more)


WRITES: dict[str, tuple[Callable[[Database, Actor, Actor], None], bool]] = {
    # name: (the write, whether it changes a score)
    "forecast": (_forecast, False),  # only on an open question: no score depends on it yet
    "resolve": (_resolve, True),
    "annul": (_annul, False),
    "hide": (_hide, True),
    "import": (_import, True),
}


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("kind", list(WRITES))
def test_after_every_kind_of_write_a_restart_serves_current_scores(
    db: Database, admin: Actor, alice: Actor, kind: str
) -> None:
    write, changes_scores = WRITES[kind]
    before = scores.report(db).to_dict()
    assert kept_version(db) == memo.write_version(db)
    write(db, admin, alice)
    restart()
    served = scores.report(db).to_dict()
    assert served == from_scratch(db)
    assert kept_version(db) == memo.write_version(db)
    assert (served != before) is changes_scores
    for qid in {row["question_id"] for row in served["scores"]}:
        rows = [r.model_dump(exclude={"display_name"}) for r in scores.question_scores(db, qid)]
        assert rows == [r for r in served["scores"] if r["question_id"] == qid]
