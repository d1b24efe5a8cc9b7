"""The `tracker` command: one clear line and a non-zero exit for user mistakes, no traceback."""

import json
import sys
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.cli.questions import parse_probs
from tracker.db import Database
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.services import users

runner = CliRunner()


class TerminalRunner(CliRunner):
    """A runner whose stdin looks like a terminal, so commands prompt (fed by `input=`)."""

    @contextmanager
    def isolation(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with super().isolation(*args, **kwargs) as streams:
            sys.stdin.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


def run(*args: str, **env: str):
    return runner.invoke(app, list(args), env=env or None)


@pytest.fixture
def seeded(env_db):
    assert run("init").exit_code == 0
    result = run("seed")
    assert result.exit_code == 0, result.output
    return env_db


def test_init_seed_and_list_json(seeded):
    listed = run("questions", "list", "--format", "json")
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert len(rows) >= 12
    assert {r["type"] for r in rows} == {"binary", "multiple_choice", "ordered"}
    assert all(r["state"] == "open" for r in rows)


def test_seeding_twice_adds_nothing(seeded):
    before = json.loads(run("export").stdout)
    again = run("seed")
    assert "0 questions added" in again.stdout and "0 evidence notes added" in again.stdout
    assert json.loads(run("export").stdout) == before


def test_forecast_and_resolve_from_the_command_line(seeded):
    assert (
        run("users", "add", "alice", "--role", "forecaster", TRACKER_PASSWORD="pw-123456").exit_code
        == 0
    )
    ok = run(
        "forecast",
        "us-strike-iran-by-2027-06",
        "--user",
        "alice",
        "--prob",
        "0.3",
        "--rationale",
        "carriers in the Gulf",
    )
    assert ok.exit_code == 0, ok.output
    mc = run(
        "forecast",
        "us-iran-talk-rounds-by-2027-06",
        "--user",
        "alice",
        "--probs",
        "0=0.1,1=0.1,2–3=0.2,4–6=0.3,7–10=0.2,≥ 11=0.1",
    )
    assert mc.exit_code == 0, mc.output
    resolved = run("resolve", "us-strike-iran-by-2027-06", "No", "--note", "none reported")
    assert resolved.exit_code == 0 and "resolved as 'No'" in resolved.stdout
    exported = json.loads(run("export").stdout)
    users = {f["user"] for f in exported["forecasts"]}
    assert users == {"alice"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("forecast", "us-strike-iran-by-2027-06", "--user", "ghost", "--prob", "0.3"), "no user"),
        (("forecast", "nope", "--user", "alice", "--prob", "0.3"), "no question"),
        (
            ("forecast", "us-strike-iran-by-2027-06", "--user", "alice", "--prob", "1.3"),
            "between 0 and 1",
        ),
        (("forecast", "us-strike-iran-by-2027-06", "--user", "alice"), "exactly one of"),
        (("resolve", "us-strike-iran-by-2027-06", "Maybe"), "not an option"),
        (("resolve", "us-strike-iran-by-2027-06"), "either an option or annul"),
        (("import", "/nonexistent/file.json"), "error:"),
        (("users", "set-role", "ghost", "admin"), "no user"),
    ],
)
def test_user_mistakes_exit_non_zero_with_one_line(seeded, args, message):
    run("users", "add", "alice", TRACKER_PASSWORD="pw-123456")
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_import_with_a_bad_row_names_it_and_changes_nothing(seeded, tmp_path):
    before = run("export").stdout
    bad = {
        "format": "forecast-tracker/1",
        "questions": [],
        "forecasts": [
            {
                "question_id": "us-strike-iran-by-2027-06",
                "user": "zed",
                "time": "2026-03-01T00:00:00Z",
                "probability": 1.3,
            }
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "forecasts[0]" in result.stderr and "between 0 and 1" in result.stderr
    assert run("export").stdout == before


def test_commands_refuse_an_uninitialised_database(env_db, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'blank.db'}")
    from tracker.config import get_settings

    get_settings.cache_clear()
    result = run("questions", "list")
    assert result.exit_code == 1 and "tracker init" in result.stderr


def test_export_csv_and_to_a_file(seeded, tmp_path):
    target = tmp_path / "out.json"
    assert run("export", "--output", str(target)).exit_code == 0
    assert json.loads(target.read_text())["format"] == "forecast-tracker/1"
    csv_out = run("export", "--format", "csv")
    assert csv_out.stdout.startswith("question_id,question_title,user,time,option,probability")


def test_parse_probs():
    assert parse_probs("A=0.2, B b=0.8") == {"A": 0.2, "B b": 0.8}
    with pytest.raises(InvalidInput):
        parse_probs("A:0.2")
    with pytest.raises(InvalidInput):
        parse_probs("A=x")


@pytest.fixture
def no_password_env(monkeypatch):
    monkeypatch.delenv("TRACKER_PASSWORD", raising=False)


def test_users_add_prompts_for_the_password_twice_on_a_terminal(seeded, no_password_env):
    result = TerminalRunner().invoke(
        app,
        ["users", "add", "carol", "--role", "forecaster"],
        input="typed at the prompt\ntyped at the prompt\n",
    )
    assert result.exit_code == 0, result.output
    assert "password" in result.output.lower() and "confirmation" in result.output.lower()
    assert "typed at the prompt" not in result.output  # hidden input is not echoed
    assert "user carol added as forecaster" in result.stdout
    db = Database(seeded)
    try:
        assert users.authenticate(db, "carol", "typed at the prompt").role == "forecaster"
        with pytest.raises(PermissionDenied):
            users.authenticate(db, "carol", "something else")
    finally:
        db.dispose()


def test_a_mismatched_password_confirmation_creates_no_user(seeded, no_password_env):
    result = TerminalRunner().invoke(
        app, ["users", "add", "carol", "--role", "forecaster"], input="first try!\nsecond try\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert "Traceback" not in result.output
    db = Database(seeded)
    try:
        with pytest.raises(NotFound):
            users.get_user(db, "carol")
    finally:
        db.dispose()


def test_users_add_without_a_password_or_a_terminal_refuses_in_one_line(seeded, no_password_env):
    result = run("users", "add", "carol", "--role", "forecaster")
    assert result.exit_code == 1
    assert "TRACKER_PASSWORD" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "carol" not in run("users", "list").stdout


def test_the_role_choices_are_the_schemas_roles():
    """The command spells the roles out so that `--help` loads no pydantic; they stay equal."""
    from typing import get_args

    from tracker import schemas
    from tracker.cli import users as users_cli

    assert get_args(users_cli.Role) == get_args(schemas.Role)


def test_help_loads_neither_the_database_layer_nor_pandas():
    """`tracker --help` imports only the command table: services load when a command runs."""
    import subprocess

    probe = "import sys, tracker.cli; print(sorted(m for m in ('sqlalchemy', 'sqlmodel', "
    probe += "'pandas', 'numpy', 'pydantic', 'tracker.services') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr


def test_help_lists_every_command_without_loading_rich():
    """Rich's help panels would import its markdown and traceback modules: more than half of
    what `tracker --help` costs. The plain help still names every command."""
    import subprocess

    shown = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tracker.cli", "--help"],
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in shown.stderr.splitlines()}
    assert not {m for m in imported if m == "rich" or m.startswith("rich.")}
    for name in ("init", "forecast", "import", "export", "score", "sessions", "bot"):
        assert f"\n  {name} " in shown.stdout
