"""In the browser: a question resolved on the day the team forecast leaves no full day to score;
the leaderboard says so, ranks everyone as tied and shows display names."""

import json
import sys

from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, goto_page, login
from tests.review.test_leaderboard_without_full_days import SAME_DAY


def test_leaderboard_says_no_full_day_scored_and_ranks_ties_as_ties(app_server, new_page, tmp_path):
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "tracker.cli", "users", "add", "dora", "--role", "forecaster",
         "--display-name", "Dora Diaz"],
        cwd=ROOT, env={**app_server.env, "TRACKER_PASSWORD": "dora-pass-123"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = {**SAME_DAY, "forecasts": [
        {**f, "user": "dora"} if f["user"] == "carol" else f for f in SAME_DAY["forecasts"]
    ]}  # fmt: skip
    path = tmp_path / "same-day.json"
    path.write_text(json.dumps(document))
    done = app_server.tracker("import", str(path))
    assert done.returncode == 0, done.stderr

    page = new_page()
    login(page, app_server.url, "alice")
    goto_page(page, "Review")
    expect(page.get_by_text("No full day scored yet")).to_be_visible()
    board = page.locator("[data-testid='stDataFrame']").first
    expect(board).to_be_visible()
    # the grid draws on a canvas; its accessible copy holds the cells as text
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-testid='stDataFrame'] [role='gridcell']")]
              .map(c => c.textContent).join('|').includes('Dora Diaz')"""
    )
    shown = board.locator("[role='gridcell']").all_text_contents()
    assert shown.count("=1") == 3
    assert "no full day scored" in shown and "Dora Diaz" in shown and "alice (you)" in shown
    assert not [c for c in shown if c.startswith("-0.0")]
