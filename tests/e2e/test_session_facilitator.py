"""In the browser: the facilitator's page follows a blind session live (the counter and the
table agree, and a member's submission shows without a reload), Reveal and Close ask to be
confirmed, and during blind a member who has forecast is told the session is blind."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_idle
from tracker.db import Database
from tracker.schemas import ForecastCreate
from tracker.services import forecasts, sessions, users

QUESTION = "iran-strike-on-gcc-territory-by-2027-06"
LIVE = 20_000  # ms: the pages poll every 2 s; generous for a busy machine


def _actor(db: Database, name: str):
    return users.actor_for(users.get_user(db, name))


def test_facilitator_follows_live_and_confirms_the_irreversible_moves(app_server, new_page):
    db = Database(app_server.database_url)
    record = sessions.create_session(
        db,
        _actor(db, "alice"),
        sessions.SessionCreate(
            title="Gulf check-in", question_ids=[QUESTION], participants=["alice", "bob", "carol"]
        ),
    )
    alice = new_page()
    login(alice, app_server.url, "alice")
    alice.wait_for_function("document.cookie.includes('tracker_session=')")
    alice.goto(f"{app_server.url}/session?s={record.id}")
    wait_idle(alice)
    expect(alice.get_by_text("0 of 3 participants on every question")).to_be_visible()

    # bob submits (as he would on his own page); alice's page shows it without a reload
    bob_actor = _actor(db, "bob")
    yes = {"Yes": 0.3, "No": 0.7}
    forecasts.log_forecast(db, bob_actor, ForecastCreate(question_id=QUESTION, probabilities=yes))
    expect(alice.get_by_text("1 of 3 participants on every question")).to_be_visible(timeout=LIVE)

    # bob has forecast, and still sees why the team is hidden: the session is blind
    bob = new_page()
    login(bob, app_server.url, "bob")
    bob.wait_for_function("document.cookie.includes('tracker_session=')")
    bob.goto(f"{app_server.url}/question?q={QUESTION}")
    wait_idle(bob)
    expect(bob.get_by_text("🔒 session is blind")).to_be_visible()
    expect(bob.get_by_text("after you forecast")).to_have_count(0)
    bob.goto(f"{app_server.url}/session?s={record.id}")
    wait_idle(bob)

    # Reveal asks first; cancelling changes nothing
    alice.get_by_role("button", name="End the blind phase and reveal").click()
    wait_idle(alice)
    expect(alice.get_by_text("This cannot be undone")).to_be_visible()
    alice.get_by_role("button", name="Cancel").click()
    wait_idle(alice)
    assert sessions.get_session(db, record.id).phase == "blind"
    alice.get_by_role("button", name="End the blind phase and reveal").click()
    wait_idle(alice)
    alice.get_by_role("button", name="Yes, end the blind phase and reveal").click()
    wait_idle(alice)
    assert sessions.get_session(db, record.id).phase == "reveal"
    expect(bob.get_by_text("1 blind forecasts")).to_be_visible(timeout=LIVE)  # bob's page follows

    # in the update phase a member's update reaches the facilitator's open page by itself
    alice.get_by_role("button", name="Open the update phase").click()
    wait_idle(alice)
    expect(alice.get_by_text("● Update")).to_be_visible()
    # the facilitator takes part: the others' numbers reach her once she has forecast herself
    # (a session never shows a forecast the question page would hide: the anchoring rule)
    forecasts.log_forecast(
        db,
        _actor(db, "alice"),
        ForecastCreate(question_id=QUESTION, probabilities={"Yes": 0.5, "No": 0.5}),
    )
    moved = {"Yes": 0.45, "No": 0.55}
    forecasts.log_forecast(
        db,
        bob_actor,
        ForecastCreate(question_id=QUESTION, probabilities=moved, session_id=record.id),
    )
    expect(alice.get_by_text("30% → 45%").first).to_be_visible(timeout=LIVE)

    alice.get_by_role("button", name="Close the session").click()
    wait_idle(alice)
    expect(alice.get_by_text("This cannot be undone")).to_be_visible()
    alice.get_by_role("button", name="Yes, close the session").click()
    wait_idle(alice)
    assert sessions.get_session(db, record.id).phase == "closed"
    db.dispose()
