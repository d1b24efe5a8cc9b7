"""The session page: start a session, forecast blind, reveal, update, close, review."""

import json

import pytest

from tests.ui.conftest import BINARY, CHOICE, QUESTION, World, app_as, no_exceptions, texts
from tracker.schemas import ForecastCreate, Resolution
from tracker.services import forecasts, questions, sessions
from tracker.ui.widgets import forecast_form as forms

SESSION = "tracker/ui/sessions/page.py"


def _start(world: World, participants=("alice", "bob"), question_ids=(BINARY, CHOICE)):
    return sessions.create_session(
        world.db,
        world.actors["alice"],
        sessions.SessionCreate(
            title="Thursday meeting",
            question_ids=list(question_ids),
            participants=list(participants),
        ),
    )


def _forecast(world: World, name: str, p: float, rationale: str = "") -> None:
    forecasts.log_forecast(
        world.db,
        world.actors[name],
        ForecastCreate(
            question_id=BINARY, probabilities={"Yes": p, "No": 1 - p}, rationale=rationale
        ),
    )


@pytest.mark.parametrize("name", ["admin", "alice", "victor"])
def test_with_no_sessions_the_page_says_what_a_session_is(open_app, name):
    at = open_app(name, SESSION)
    no_exceptions(at)
    assert "No team sessions yet" in texts(at)
    # viewers do not forecast, so they do not start sessions either
    assert bool(at.expander) == (name != "victor")


def test_a_forecaster_starts_a_session_from_the_form(open_app, world):
    at = open_app("alice", SESSION)
    at.text_input[0].input("Thursday meeting")
    at.multiselect(key="ns_questions").set_value([BINARY])
    at.multiselect(key="ns_people").set_value(["alice", "bob"])
    at.button[0].click().run()
    no_exceptions(at)
    [record] = sessions.list_sessions(world.db)
    assert (record.title, record.phase, record.facilitator) == (
        "Thursday meeting",
        "blind",
        "alice",
    )
    assert record.participants == ["alice", "bob"] and record.question_ids == [BINARY]
    assert at.query_params["s"] == str(record.id)
    assert "Who has submitted" in texts(at)


def test_an_empty_session_form_is_refused_with_a_reason(open_app, world):
    at = open_app("alice", SESSION)
    at.button[0].click().run()
    no_exceptions(at)
    assert at.error and sessions.list_sessions(world.db) == []


def test_blind_phase_shows_who_submitted_and_no_numbers_anywhere(open_app, world):
    _forecast(world, "alice", 0.4, "My view before the meeting.")  # the team shows for alice now
    record = _start(world)
    _forecast(world, "bob", 0.9, "Bob's blind reasoning.")  # tagged with the session by itself
    at = open_app("alice", SESSION, s=str(record.id))
    no_exceptions(at)
    board = at.dataframe[0].value
    assert list(board["bob"]) == ["✅", "…"] and list(board["alice"]) == ["…", "…"]
    shown = texts(at)
    assert "90%" not in shown and "Bob's blind reasoning" not in shown
    assert "0 of 2 participants on every question, 1 of 2 on at least one" in shown
    assert "End the blind phase and reveal" in [b.label for b in at.button]
    # the question page hides the team too, although alice has a forecast standing
    page = open_app("alice", QUESTION, q=BINARY)
    assert "🔒 session is blind" in texts(page) and "Bob's blind reasoning" not in texts(page)
    assert "team session that is still blind" in texts(page)


def test_a_participant_submits_a_blind_forecast_on_the_page(open_app, world):
    record = _start(world)
    at = open_app("bob", SESSION, s=str(record.id))
    _, number = forms.binary_keys(BINARY)
    at.number_input(key=number).set_value(25.0).run()
    at.text_area(key=forms.rationale_key(BINARY)).input("Talks are stalling.").run()
    at.button(key=f"fc_save_{BINARY}").click().run()
    no_exceptions(at)
    [saved] = forecasts.forecast_history(
        world.db, question_id=BINARY, user_id=world.actors["bob"].user_id
    )[-1:]
    assert (saved.session_id, saved.session_phase) == (record.id, "blind")
    assert saved.probabilities["Yes"] == pytest.approx(0.25)
    assert "Submitted: 25%" in texts(at)
    # only the facilitator (or an admin) moves the phases
    assert "End the blind phase and reveal" not in [b.label for b in at.button]


