"""An admin resolves a question on the Admin page; the members then see their scores on the
Review page and on the question, the same numbers `tracker score` prints."""

import json

from playwright.sync_api import expect

from tests.e2e.conftest import goto_page, login, wait_idle

QUESTION = "iran-nationwide-protests-by-2027-06"
TITLE = "Will large-scale anti-government protests resume in Iran"


def _remembered(page) -> None:
    """Wait until the browser holds the "keep me signed in" cookie (a small script sets it
    after the sign-in run), so that opening an address directly resumes the session."""
    # a state, not a time: the script is re-sent on every run, so a busy server only delays it
    page.wait_for_function("document.cookie.includes('tracker_session=')", timeout=120_000)


def _history(tmp_path) -> str:
    """Two members' forecasts from the spring (imported: they keep their times)."""
    document = {
        "format": "forecast-tracker/1",
        "forecasts": [
            {"question_id": QUESTION, "user": "alice", "time": "2026-03-01T12:00:00Z",
             "probability": 0.2, "rationale": "Crackdown holds."},
            {"question_id": QUESTION, "user": "bob", "time": "2026-03-02T12:00:00Z",
             "probability": 0.7},
            {"question_id": QUESTION, "user": "alice", "time": "2026-06-01T12:00:00Z",
             "probability": 0.1},
        ],
    }  # fmt: skip
    path = tmp_path / "history.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_admin_resolves_and_review_shows_the_scores(app_server, new_page, tmp_path):
    done = app_server.tracker("import", _history(tmp_path))
    assert done.returncode == 0, done.stderr

    admin = new_page()
    login(admin, app_server.url, "admin")
    _remembered(admin)
    admin.goto(f"{app_server.url}/question?q={QUESTION}")
    wait_idle(admin)
    admin.get_by_role("link", name="Edit, resolve or annul this question (Admin)").click()
    wait_idle(admin)
    expect(admin.get_by_role("heading", name="Admin")).to_be_visible()
    resolve = admin.locator("[data-testid='stForm']").filter(has_text="Resolve or annul")
    resolve.locator("[data-testid='stRadio']").get_by_text("No", exact=True).click()
    resolve.get_by_label("Source (link or citation)").fill("https://news.example/iran")
    resolve.get_by_label("Resolution note").fill("No protests on that scale were reported.")
    resolve.get_by_text("I checked this against the resolution criteria").click()
    resolve.get_by_role("button", name="Resolve").click()
    wait_idle(admin)
    expect(admin.get_by_text("This question is already resolved")).to_be_visible()

    listed = app_server.tracker("questions", "list", "--format", "json")
    [row] = [q for q in json.loads(listed.stdout) if q["id"] == QUESTION]
    assert row["resolution"] == "No"

    scored = app_server.tracker("score", "--format", "json")
    assert scored.returncode == 0, scored.stderr
    mine = next(
        s
        for s in json.loads(scored.stdout)["scores"]
        if s["question_id"] == QUESTION and s["user"] == "alice"
    )

    alice = new_page()
    login(alice, app_server.url, "alice")
    goto_page(alice, "Review")
    alice.get_by_role("tab", name="Recently resolved").click()
    wait_idle(alice)
    item = alice.locator(".st-key-rv_recent_detail")  # the newest resolution is shown first
    expect(item).to_contain_text(TITLE)
    expect(item).to_contain_text("resolved No")
    expect(item).to_contain_text(
        f"Your score: final Brier {mine['brier']:.3f} · relative Brier "
        f"{mine['relative_brier']:+.3f}"
    )
    expect(item.locator("[data-testid='stVegaLiteChart']")).to_have_count(1)
    expect(item).to_contain_text("No protests on that scale were reported.")

    _remembered(alice)
    alice.goto(f"{app_server.url}/question?q={QUESTION}")
    wait_idle(alice)
    expect(alice.get_by_text("Resolved No on")).to_be_visible()
    expect(alice.get_by_role("heading", name="Scores")).to_be_visible()
    expect(alice.get_by_text(f"final Brier {mine['brier']:.3f}")).to_be_visible()
