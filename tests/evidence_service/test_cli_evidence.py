"""`tracker ingest`, `feeds` and `summarize` from the command line."""

import json

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
