"""Three members run a team session in three browsers: everyone forecasts blind without seeing
the others, the facilitator reveals (three points and the pools), one member updates, and once
an admin resolves the question the session review shows the scores before and after.

Set E2E_SCREENSHOTS=DIR to keep a screenshot of each phase."""

import os
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_idle

QUESTION = "khamenei-ceases-supreme-leader-by-2027-06"
TITLE = "Will Ali Khamenei cease to be Iran's Supreme Leader"
BLIND = {  # member: (P(Yes) in percent, rationale with a word nobody else uses)
    "alice": (20, "Alice: succession planning is slow."),
    "bob": (70, "Bob: health rumours keep growing."),
    "carol": (40, "Carol: base rate for leaders his age."),
}
DOTS = "[data-testid='stVegaLiteChart'] g.mark-symbol.role-mark path"
TICKS = "[data-testid='stVegaLiteChart'] g.mark-rect.role-mark path"


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        page.set_viewport_size({"width": 1400, "height": 2600})  # Streamlit scrolls inside
        page.wait_for_timeout(500)
        page.screenshot(path=f"{folder}/session-{name}.png")
        page.set_viewport_size(size)


def _pick(page, label: str, *choices: str) -> None:
    """Choose entries in a Streamlit multiselect by typing and pressing Enter."""
    box = page.get_by_role("combobox", name=label)
    for choice in choices:
        box.click()
        box.fill(choice)
        page.get_by_role("option", name=choice).first.click()
    page.keyboard.press("Escape")


def _open_session(page, base_url: str) -> None:
    page.wait_for_function("document.cookie.includes('tracker_session=')")
    page.goto(f"{base_url}/session?s=1")
    wait_idle(page)


def _forecast(page, percent: int, rationale: str, button: str) -> None:
    number = page.get_by_label("Exact %")
    number.fill(str(percent))
    number.press("Enter")
    wait_idle(page)
    page.get_by_role("textbox", name="Rationale").fill(rationale)
    page.get_by_role("button", name=button).click()
    wait_idle(page)


def test_three_members_forecast_blind_reveal_update_and_review(app_server, new_page):
    pages = {}
    for name in BLIND:
        pages[name] = new_page()
        login(pages[name], app_server.url, name)
    alice, bob = pages["alice"], pages["bob"]

    # alice starts the session and facilitates it
    alice.get_by_role("link", name="Sessions").first.click()
    wait_idle(alice)
    alice.get_by_label("Title").fill("Thursday Iran meeting")
    _pick(alice, "Questions", TITLE)
    _pick(alice, "Participants", "bob", "carol")
    alice.get_by_role("button", name="Start the session (blind phase)").click()
    wait_idle(alice)
    expect(alice.get_by_role("heading", name="Thursday Iran meeting")).to_be_visible()

    # everyone submits blind; nobody sees anyone else's number or reasons
    for name, page in pages.items():
        _open_session(page, app_server.url)
        percent, rationale = BLIND[name]
        _forecast(page, percent, rationale, "Save forecast")
        expect(page.get_by_text(f"Submitted: {percent}%")).to_be_visible()
    for name, page in pages.items():
        page.reload()
        wait_idle(page)
        board = page.locator("[data-testid='stDataFrame']").first
        expect(board).to_be_visible()
        for other, (percent, rationale) in BLIND.items():
            if other != name:
                expect(page.get_by_text(rationale)).to_have_count(0)
                expect(page.get_by_text(f"{percent}%", exact=True)).to_have_count(0)
        expect(page.locator(DOTS)).to_have_count(0)
    _shot(bob, "1-blind")
    expect(bob.get_by_role("button", name="End the blind phase and reveal")).to_have_count(0)

    # alice reveals; bob's open page follows by itself (the live board polls the phase)
    alice.get_by_role("button", name="End the blind phase and reveal").click()
    wait_idle(alice)
    alice.get_by_role("button", name="Yes, end the blind phase and reveal").click()
    wait_idle(alice)
    expect(bob.get_by_text("3 blind forecasts")).to_be_visible(timeout=20_000)
    wait_idle(bob)
    for page in pages.values():
        page.reload()
        wait_idle(page)
        expect(page.get_by_text("3 blind forecasts")).to_be_visible()
        expect(page.locator(DOTS)).to_have_count(3)  # one point per member
        expect(page.locator(TICKS)).to_have_count(3)  # median, geometric mean of odds, extremized
        for _, rationale in BLIND.values():
            expect(page.get_by_text(rationale)).to_be_visible()
    median = alice.locator("[data-testid='stMetric']").filter(has_text="Median").first
    expect(median).to_contain_text("40%")
    _shot(alice, "2-reveal")

    # the update phase: bob moves towards the others
    alice.get_by_role("button", name="Open the update phase").click()
    wait_idle(alice)
    bob.reload()
    wait_idle(bob)
    _forecast(bob, 30, "Bob: Carol's base rate convinced me.", "Update forecast")
    expect(bob.get_by_text("bob · 70% → 30%")).to_be_visible()
    _shot(bob, "3-update")
    alice.reload()
    wait_idle(alice)
    alice.get_by_role("button", name="Close the session").click()
    wait_idle(alice)
    alice.get_by_role("button", name="Yes, close the session").click()
    wait_idle(alice)
    expect(alice.get_by_text("The session's record is frozen")).to_be_visible()

    # an admin resolves the question; the session review shows before and after
    admin = new_page()
    login(admin, app_server.url, "admin")
    admin.wait_for_function("document.cookie.includes('tracker_session=')")
    admin.goto(f"{app_server.url}/admin?q={QUESTION}")
    wait_idle(admin)
    resolve = admin.locator("[data-testid='stForm']").filter(has_text="Resolve or annul")
    resolve.locator("[data-testid='stRadio']").get_by_text("No", exact=True).click()
    resolve.get_by_label("Source (link or citation)").fill("https://news.example/khamenei")
    resolve.get_by_text("I checked this against the resolution criteria").click()
    resolve.get_by_role("button", name="Resolve").click()
    wait_idle(admin)

    bob.reload()
    wait_idle(bob)
    expect(bob.get_by_text("Review: did the discussion make us more accurate?")).to_be_visible()
    # Resolved No. The team's median pool: 40% blind (20, 70, 40) → Brier 2·0.4² = 0.32;
    # 30% after bob's update (20, 30, 40) → 2·0.3² = 0.18.
    pool = bob.locator("[data-testid='stMetric']").filter(has_text="Team pool Brier, after")
    expect(pool).to_contain_text("0.180")
    expect(pool).to_contain_text("-0.140 vs blind")
    expect(bob.locator("[data-testid='stDataFrame']").first).to_be_visible()  # per member
    _shot(bob, "4-review")