def test_the_facilitator_reveals_and_everyone_sees_the_spread(open_app, world):
    record = _start(world, question_ids=(BINARY,))
    _forecast(world, "alice", 0.2, "Alice: sanctions bite.")
    _forecast(world, "bob", 0.8, "Bob: carriers in the Gulf.")
    at = open_app("alice", SESSION, s=str(record.id))
    next(b for b in at.button if b.label == "End the blind phase and reveal").click().run()
    no_exceptions(at)
    assert sessions.get_session(world.db, record.id).phase == "blind"  # asks first
    assert any("cannot be undone" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert sessions.get_session(world.db, record.id).phase == "blind"
    next(b for b in at.button if b.label == "End the blind phase and reveal").click().run()
    next(b for b in at.button if b.label == "Yes, end the blind phase and reveal").click().run()
    no_exceptions(at)
    assert sessions.get_session(world.db, record.id).phase == "reveal"
    shown = texts(at)
    assert "Bob: carriers in the Gulf." in shown and "Alice: sanctions bite." in shown
    assert "2 blind forecasts" in shown
    assert any(m.label == "Spread" and m.value == "60%" for m in at.metric)
    assert len(at.get("vega_lite_chart")) == 1  # the strip of blind forecasts
    viewer = open_app("victor", SESSION, s=str(record.id))
    no_exceptions(viewer)
    assert "Bob: carriers in the Gulf." in texts(viewer)
    assert not [b for b in viewer.button if b.label == "Open the update phase"]


def test_updates_are_listed_beside_the_blind_forecast_and_the_review_follows(open_app, world):
    record = _start(world, question_ids=(BINARY,))
    _forecast(world, "alice", 0.2)
    _forecast(world, "bob", 0.8)
    alice = world.actors["alice"]
    sessions.advance_phase(world.db, alice, record.id, "reveal")
    sessions.advance_phase(world.db, alice, record.id, "update")
    at = open_app("bob", SESSION, s=str(record.id))
    _, number = forms.binary_keys(BINARY)
    at.number_input(key=number).set_value(40.0).run()
    at.text_area(key=forms.rationale_key(BINARY)).input("Alice convinced me.").run()
    at.button(key=f"fc_save_{BINARY}").click().run()
    no_exceptions(at)
    assert "**bob** · 80% → 40%" in texts(at)
    assert "Alice convinced me." in texts(at)

    sessions.advance_phase(world.db, alice, record.id, "closed")
    questions.resolve_question(world.db, world.actors["admin"], BINARY, Resolution(option="No"))
    at = app_as(world.db, "bob", SESSION, s=str(record.id))
    no_exceptions(at)
    shown = texts(at)
    assert "Review: did the discussion make us more accurate?" in shown
    people = at.dataframe[0].value.set_index("Member")
    assert people.loc["bob", "Blind Brier"] == pytest.approx(2 * 0.8**2, abs=1e-3)
    assert people.loc["bob", "After the session"] == pytest.approx(2 * 0.4**2, abs=1e-3)
    assert any(m.label == "Team pool Brier, after" for m in at.metric)


def test_the_record_downloads_hold_no_numbers_while_blind(open_app, world):
    record = _start(world)
    _forecast(world, "bob", 0.9)
    at = open_app("alice", SESSION, s=str(record.id))
    no_exceptions(at)
    exported = sessions.export_record(world.db, world.actors["alice"], record.id)
    assert exported["questions"] == []
    assert "0.9" not in json.dumps(exported)
    assert "During the blind phase the record says who has submitted" in texts(at)


def test_the_review_page_lists_sessions_once_their_questions_resolve(open_app, world):
    review = "tracker/ui/review/page.py"
    record = _start(world, question_ids=(BINARY,))
    _forecast(world, "alice", 0.2)
    _forecast(world, "bob", 0.8)
    sessions.advance_phase(world.db, world.actors["alice"], record.id, "closed")
    at = open_app("alice", review)
    assert "No team session has a resolved question yet" in texts(at)
    questions.resolve_question(world.db, world.actors["admin"], BINARY, Resolution(option="No"))
    at = open_app("alice", review)
    no_exceptions(at)
    [table] = [d.value for d in at.tabs[4].dataframe]
    assert list(table["Session"]) == ["Thursday meeting"]
    assert list(table["Resolved"]) == ["1 of 1"]
    # the median of 20% and 80% is 50%: Brier 2·0.5² = 0.5, blind and after alike
    assert table["Team pool, blind"][0] == pytest.approx(0.5)
    assert table["Team pool, after"][0] == pytest.approx(0.5)
