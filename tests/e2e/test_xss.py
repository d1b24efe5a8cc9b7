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
    form = admin.locator(".st-key-adm_create")  # not an st.form: the id follows the title
    form.get_by_role("textbox", name="Question", exact=True).fill(TITLE)
    form.get_by_role("textbox", name="Question", exact=True).press("Tab")
    wait_idle(admin)
    form.get_by_role("textbox", name="Id (lower-case").fill(QUESTION_ID)
    form.get_by_role("textbox", name="Id (lower-case").press("Tab")
    wait_idle(admin)
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


HOSTILE_ARTICLE = (
    f"Envoys met in Muscat again. {SCRIPT} The talks ended without a date. {IMAGE} "
    "[Read more](javascript:alert(1)) <b>bold claim</b>"
)


def _hostile_summary(database_url: str, question_id: str) -> None:
    """An article with markup, linked to the question, and a stored summary whose model output
    is full of markup (as a hostile or confused model might write it)."""
    from tracker.db import Database
    from tracker.llm.schema import EvidenceSummary, KeyPoint, SummaryResult
    from tracker.schemas import Actor
    from tracker.services import evidence, summaries

    db = Database(database_url)
    try:
        item = evidence.add_text(
            db, Actor.system(), title=f"Muscat talks {IMAGE}", text=HOSTILE_ARTICLE
        ).item
        evidence.link(db, Actor.system(), question_id, item.id)
        request = summaries.build_request(db, question_id, None)
        result = SummaryResult(
            summary=EvidenceSummary(
                headline=f"Talks stall {SCRIPT}",
                whats_new=f"New: {IMAGE}",
                key_points=[
                    KeyPoint(
                        claim="[click me](javascript:alert(1)) **urgent**",
                        direction="lowers",
                        evidence_id=item.id,
                        quote=SCRIPT,
                    ),
                    KeyPoint(claim="Invented.", evidence_id=item.id, quote=f"{IMAGE} not there"),
                ],
                caveats=[f"{IMAGE}"],
            ),
            engine="openai",
            model="hostile-model",
            prompt_version="summarize_v2:test",
            cache_key="xss-probe-summary",
        )
        summaries.store(db, request, result, "xss-probe-summary")
    finally:
        db.dispose()


def test_evidence_text_and_model_output_markup_is_shown_as_text(app_server, new_page):
    question = "us-iran-talk-rounds-by-2027-06"
    _hostile_summary(app_server.database_url, question)
    alice = new_page()
    login(alice, app_server.url, "alice")
    _remembered(alice)
    alice.goto(f"{app_server.url}/question?q={question}")
    wait_idle(alice)
    expect(alice.get_by_text(f"Talks stall {SCRIPT}").first).to_be_visible()
    expect(alice.get_by_text("[click me](javascript:alert(1)) **urgent**").first).to_be_visible()
    assert alice.locator("main a[href^='javascript']").count() == 0
    _assert_inert(alice)
    goto_page(alice, "Evidence")
    _assert_inert(alice)
    assert alice.locator("main b:has-text('bold claim')").count() == 0
