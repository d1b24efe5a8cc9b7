"""The audit trail: every state change writes one event saying who, when, what, before and after.

The event is written in the same transaction as the change, so a refused change leaves no event.
"""

import json
from datetime import datetime

import pytest

from tracker.errors import Conflict, InvalidInput
from tracker.schemas import ANNULLED, ForecastCreate, QuestionEdit, Resolution, UserCreate
from tracker.services import audit, forecasts, questions, users


def latest(db, entity_type: str, entity_id: object):
    events = audit.list_events(db, entity_type=entity_type, entity_id=str(entity_id))
    assert events, f"no audit event for {entity_type} {entity_id}"
    return events[0]


def all_events(db):
    return audit.list_events(db, limit=10_000)


def test_creating_a_user_records_who_added_whom_with_which_role(db, admin, clock):
    clock.advance(hours=3)
    users.create_user(
        db, admin, UserCreate(name="carol", role="viewer", password="a long secret phrase")
    )
    [event] = audit.list_events(db, entity_type="user", entity_id="carol")
    assert (event.action, event.actor, event.at) == ("user.create", "admin", clock.now)
    assert event.before is None
    assert event.after == {"role": "viewer", "has_password": True}
    assert "a long secret phrase" not in json.dumps(event.after)
    assert "argon2" not in json.dumps(event.after)


def test_a_role_change_records_the_role_before_and_after(db, admin, alice, clock):
    clock.advance(minutes=5)
    users.set_role(db, admin, "alice", "viewer")
    event = latest(db, "user", "alice")
    assert (event.action, event.actor, event.at) == ("user.role", "admin", clock.now)
    assert event.before == {"role": "forecaster"}
    assert event.after == {"role": "viewer"}


def test_a_forecast_records_its_id_and_the_stored_vector(db, alice, mc_question, clock):
    clock.advance(hours=1)
    saved = forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id="deal-scope",
            probabilities={"Nuclear only": 0.2, "Nuclear and missiles": 0.3, "No agreement": 0.5},
        ),
    )
    event = latest(db, "question", "deal-scope")
    assert (event.action, event.actor, event.at) == ("forecast.create", "alice", clock.now)
    assert event.after["forecast_id"] == saved.id
    stored = [saved.probabilities[o] for o in mc_question.options]
    assert event.after["vector"] == pytest.approx(stored)
    assert event.after["vector"] == pytest.approx([0.2, 0.3, 0.5])


def test_resolving_records_the_open_state_before_and_the_outcome_after(
    db, admin, binary_question, clock
):
    clock.advance(days=1)
    questions.resolve_question(
        db,
        admin,
        "us-strike",
        Resolution(option="No", note="no strike reported", source="https://example.org/r"),
    )
    event = latest(db, "question", "us-strike")
    assert (event.action, event.actor, event.at) == ("question.resolve", "admin", clock.now)
    assert event.before == {"status": "open"}
    assert event.after["resolution"] == "No"
    assert datetime.fromisoformat(event.after["resolved_time"]) == clock.now
    assert event.after["note"] == "no strike reported"
    assert event.after["source"] == "https://example.org/r"


def test_annulling_is_audited_as_an_annulment_not_a_resolution(db, admin, binary_question):
    questions.resolve_question(db, admin, "us-strike", Resolution(annul=True, note="ambiguous"))
    event = latest(db, "question", "us-strike")
    assert (event.action, event.actor) == ("question.annul", "admin")
    assert event.before == {"status": "open"}
    assert event.after["resolution"] == ANNULLED
    assert event.after["note"] == "ambiguous"


def test_editing_the_wording_records_the_old_and_the_new_text(db, admin, binary_question, clock):
    old_title, old_criteria = binary_question.title, binary_question.resolution_criteria
    clock.advance(hours=2)
    questions.edit_question(
        db,
        admin,
        "us-strike",
        QuestionEdit(
            title="Will US forces strike Iranian territory before 2027-07-01?",
            resolution_criteria="Confirmed by the Pentagon or two wire services.",
            description=binary_question.description,  # unchanged: not part of the event
        ),
    )
    event = latest(db, "question", "us-strike")
    assert (event.action, event.actor, event.at) == ("question.edit", "admin", clock.now)
    assert event.before == {"title": old_title, "resolution_criteria": old_criteria}
    assert event.after == {
        "title": "Will US forces strike Iranian territory before 2027-07-01?",
        "resolution_criteria": "Confirmed by the Pentagon or two wire services.",
    }


def test_an_edit_that_changes_nothing_writes_no_event(db, admin, binary_question):
    before = all_events(db)
    questions.edit_question(db, admin, "us-strike", QuestionEdit(title=binary_question.title))
    assert all_events(db) == before


def test_hiding_and_unhiding_a_forecast_is_audited_with_the_reason(
    db, admin, alice, binary_question, clock
):
    saved = forecasts.log_forecast(
        db, alice, ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.9, "No": 0.1})
    )
    clock.advance(minutes=10)
    forecasts.set_hidden(db, admin, saved.id, True, "mis-click")
    hidden = latest(db, "forecast", saved.id)
    assert (hidden.action, hidden.actor, hidden.at) == ("forecast.hide", "admin", clock.now)
    assert (hidden.before, hidden.after) == (
        {"hidden": False},
        {"hidden": True, "reason": "mis-click"},
    )
    forecasts.set_hidden(db, admin, saved.id, True, "clicked twice")  # no change, no event
    assert latest(db, "forecast", saved.id) == hidden
    forecasts.set_hidden(db, admin, saved.id, False, "restored after review")
    shown = latest(db, "forecast", saved.id)
    assert shown.action == "forecast.unhide"
    assert shown.before == {"hidden": True}
    assert shown.after == {"hidden": False, "reason": "restored after review"}


def test_a_refused_change_leaves_no_audit_event(db, admin, alice, binary_question):
    before = all_events(db)
    with pytest.raises(InvalidInput):
        questions.resolve_question(db, admin, "us-strike", Resolution(option="Maybe"))
    with pytest.raises(Conflict):
        users.set_role(db, admin, "admin", "forecaster")  # the last admin
    with pytest.raises(InvalidInput):
        forecasts.log_forecast(
            db,
            alice,
            ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.9, "No": 0.9}),
        )
    assert all_events(db) == before


def test_the_trail_tells_the_story_in_order(db, admin, alice, binary_question):
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.4, "No": 0.6})
    )
    questions.edit_question(db, admin, "us-strike", QuestionEdit(title="Reworded"))
    questions.resolve_question(db, admin, "us-strike", Resolution(option="Yes"))
    actions = [e.action for e in reversed(all_events(db))]
    assert actions[:3] == ["user.create", "user.create", "question.create"]
    assert actions[-3:] == ["forecast.create", "question.edit", "question.resolve"]


def test_deactivating_a_member_records_the_state_before_and_after(db, admin, alice):
    users.set_active(db, admin, "alice", False)
    users.set_active(db, admin, "alice", False)  # already inactive: no second event
    events = [e for e in audit.list_events(db, entity_type="user") if e.action == "user.active"]
    assert len(events) == 1
    assert (events[0].before, events[0].after) == ({"active": True}, {"active": False})
