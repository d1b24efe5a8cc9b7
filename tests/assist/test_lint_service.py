"""Question lint through the service and the CLI: model findings must quote the question."""

import json

from typer.testing import CliRunner

from tests.support import question_data
from tracker.cli import app
from tracker.services import lint, questions
from tracker.testing.fake_llm_server import hang, ok

CRITERIA = (
    "Resolves Yes if two wire services (Reuters, AP or AFP) report a US strike on Iranian "
    "territory before the close."
)


def ambiguity(quote: str, field: str = "resolution_criteria") -> dict:
    return {
        "field": field,
        "quote": quote,
        "readings": ["any two of the three", "two, one of which must be Reuters"],
        "severity": "warning",
        "message": "Which two services count is unclear.",
    }


def make(db, admin, **overrides):
    fields = {"resolution_criteria": CRITERIA, **overrides}
    return questions.create_question(db, admin, question_data(**fields))


def test_model_findings_are_kept_only_when_their_quote_is_in_the_field(db, admin, model_server):
    q = make(db, admin)
    invented = ambiguity("confirmed by the Pentagon")
    wrong_field = ambiguity("two wire services", field="title")
    model_server.script(ok({"findings": [ambiguity("two wire services"), invented, wrong_field]}))
    report = lint.lint_question(db, q.id)
    model = [f for f in report.findings if f.source == "model"]
    assert [f.quote for f in model] == ["two wire services"]
    assert model[0].code == "ambiguous-wording" and "Readings" in model[0].message
    assert report.engine == "openai" and report.model == "fake-model"


def test_the_same_wording_is_asked_once(db, admin, model_server):
    q = make(db, admin, id="asked-once")
    model_server.script(ok({"findings": []}))
    lint.lint_question(db, q.id)
    lint.lint_question(db, q.id)
    assert model_server.calls == 1


def test_a_garbage_answer_leaves_the_rule_findings_and_says_why(db, admin, model_server):
    q = make(db, admin, id="garbage", resolution_criteria="Resolves Yes if it happens.")
    model_server.script(ok("this is not json"), ok("still not json"))
    report = lint.lint_question(db, q.id)
    assert report.engine == "offline" and report.fallback_reason
    assert {f.code for f in report.findings} == {"no-resolution-source"}


def test_a_hung_server_costs_one_deadline_and_falls_back(db, admin, model_server):
    q = make(db, admin, id="hung")
    model_server.script(hang(30))
    report = lint.lint_question(db, q.id)
    assert report.engine == "offline" and "did not answer" in (report.fallback_reason or "")


def test_offline_engine_gives_rule_findings_only(db, admin, offline):
    q = make(db, admin, id="offline", title="Will major protests happen in Iran?")
    report = lint.lint_question(db, q.id)
    assert report.engine == "offline" and report.fallback_reason is None
    assert all(f.source == "rules" for f in report.findings)
    assert "vague-threshold" in {f.code for f in report.findings}


def test_unsaved_form_fields_are_linted_without_storing_anything(db, admin, offline):
    fields = {
        "title": "Will the US strike Iran by 30 June 2027?",
        "type": "binary",
        "resolution_criteria": CRITERIA,
        "close_time": "2027-06-30T00:00:00Z",
    }
    report = lint.lint_fields(db, fields)
    assert [f.code for f in report.errors] == ["window-excludes-named-day"]
    assert questions.list_questions(db) == []


runner = CliRunner()


def test_cli_lints_a_question_as_json_and_exits_1_on_an_error(env_db, offline):
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["seed"]).exit_code == 0
    result = runner.invoke(app, ["lint", "us-strike-iran-by-2027-06", "--format", "json"])
    [report] = json.loads(result.stdout)
    assert report["question_id"] == "us-strike-iran-by-2027-06"
    has_error = any(f["severity"] == "error" for f in report["findings"])
    assert result.exit_code == (1 if has_error else 0)
    for finding in report["findings"]:
        assert set(finding) >= {"code", "severity", "field", "message"}


def test_cli_lints_every_question_of_an_interchange_file(env_db, offline, tmp_path):
    assert runner.invoke(app, ["init"]).exit_code == 0
    document = {
        "format": "forecast-tracker/1",
        "questions": [
            {
                "id": "a",
                "title": "Will major protests happen in Iran?",
                "type": "binary",
                "resolution_criteria": "Yes if they happen.",
                "open_time": "2026-02-06T00:00:00Z",
                "close_time": "2027-07-01T00:00:00Z",
            }
        ],
    }
    path = tmp_path / "q.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(app, ["lint", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "vague-threshold" in result.stdout and "no-resolution-source" in result.stdout


def test_cli_needs_exactly_one_target(env_db):
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 1 and "QUESTION_ID or --file" in result.stderr
