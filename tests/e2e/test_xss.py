"""Markup typed by members (a question title, a rationale) is shown as text, never run: pages
that render it leave `window.__xss` undefined and show the characters literally."""

from playwright.sync_api import expect

from tests.e2e.conftest import goto_page, login, wait_idle

SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src=x onerror="window.__xss=1">'
QUESTION_ID = "xss-probe"
TITLE = f"Will {SCRIPT} or {IMAGE} run here?"
RATIONALE = f"My reasons: {IMAGE} and {SCRIPT} **not bold** [a link](javascript:alert(1))"


def _remembered(page) -> None:
    """Wait until the browser holds the "keep me signed in" cookie (a small script sets it
    after the sign-in run), so that opening an address directly resumes the session."""
    page.wait_for_function("document.cookie.includes('tracker_session=')")


def _assert_inert(page) -> None:
    wait_idle(page)
    assert page.evaluate("window.__xss") is None  # undefined in the page
    assert page.locator("main img[src='x']").count() == 0
    assert page.locator("main script:has-text('__xss')").count() == 0


def test_title_and_rationale_markup_is_shown_as_text(app_server, new_page):
    admin = new_page()
    login(admin, app_server.url, "admin")
    goto_page(admin, "Admin")
    form = admin.locator("[data-testid='stForm']").filter(has_text="New question")
    form.get_by_role("textbox", name="Question", exact=True).fill(TITLE)
    form.get_by_role("textbox", name="Id (lower-case").fill(QUESTION_ID)
    form.get_by_role("textbox", name="Resolution criteria").fill(f"Resolves Yes if {IMAGE}.")
    form.get_by_role("button", name="Create question").click()
    wait_idle(admin)
    _assert_inert(admin)  # the picker and the toast show the new title

    alice = new_page()
    login(alice, app_server.url, "alice")
    _assert_inert(alice)  # the questions list
    _remembered(alice)
    alice.goto(f"{app_server.url}/question?q={QUESTION_ID}")
    wait_idle(alice)
    heading = alice.get_by_role("heading", level=2).first
    expect(heading).to_have_text(TITLE)
    expect(alice.get_by_text(f"Resolves Yes if {IMAGE}.").first).to_be_visible()
    alice.get_by_role("textbox", name="Rationale").fill(RATIONALE)
    alice.get_by_role("button", name="Save forecast").click()
    wait_idle(alice)
    expect(alice.get_by_text(RATIONALE).first).to_be_visible()  # literally: no bold, no link
    assert alice.locator("main a[href^='javascript']").count() == 0
    _assert_inert(alice)

    for name in ("victor", "admin"):  # a viewer sees every rationale; the admin the picker
        page = new_page()
        login(page, app_server.url, name)
        _remembered(page)
        page.goto(f"{app_server.url}/question?q={QUESTION_ID}")
        wait_idle(page)
        expect(page.get_by_role("heading", level=2).first).to_have_text(TITLE)
        if name == "victor":
            expect(page.get_by_text(RATIONALE).first).to_be_visible()
        _assert_inert(page)
        for title in ("Questions", "Review", "Account"):
            goto_page(page, title)
            _assert_inert(page)
