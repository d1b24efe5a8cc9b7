"""Scores from the database: the same numbers as `tracker score` on the exported file."""

import json

import pytest
from typer.testing import CliRunner

from tracker import interchange
from tracker.cli import app
from tracker.schemas import Actor
from tracker.scoring.report import score_document
from tracker.services import scores

HISTORY = {
    "format": "forecast-tracker/1",
    "questions": [
        {
            "id": "strike",
            "title": "Strike by October?",
            "type": "binary",
            "open_time": "2026-03-01T00:00:00Z",
            "close_time": "2026-10-01T00:00:00Z",
            "resolution": "No",
            "resolved_time": "2026-10-01T00:00:00Z",
            "tags": [],
        },
        {
            "id": "rounds",
            "title": "Rounds of talks?",
            "type": "ordered",
            "options": ["0", "1-2", "3+"],
            "open_time": "2026-03-01T00:00:00Z",
            "close_time": "2026-10-01T00:00:00Z",
            "resolution": "1-2",
            "resolved_time": "2026-08-15T00:00:00Z",
            "tags": [],
        },
        {
            "id": "void",
            "title": "Annulled",
            "type": "binary",
            "open_time": "2026-03-01T00:00:00Z",
            "close_time": "2026-10-01T00:00:00Z",
            "resolution": "annulled",
            "resolved_time": "2026-05-01T00:00:00Z",
            "tags": [],
        },
        {
            "id": "open",
            "title": "Still open",
            "type": "binary",
            "open_time": "2026-03-01T00:00:00Z",
            "close_time": "2027-10-01T00:00:00Z",
            "resolution": None,
            "resolved_time": None,
            "tags": [],
        },
    ],
    "forecasts": [
        {
            "question_id": "strike",
            "user": "alice",
            "time": "2026-03-02T10:00:00Z",
            "probability": 0.2,
        },
        {
            "question_id": "strike",
            "user": "bob",
            "time": "2026-03-05T10:00:00Z",
            "probability": 0.7,
        },
        {
            "question_id": "strike",
            "user": "alice",
            "time": "2026-06-01T10:00:00Z",
            "probability": 0.1,
        },
        {
            "question_id": "rounds",
            "user": "alice",
            "time": "2026-03-03T00:00:00Z",
            "probabilities": {"0": 0.2, "1-2": 0.6, "3+": 0.2},
        },
        {
            "question_id": "rounds",
            "user": "bob",
            "time": "2026-04-03T00:00:00Z",
            "probabilities": {"0": 0.6, "1-2": 0.3, "3+": 0.1},
        },
        {"question_id": "void", "user": "bob", "time": "2026-03-03T00:00:00Z", "probability": 0.9},
        {"question_id": "open", "user": "bob", "time": "2026-03-03T00:00:00Z", "probability": 0.9},
    ],
}


@pytest.fixture
def history(db):
    interchange.import_document(db, Actor.system(), HISTORY)


def test_database_scores_equal_the_scores_of_the_exported_file(db, history):
    from_db = scores.report(db).to_dict()
    from_file = score_document(interchange.export_document(db))
    assert from_db == from_file
    assert {(r["question_id"], r["user"]) for r in from_db["scores"]} == {
        ("strike", "alice"),
        ("strike", "bob"),
        ("rounds", "alice"),
        ("rounds", "bob"),
    }


def test_leaderboard_ranks_by_relative_brier(db, history):
    board = scores.leaderboard(db)
    assert [row.user for row in board] == ["alice", "bob"]
    assert board[0].relative_brier < 0 < board[1].relative_brier
    assert board[0].questions == 2 and board[0].rank == 1
    assert scores.leaderboard(db, min_questions=3) == []


def test_question_and_user_scores(db, history):
    strike = {s.user: s for s in scores.question_scores(db, "strike")}
    assert strike["alice"].brier == pytest.approx(2 * 0.1**2)
    assert strike["bob"].brier == pytest.approx(2 * 0.7**2)
    assert {s.question_id for s in scores.user_scores(db, "bob")} == {"strike", "rounds"}
    assert scores.question_scores(db, "open") == []


def test_binary_calibration_counts_one_p_yes_event_per_final_forecast(db, history):
    view = scores.user_calibration(db, "alice")
    assert view.events == "binary"
    assert view.forecasts == 1  # strike; rounds is multiple-choice
    assert sum(b.count for b in view.bins) == 1


def test_multiple_choice_calibration_counts_each_option_one_vs_rest(db, history):
    view = scores.user_calibration(db, "alice", "one_vs_rest")
    assert view.forecasts == 1
    assert sum(b.count for b in view.bins) == 3
    parts = (
        view.reliability
        - view.resolution
        + view.uncertainty
        + view.within_bin_variance
        - view.within_bin_covariance
    )
    assert parts == pytest.approx(view.brier)
    empty = scores.user_calibration(db, "nobody")
    assert empty.forecasts == 0 and empty.brier is None


def test_recently_resolved_queue(db, history, clock):
    from datetime import UTC, datetime

    clock.now = datetime(2026, 10, 3, tzinfo=UTC)
    queue = scores.recently_resolved(db, days=7)
    assert [r.question_id for r in queue] == ["strike"]
    assert [s.user for s in queue[0].scores] == ["alice", "bob"]


def test_data_version_moves_with_every_write(db, history, admin):
    before = scores.data_version(db)
    from tests.support import question_data
    from tracker.services import questions

    questions.create_question(db, admin, question_data(id="new-one"))
    assert scores.data_version(db) > before


def test_score_command_on_a_file_and_on_the_database(env_db, tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    path = tmp_path / "history.json"
    path.write_text(json.dumps(HISTORY))
    from_file = runner.invoke(app, ["score", str(path), "--format", "json"])
    assert from_file.exit_code == 0, from_file.output
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    from_db = runner.invoke(app, ["score", "--format", "json"])
    assert json.loads(from_db.stdout) == json.loads(from_file.stdout)
    table = runner.invoke(app, ["score"])
    assert table.exit_code == 0 and "relative_brier" in table.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "forecast-tracker/1", "questions": [{"id": 1}]}')
    refused = runner.invoke(app, ["score", str(bad)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
