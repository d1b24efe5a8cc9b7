"""A member signs in and sees the seed questions; a wrong password gets a clear message."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_idle


def test_member_signs_in_and_sees_the_seed_questions(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "alice")
    page.get_by_role("heading", name="Questions").wait_for()
    wait_idle(page)  # the heading is drawn before the list's summary line
    expect(page.get_by_text("18 questions").first).to_be_visible()


def test_wrong_password_is_refused_with_a_message(app_server, new_page):
    page = new_page()
    page.goto(app_server.url)
    wait_idle(page)
    page.get_by_label("User name").fill("alice")
    page.get_by_role("textbox", name="Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)
    assert page.get_by_role("link", name="Questions").count() == 0
    assert page.get_by_text("password", exact=False).count() >= 1
