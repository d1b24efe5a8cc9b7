"""In the browser: a question's title on the Questions list is a link that opens it, in the
list (the default, readable at 1400 px and at 390 px) and in the table view; on a phone the
question page shows the forecast form before the criteria."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_idle
from tracker.ui.questions import listing

QUESTION = "khamenei-ceases-supreme-leader-by-2027-06"
TITLE = (
    "Will Ali Khamenei cease to be Iran's Supreme Leader between 6 February 2026 and 30 June 2027?"
)


def _on_question(page) -> None:
    wait_idle(page)
    expect(page.get_by_role("heading", level=2).first).to_have_text(TITLE)
    assert f"q={QUESTION}" in page.url


def test_clicking_a_title_in_the_list_opens_the_question(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "alice")
    title = page.get_by_role("link", name=TITLE)
    expect(title).to_be_visible()
    box = title.bounding_box()
    assert box is not None and box["width"] > 400  # the whole title, not a clipped cell
    title.click()
    _on_question(page)


def test_clicking_a_title_in_the_table_opens_the_question(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "alice")
    page.wait_for_function("document.cookie.includes('tracker_session=')")
    page.locator(".st-key-qs_view").get_by_text("Table", exact=True).click()
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']")
    expect(grid).to_be_visible()
    # The grid draws on a canvas; its accessible copy holds each link's address.
    cell = grid.locator("[role='gridcell']", has_text=f"question?q={QUESTION}#")
    cell.wait_for(state="attached")
    row = int((cell.get_attribute("id") or "").rsplit("-", 1)[1])
    box = grid.bounding_box()
    assert box is not None
    y = box["y"] + listing.HEADER_PX + listing.ROW_PX * row + listing.ROW_PX / 2
    page.mouse.move(box["x"] + 60, y)
    with page.context.expect_page() as opened:  # a link cell opens its address in a new tab
        page.mouse.click(box["x"] + 60, y)
    target = opened.value
    target.wait_for_load_state()
    _on_question(target)


def test_on_a_phone_the_list_is_one_column_and_the_form_comes_first(app_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        login(page, app_server.url, "alice")
        title = page.get_by_role("link", name=TITLE)
        expect(title).to_be_visible()
        box = title.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390  # wraps, no sideways scroll
        cut = title.evaluate(
            "el => [...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"
        )
        assert not cut  # the whole title shows, on several lines
        title.click()
        _on_question(page)
        form = page.get_by_role("button", name="Save forecast")
        criteria = page.get_by_text("Resolves Yes if").first
        expect(form).to_be_visible()
        assert form.bounding_box()["y"] < criteria.bounding_box()["y"]
    finally:
        context.close()
