"""Hostile text at the edges gives one clear line and changes nothing."""

import json
import math

import pytest
from typer.testing import CliRunner

from tests.support import make_user, question_data
from tracker.cli import app
from tracker.db import Database
from tracker.services import forecasts, questions, users

runner = CliRunner()


@pytest.fixture
def cli_db(env_db):
    assert runner.invoke(app, ["init"]).exit_code == 0
    db = Database(env_db)
    admin = make_user(db, "admin1", "admin")
    make_user(db, "alice")
    questions.create_question(db, admin, question_data())
    yield db
    db.dispose()


def one_clear_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def document(title: str, user: str = "alice") -> dict:
    return {
        "format": "forecast-tracker/1",
        "questions": [
            {
                "id": "hostile",
                "title": title,
                "type": "binary",
                "description": "",
                "resolution_criteria": "Something happens.",
                "open_time": "2026-01-01T00:00:00Z",
                "close_time": "2027-07-01T00:00:00Z",
                "resolution": None,
                "resolved_time": None,
                "tags": [],
            }
        ],
        "forecasts": [
            {"question_id": "hostile", "user": user, "time": "2026-03-01T00:00:00Z",
             "probability": 0.5}
        ],
    }  # fmt: skip


def test_importing_a_lone_surrogate_is_one_clear_line_and_adds_nothing(cli_db, tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document("a\ud800b")), encoding="ascii")  # "\ud800" escaped
    line = one_clear_line(runner.invoke(app, ["import", str(path)]))
    assert "not valid Unicode" in line
    assert [q.id for q in questions.list_questions(cli_db)] == ["us-strike"]


def test_a_rationale_of_bytes_that_are_not_utf8_is_one_clear_line(cli_db):
    argv_decoded = b"bad\xffbyte".decode("utf-8", "surrogateescape")  # what Python makes of it
    result = runner.invoke(
        app,
        ["forecast", "us-strike", "--user", "alice", "--prob", "0.3", "--rationale", argv_decoded],
    )
    assert "not valid Unicode" in one_clear_line(result)
    assert forecasts.forecast_history(cli_db, question_id="us-strike") == []


def test_minus_zero_is_stored_and_printed_as_zero(cli_db):
    result = runner.invoke(app, ["forecast", "us-strike", "--user", "alice", "--prob", "-0.0"])
    assert result.exit_code == 0, result.output
    assert "Yes=0.000" in result.stdout and "-0.000" not in result.stdout
    [saved] = forecasts.forecast_history(cli_db, question_id="us-strike")
    assert math.copysign(1.0, saved.probabilities["Yes"]) == 1.0


def test_user_names_ignore_case_so_no_look_alike_account_is_made(cli_db, tmp_path):
    added = runner.invoke(app, ["users", "add", "ADMIN1"], env={"TRACKER_PASSWORD": "pw-123456"})
    assert "already exists" in one_clear_line(added)
    path = tmp_path / "upper.json"
    path.write_text(json.dumps(document("A fine title", user="ADMIN1")), encoding="utf-8")
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    assert [u.name for u in users.list_users(cli_db)] == ["admin1", "alice"]
    [imported] = forecasts.forecast_history(cli_db, question_id="hostile")
    assert imported.user == "admin1"
    assert users.authenticate(cli_db, "Alice", "correct horse").name == "alice"
