"""A forecaster opens a seed question, logs forecasts (binary and multiple choice) and sees them
on the page, on the chart and in the exported interchange file."""

import json

from playwright.sync_api import expect

from tests.e2e.conftest import goto_page, login, wait_idle

BINARY = "us-sanctions-relief-iran-by-2027-06"
CHOICE = "israel-pm-stance-on-us-iran-agreement-by-2027-06"


def _remembered(page) -> None:
    """Wait until the browser holds the "keep me signed in" cookie (a small script sets it
    after the sign-in run), so that opening an address directly resumes the session."""
    page.wait_for_function("document.cookie.includes('tracker_session=')")


def _open_question(page, base_url: str, question_id: str) -> None:
    _remembered(page)
    page.goto(f"{base_url}/question?q={question_id}")  # "keep me signed in" resumes
    wait_idle(page)
    page.get_by_role("heading", level=2).first.wait_for()


def _metric(page, label: str):
    return page.locator("[data-testid='stMetric']").filter(has_text=label).first


def _exported(app_server, question_id: str, user: str) -> list[dict]:
    done = app_server.tracker("export")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    return [
        f for f in document["forecasts"] if f["question_id"] == question_id and f["user"] == user
    ]


def test_binary_forecast_shows_on_the_chart_and_in_the_export(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "alice")
    _open_question(page, app_server.url, BINARY)
    expect(_metric(page, "Your forecast")).to_contain_text("—")
    expect(page.get_by_text("No forecasts yet. Yours will be the first point")).to_be_visible()

    number = page.get_by_label("Exact %")
    number.fill("23")
    number.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Yes 23.0% · No 77.0%")).to_be_visible()
    page.get_by_role("textbox", name="Rationale").fill("Sanctions relief needs a deal first.")
    page.get_by_role("button", name="Save forecast").click()
    wait_idle(page)

    expect(_metric(page, "Your forecast")).to_contain_text("23%")
    expect(page.get_by_text("Your standing forecast: 23%")).to_be_visible()
    chart = page.locator("[data-testid='stVegaLiteChart']")
    expect(chart).to_have_count(1)
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_text("Sanctions relief needs a deal first.")).to_be_visible()
    assert page.url.endswith(f"?q={BINARY}")  # still on the same question

    [saved] = _exported(app_server, BINARY, "alice")
    assert saved["probabilities"] == {"Yes": 0.23, "No": 0.77}
    assert saved["rationale"] == "Sanctions relief needs a deal first."


def test_multiple_choice_needs_100_percent_before_saving(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "bob")
    _open_question(page, app_server.url, CHOICE)
    boxes = page.locator("[data-testid='stNumberInput'] input")
    expect(boxes).to_have_count(4)
    for box, value in zip(boxes.all(), ["40", "30", "20", "5"], strict=True):
        box.fill(value)
        box.press("Tab")
        wait_idle(page)
    expect(page.get_by_text("Sum: 95.0% — must be exactly 100% (add 5.0 points)")).to_be_visible()
    expect(page.get_by_role("button", name="Save forecast")).to_be_disabled()

    boxes.nth(3).fill("10")
    boxes.nth(3).press("Tab")
    wait_idle(page)
    expect(page.get_by_text("Sum: 100.0% ✓")).to_be_visible()
    page.get_by_role("button", name="Save forecast").click()
    wait_idle(page)
    expect(page.get_by_text("Your standing forecast:")).to_be_visible()
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(1)

    [saved] = _exported(app_server, CHOICE, "bob")
    assert list(saved["probabilities"].values()) == [0.4, 0.3, 0.2, 0.1]


def test_viewer_has_no_forecast_form(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "victor")
    goto_page(page, "Questions")
    _open_question(page, app_server.url, BINARY)
    expect(page.get_by_text("You have read-only access")).to_be_visible()
    expect(page.get_by_role("button", name="Save forecast")).to_have_count(0)
