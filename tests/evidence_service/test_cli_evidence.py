"""`tracker ingest`, `feeds` and `summarize` from the command line."""

import io
import json
import re
import sys

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()


@pytest.fixture
def seeded(env_db, monkeypatch):
    from tracker.config import get_settings

    assert runner.invoke(app, ["seed"]).exit_code == 0
    monkeypatch.setattr(get_settings(), "openai_api_key", None)
    monkeypatch.setattr(get_settings(), "openai_base_url", None)


def test_ingest_a_file_links_it_and_refuses_private_urls(seeded, tmp_path):
    article = tmp_path / "missiles.md"
    article.write_text(
        "# Missile talks\n\nIran said its ballistic missile programme is not negotiable and "
        "rejected limits on missile range in any agreement with the United States."
    )
    result = runner.invoke(
        app, ["ingest", str(article), "--outlet", "Wire", "--published", "2026-11-20"]
    )
    assert result.exit_code == 0, result.output
    assert "ballistic-missile-limits-in-agreement-by-2027-12" in result.stdout
    again = runner.invoke(app, ["ingest", str(article)])
    assert "already stored" in again.stdout
    refused = runner.invoke(app, ["ingest", "http://127.0.0.1:8080/admin"])
    assert refused.exit_code == 1 and "loopback" in refused.stderr
    bad_time = runner.invoke(app, ["ingest", str(article), "--published", "soon"])
    assert bad_time.exit_code == 1 and "--published" in bad_time.stderr


def test_summarize_one_and_all_as_json(seeded):
    one = runner.invoke(app, ["summarize", "us-strike-iran-by-2027-06", "--format", "json"])
    assert one.exit_code == 0, one.output
    [summary] = json.loads(one.stdout)
    assert summary["engine"] == "offline"
    assert all(p["verified"] for p in summary["summary"]["key_points"])
    every = runner.invoke(app, ["summarize", "--all"])
    assert every.exit_code == 0 and every.stdout.count("== ") >= 12
    assert runner.invoke(app, ["summarize"]).exit_code == 1


def test_feeds_add_refuses_duplicates_and_bad_schemes(seeded):
    assert runner.invoke(app, ["feeds", "add", "https://example.org/rss"]).exit_code == 0
    dup = runner.invoke(app, ["feeds", "add", "https://example.org/rss"])
    assert dup.exit_code == 1 and "already registered" in dup.stderr
    bad = runner.invoke(app, ["feeds", "add", "file:///etc/passwd"])
    assert bad.exit_code == 1


def test_summarize_for_a_user_starts_from_their_last_forecast(seeded, monkeypatch):
    question = "us-strike-iran-by-2027-06"
    monkeypatch.setenv("TRACKER_PASSWORD", "correct horse battery")
    assert runner.invoke(app, ["users", "add", "bob", "--role", "forecaster"]).exit_code == 0
    logged = runner.invoke(app, ["forecast", question, "--user", "bob", "--prob", "0.3"])
    assert logged.exit_code == 0, logged.output

    anyone = json.loads(runner.invoke(app, ["summarize", question, "--format", "json"]).stdout)
    mine = runner.invoke(app, ["summarize", question, "--user", "bob", "--format", "json"])
    assert mine.exit_code == 0, mine.output
    [for_bob] = json.loads(mine.stdout)
    assert anyone[0]["since_time"] is None
    assert for_bob["since_time"] is not None
    assert "since" in for_bob["summary"]["whats_new"].lower()

    nobody = runner.invoke(app, ["summarize", question, "--user", "nobody"])
    assert nobody.exit_code == 1 and "Traceback" not in nobody.output
    assert nobody.stderr.startswith("error:") and nobody.stderr.count("\n") == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_summarize_draws_a_progress_bar_on_a_terminal_only(seeded, monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    app(["summarize", "--all", "--format", "json"], standalone_mode=False)
    done = len(json.loads(capsys.readouterr().out))
    drawn = terminal.getvalue()
    assert "summarising" in drawn and "━" in drawn
    assert f"{done}/{done}" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)

    piped = runner.invoke(app, ["summarize", "--all"])
    assert piped.exit_code == 0 and piped.stderr == ""  # no bar when stderr is not a terminal
