"""Discussion in the browser: a comment posted on a hide-until-forecast question stays hidden
from a colleague until they have forecast, then shows as plain text; it is in the export."""

import json

from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_idle

QUESTION = "us-sanctions-relief-iran-by-2027-06"
COMMENT = "Relief needs a signed text first, see https://example.org/brief and @bob"


def _open(page, base_url: str) -> None:
    page.wait_for_function("document.cookie.includes('tracker_session=')")
    page.goto(f"{base_url}/question?q={QUESTION}")
    wait_idle(page)
    page.get_by_role("heading", level=2).first.wait_for()


def _forecast(app_server, user: str, p: str) -> None:
    done = app_server.tracker("forecast", QUESTION, "--user", user, "--prob", p)
    assert done.returncode == 0, done.stderr


def test_comments_stay_hidden_until_you_forecast(app_server, new_page):
    _forecast(app_server, "carol", "0.2")
    writer = new_page()
    login(writer, app_server.url, "carol")
    _open(writer, app_server.url)
    writer.get_by_role("tab", name="Discussion (0)").click()
    writer.get_by_role("textbox", name="Comment").fill(COMMENT)
    writer.get_by_role("button", name="Post comment").click()
    wait_idle(writer)
    writer.get_by_role("tab", name="Discussion (1)").click()
    expect(writer.get_by_role("link", name="https://example.org/brief")).to_be_visible()

    reader = new_page()
    login(reader, app_server.url, "bob")
    _open(reader, app_server.url)
    reader.get_by_role("tab", name="Discussion 🔒").click()
    expect(
        reader.get_by_text("The discussion stays hidden until you make your own")
    ).to_be_visible()
    expect(reader.get_by_text("Relief needs a signed text first")).to_have_count(0)

    _forecast(app_server, "bob", "0.3")
    reader.reload()
    wait_idle(reader)
    reader.get_by_role("tab", name="Discussion (1)").click()
    expect(reader.get_by_text("Relief needs a signed text first")).to_be_visible()

    done = app_server.tracker("export")
    assert done.returncode == 0, done.stderr
    [comment] = json.loads(done.stdout)["comments"]
    assert comment["body"] == COMMENT and comment["author"] == "carol"
    assert comment["mentions"] == ["bob"]
