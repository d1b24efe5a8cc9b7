"""In the browser: an admin creates a numeric question with a range, forecasts it with the
percentile handles (the PDF and CDF are drawn as the handles move), resolves it to a value, and
the question page then shows the outcome and the admin's scores."""

import os
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import goto_page, login, wait_idle

TITLE = "What will the harbour ferry's fare be on 1 June 2027?"
QUESTION = "what-will-the-harbour-ferry-s-fare-be-on-1-june-2027"
SHOTS = os.environ.get("TRACKER_SHOTS")  # a folder: keep screenshots there to look at


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def test_admin_creates_forecasts_resolves_and_sees_the_score(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "admin")
    page.wait_for_function("document.cookie.includes('tracker_session=')", timeout=120_000)
    goto_page(page, "Admin")
    form = page.locator(".st-key-adm_create")
    form.get_by_label("Question", exact=True).fill(TITLE)
    form.get_by_label("Question", exact=True).press("Tab")
    wait_idle(page)
    form.locator("[data-testid='stSelectbox']").filter(has_text="Type").click()
    page.get_by_role("option", name="Numeric").click()
    wait_idle(page)
    _fill(page, "Lower bound", "1")
    _fill(page, "Upper bound", "10")
    form.get_by_text("Open upper bound (the outcome may be above it)").click()
    wait_idle(page)
    unit = form.get_by_label("Unit (e.g. USD/bbl, %)")
    unit.fill("EUR")
    unit.press("Tab")
    wait_idle(page)
    _shot(page, "1-create")
    form.get_by_role("button", name="Create question").click()
    wait_idle(page)
    expect(page.get_by_text(f"({QUESTION})")).to_be_visible()

    page.goto(f"{app_server.url}/question?q={QUESTION}")
    wait_idle(page)
    save = page.get_by_role("button", name="Save forecast")
    expect(save).to_be_disabled()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    for level, value in (("10th", "3"), ("25th", "3.5"), ("50th", "4"), ("75th", "4.6"),
                         ("90th", "5.5")):  # fmt: skip
        _fill(page, level, value)
    expect(
        page.get_by_text("Your distribution: median 4 EUR, 80 % interval 3 EUR – 5.5 EUR")
    ).to_be_visible()
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2  # the PDF and the CDF of the draft
    expect(charts.first.locator("canvas, svg").first).to_be_visible()
    page.get_by_role("textbox", name="Rationale").fill("Fares rose with fuel last year.")
    expect(save).to_be_enabled()
    _shot(page, "2-forecast")
    save.click()
    wait_idle(page)
    expect(page.get_by_text("Forecast saved: median 4 EUR")).to_be_visible()
    expect(page.get_by_text("Your standing forecast: median 4 EUR")).to_be_visible()

    page.get_by_role("link", name="Edit, resolve or annul this question (Admin)").click()
    wait_idle(page)
    resolve = page.locator("[data-testid='stForm']").filter(has_text="Resolve or annul")
    expect(resolve.get_by_text("Above the range")).to_be_visible()
    expect(resolve.get_by_text("Below the range")).to_have_count(0)  # the lower bound is closed
    resolve.get_by_label("Outcome value (EUR)").fill("4.2")
    resolve.get_by_text("I checked this against the resolution criteria").click()
    _shot(page, "3-resolve")
    resolve.get_by_role("button", name="Resolve").click()
    wait_idle(page)
    expect(page.get_by_text("This question is already resolved")).to_be_visible()

    page.goto(f"{app_server.url}/question?q={QUESTION}")
    wait_idle(page)
    expect(page.get_by_text("Resolved 4.2 EUR")).to_be_visible()
    expect(page.get_by_text("Your scores:")).to_be_visible()
    expect(page.get_by_text("CRPS").first).to_be_visible()
    _shot(page, "4-resolved")
