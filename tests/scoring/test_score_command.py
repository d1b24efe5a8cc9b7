"""`tracker score [FILE] --format json|table` exactly as DESIGN §4: the fields and their
meanings, unresolved and annulled questions left out, an aligned table best relative Brier
first, and the database scored the same way as its exported file."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()

SCORE_FIELDS = [
    "question_id", "user", "brier", "mean_daily_brier", "median_daily_brier", "relative_brier",
    "participation", "active_days", "scored_days", "log_score", "baseline_score", "peer_score",
]  # fmt: skip
USER_FIELDS = ["user", "questions", "mean_daily_brier", "relative_brier", "baseline_score",
               "peer_score"]  # fmt: skip


def forecast(question: str, user: str, time: str, **probs: float) -> dict:
    return {"question_id": question, "user": user, "time": time, "probabilities": probs}


# Good Judgment's 2016 election example (see test_published_examples), an open question and an
# annulled one that must not be scored, and a binary question to give george a second row.
HISTORY = {
    "format": "forecast-tracker/1",
    "questions": [
        {
            "id": "election-2016",
            "title": "Who wins the 2016 US presidential election?",
            "type": "multiple_choice",
            "options": ["Clinton", "Trump"],
            "open_time": "2016-11-01T00:00:00Z",
            "close_time": "2016-11-08T00:00:00Z",
            "resolution": "Trump",
            "resolved_time": "2016-11-09T07:00:00Z",
            "tags": [],
        },
        {
            "id": "recount",
            "title": "Recount requested by 2016-11-05?",
            "type": "binary",
            "open_time": "2016-11-01T00:00:00Z",
            "close_time": "2016-11-05T00:00:00Z",
            "resolution": "No",
            "resolved_time": "2016-11-05T00:00:00Z",
            "tags": [],
        },
        {
            "id": "still-open",
            "title": "Still open",
            "type": "binary",
            "open_time": "2016-11-01T00:00:00Z",
            "close_time": "2030-01-01T00:00:00Z",
            "resolution": None,
            "resolved_time": None,
            "tags": [],
        },
        {
            "id": "void",
            "title": "Annulled",
            "type": "binary",
            "open_time": "2016-11-01T00:00:00Z",
            "close_time": "2016-12-01T00:00:00Z",
            "resolution": "annulled",
            "resolved_time": "2016-11-20T00:00:00Z",
            "tags": [],
        },
    ],
    "forecasts": [
        forecast("election-2016", "george", "2016-11-01T16:05:00Z", Clinton=0.7, Trump=0.3),
        forecast("election-2016", "kramer", "2016-11-02T11:37:00Z", Clinton=0.4, Trump=0.6),
        forecast("election-2016", "george", "2016-11-03T09:09:00Z", Clinton=0.5, Trump=0.5),
        forecast("election-2016", "george", "2016-11-03T21:42:00Z", Clinton=0.6, Trump=0.4),
        forecast("election-2016", "kramer", "2016-11-05T11:45:00Z", Clinton=0.3, Trump=0.7),
        {"question_id": "recount", "user": "george", "time": "2016-11-01T00:00:00Z",
         "probability": 0.2},
        {"question_id": "still-open", "user": "elaine", "time": "2016-11-02T00:00:00Z",
         "probability": 0.4},
        {"question_id": "void", "user": "elaine", "time": "2016-11-02T00:00:00Z",
         "probability": 0.9},
    ],
}  # fmt: skip


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(HISTORY), encoding="utf-8")
    return path


def score(*args: str) -> str:
    result = runner.invoke(app, ["score", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_has_exactly_the_documented_fields(history_file: Path) -> None:
    report = json.loads(score(str(history_file), "--format", "json"))
    assert list(report) == ["scores", "users"]
    assert all(list(row) == SCORE_FIELDS for row in report["scores"])
    assert all(list(row) == USER_FIELDS for row in report["users"])
    # Unresolved and annulled questions are left out, and so is a user with nothing scored.
    assert [(r["question_id"], r["user"]) for r in report["scores"]] == [
        ("election-2016", "george"), ("election-2016", "kramer"), ("recount", "george"),
    ]  # fmt: skip
    assert [u["user"] for u in report["users"]] == ["george", "kramer"]


def test_json_values_mean_what_design_says(history_file: Path) -> None:
    report = json.loads(score(str(history_file), "--format", "json"))
    rows = {(r["question_id"], r["user"]): r for r in report["scores"]}
    george, kramer = rows["election-2016", "george"], rows["election-2016", "kramer"]
    # brier and log_score: the forecast standing at the end (60/40 and 30/70, Trump won).
    assert george["brier"] == pytest.approx(0.72) and kramer["brier"] == pytest.approx(0.18)
    assert kramer["log_score"] == pytest.approx(-0.35667494393873245)  # ln 0.7
    assert george["mean_daily_brier"] == pytest.approx(5.56 / 7)
    # median_daily_brier: the daily median averaged over the user's own active days.
    assert george["median_daily_brier"] == pytest.approx(4.02 / 7)
    assert kramer["median_daily_brier"] == pytest.approx(3.04 / 6)
    assert george["relative_brier"] == pytest.approx(0.22)
    assert kramer["relative_brier"] == pytest.approx(-0.22)
    assert (kramer["active_days"], kramer["scored_days"]) == (6, 7)
    assert kramer["participation"] == pytest.approx(6 / 7)
    # Two forecasters: their time-averaged peer scores cancel out.
    assert kramer["peer_score"] == pytest.approx(-george["peer_score"])
    assert isinstance(george["baseline_score"], float)

    recount = rows["recount", "george"]  # alone: relative 0, peer 0
    assert recount["brier"] == pytest.approx(2 * 0.2**2)
    assert recount["relative_brier"] == 0.0 and recount["peer_score"] == 0.0
    assert recount["scored_days"] == 4

    users = {u["user"]: u for u in report["users"]}
    assert users["george"]["questions"] == 2
    for field in ("mean_daily_brier", "relative_brier", "baseline_score", "peer_score"):
        both = (george[field] + recount[field]) / 2
        assert users["george"][field] == pytest.approx(both), field
    assert users["kramer"]["relative_brier"] == pytest.approx(-0.22)


def tables(text: str) -> dict[str, list[str]]:
    """The table blocks of `tracker score` output by title."""
    blocks = [b.splitlines() for b in text.strip("\n").split("\n\n")]
    return {lines[0]: lines[1:] for lines in blocks}


def test_table_is_aligned_and_sorted_by_relative_brier(history_file: Path) -> None:
    text = score(str(history_file))
    assert not text.endswith("\n\n")
    found = tables(text)
    assert list(found) == ["Users", "Scores by question"]
    for title, fields in (("Users", USER_FIELDS), ("Scores by question", SCORE_FIELDS)):
        header, *rows = found[title]
        assert header.split() == fields
        spans = [m.span() for m in re.finditer(r"\S+", header)]
        for row in rows:
            cells = [m.span() for m in re.finditer(r"\S+", row)]
            assert len(cells) == len(fields), row
            for name, (start, end), (c_start, c_end) in zip(fields, spans, cells, strict=True):
                if name in ("question_id", "user"):
                    assert c_start == start, (title, name, row)  # text: left-aligned
                else:
                    assert c_end == end, (title, name, row)  # numbers: right-aligned
    users = found["Users"][1:]
    assert [row.split()[0] for row in users] == ["kramer", "george"]  # -0.22, then 0.11
    by_question = [row.split()[:2] for row in found["Scores by question"][1:]]
    assert by_question == [["election-2016", "kramer"], ["election-2016", "george"],
                           ["recount", "george"]]  # fmt: skip
    kramer = found["Scores by question"][1].split()
    assert kramer[2:9] == ["0.1800", "0.2500", "0.5067", "-0.2200", "86%", "6", "7"]


def test_without_a_file_the_database_is_scored_the_same_way(
    env_db: str, history_file: Path
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    imported = runner.invoke(app, ["import", str(history_file)])
    assert imported.exit_code == 0, imported.output
    from_file = score(str(history_file), "--format", "json")
    assert score("--format", "json") == from_file
    assert score() == score(str(history_file))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "forecast-tracker/1", "questions": [{"id": 1}]}', "question #0"),
        ("not json", "not valid JSON"),
        ('{"format": "something-else/1"}', "format"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_1(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["score", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_unknown_format_and_missing_file_are_user_errors(tmp_path: Path) -> None:
    wrong = runner.invoke(app, ["score", "--format", "xml"])
    assert wrong.exit_code == 1 and "--format must be table or json" in wrong.stderr
    missing = runner.invoke(app, ["score", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_hidden_forecasts_in_a_file_are_not_scored(tmp_path):
    document = {
        "format": "forecast-tracker/1",
        "questions": [
            {
                "id": "q",
                "title": "Q",
                "type": "binary",
                "open_time": "2026-01-01T00:00:00Z",
                "close_time": "2026-01-11T00:00:00Z",
                "resolution": "Yes",
                "resolved_time": "2026-01-11T00:00:00Z",
                "resolution_criteria": "r",
            },
        ],
        "forecasts": [
            {"question_id": "q", "user": "ann", "time": "2026-01-01T12:00:00Z", "probability": 0.8},
            {
                "question_id": "q",
                "user": "ann",
                "time": "2026-01-02T12:00:00Z",
                "probability": 0.1,
                "hidden": True,
            },
        ],
    }
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["score", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)["scores"]
    assert row["brier"] == pytest.approx(2 * 0.2**2)
