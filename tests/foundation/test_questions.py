"""Questions: creation rules, wording revisions, resolution and annulment, permissions."""

from datetime import timedelta

import pytest

from tests.support import question_data
from tracker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, parse
from tracker.schemas import ForecastCreate, QuestionCreate, QuestionEdit, Resolution
from tracker.services import audit, forecasts, questions


def test_binary_question_gets_yes_no_options(db, admin):
    q = questions.create_question(db, admin, question_data())
    assert q.options == ["Yes", "No"]
    assert q.state == "open" and q.revision == 1


def test_only_admins_create_questions(db, alice):
    with pytest.raises(PermissionDenied):
        questions.create_question(db, alice, question_data())


def test_duplicate_question_id_is_a_conflict(db, admin, binary_question):
    with pytest.raises(Conflict, match="already exists"):
        questions.create_question(db, admin, question_data())


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"id": "Bad Id"}, "lower-case"),
        ({"title": "   "}, "must not be empty"),
        ({"title": "x" * 501}, "too long"),
        ({"type": "binary", "options": ["Yes", "No", "Maybe"]}, "exactly the options"),
        ({"type": "multiple_choice", "options": ["Only"]}, "at least 2"),
        ({"type": "multiple_choice", "options": ["A", "a"]}, "unique"),
        ({"type": "ordered", "options": ["annulled", "B"]}, "reserved"),
        ({"close_time": "2026-01-01T00:00:00Z"}, "after open_time"),
        ({"open_time": "2026-02-06T00:00:00"}, "timezone"),
        ({"title": "evil\u202etitle"}, "bidirectional"),
        ({"description": "bell\x07"}, "control"),
        ({"type": "poll"}, "type"),
    ],
)
def test_invalid_questions_are_refused_with_a_reason(overrides, reason):
    fields = question_data().model_dump(mode="json") | overrides
    with pytest.raises(InvalidInput, match=reason):
        parse(QuestionCreate, fields)


def test_wording_edit_keeps_every_revision(db, admin, alice, binary_question):
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.2, "No": 0.8})
    )
    edited = questions.edit_question(
        db, admin, "us-strike", QuestionEdit(title="Will the US strike Iranian soil by mid-2027?")
    )
    assert edited.revision == 2
    revisions = questions.list_revisions(db, "us-strike")
    assert [r.title for r in revisions] == [
        "Will the US strike Iran before 2027-07-01?",
        "Will the US strike Iranian soil by mid-2027?",
    ]
    assert revisions[1].edited_by == "admin"
    history = forecasts.forecast_history(db, question_id="us-strike")
    assert history[0].question_revision == 1


def test_non_wording_edit_does_not_add_a_revision(db, admin, binary_question):
    edited = questions.edit_question(db, admin, "us-strike", QuestionEdit(tags=["iran", "usa"]))
    assert edited.revision == 1 and edited.tags == ["iran", "usa"]


def test_forecasters_cannot_edit_wording(db, alice, binary_question):
    with pytest.raises(PermissionDenied):
        questions.edit_question(db, alice, "us-strike", QuestionEdit(title="Changed"))


def test_options_are_frozen_once_forecast(db, admin, alice, mc_question):
    forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id="deal-scope",
            probabilities={"Nuclear only": 0.5, "Nuclear and missiles": 0.2, "No agreement": 0.3},
        ),
    )
    with pytest.raises(Conflict, match="options cannot change"):
        questions.edit_question(db, admin, "deal-scope", QuestionEdit(options=["A", "B"]))


def test_resolution_to_an_option(db, admin, binary_question, clock):
    resolved = questions.resolve_question(
        db, admin, "us-strike", Resolution(option="No", note="No strike reported", source="AP")
    )
    assert resolved.status == "resolved" and resolved.resolution == "No"
    assert resolved.resolved_time == clock.now
    assert resolved.state == "resolved"


def test_annulment_has_no_resolution(db, admin, binary_question):
    annulled = questions.resolve_question(db, admin, "us-strike", Resolution(annul=True))
    assert annulled.status == "annulled" and annulled.resolution is None


def test_resolution_rules(db, admin, binary_question, clock):
    with pytest.raises(InvalidInput, match="not an option"):
        questions.resolve_question(db, admin, "us-strike", Resolution(option="Maybe"))
    with pytest.raises(InvalidInput, match="future"):
        questions.resolve_question(
            db,
            admin,
            "us-strike",
            Resolution(option="Yes", resolved_time=clock.now + timedelta(days=1)),
        )
    with pytest.raises(PermissionDenied):
        questions.resolve_question(db, _forecaster(db), "us-strike", Resolution(option="Yes"))
    questions.resolve_question(db, admin, "us-strike", Resolution(option="Yes"))
    with pytest.raises(Conflict, match="already resolved"):
        questions.resolve_question(db, admin, "us-strike", Resolution(annul=True))


def test_resolution_needs_option_or_annul_not_both():
    with pytest.raises(InvalidInput):
        parse(Resolution, {"option": "Yes", "annul": True})
    with pytest.raises(InvalidInput):
        parse(Resolution, {})


def test_state_follows_the_clock(db, admin, clock):
    q = questions.create_question(
        db,
        admin,
        question_data(open_time="2026-12-01T00:00:00Z", close_time="2026-12-31T00:00:00Z"),
    )
    assert q.state == "upcoming"
    clock.advance(days=10)
    assert questions.get_question(db, q.id).state == "open"
    clock.advance(days=40)
    assert questions.get_question(db, q.id).state == "closed"


def test_unknown_question_is_not_found(db):
    with pytest.raises(NotFound):
        questions.get_question(db, "nope")


def test_every_change_is_audited(db, admin, binary_question):
    questions.edit_question(db, admin, "us-strike", QuestionEdit(title="New wording"))
    questions.resolve_question(db, admin, "us-strike", Resolution(option="No"))
    events = audit.list_events(db, entity_type="question", entity_id="us-strike")
    assert [e.action for e in reversed(events)] == [
        "question.create",
        "question.edit",
        "question.resolve",
    ]
    edit = events[1]
    assert edit.actor == "admin"
    assert edit.before == {"title": "Will the US strike Iran before 2027-07-01?"}
    assert edit.after == {"title": "New wording"}


def test_list_filters_by_state_tag_and_type(db, admin, binary_question, mc_question):
    assert {q.id for q in questions.list_questions(db, question_type="multiple_choice")} == {
        "deal-scope"
    }
    assert {q.id for q in questions.list_questions(db, tag="iran")} == {"us-strike", "deal-scope"}
    questions.resolve_question(db, admin, "us-strike", Resolution(option="No"))
    assert [q.id for q in questions.list_questions(db, states={"open"})] == ["deal-scope"]


def _forecaster(db):
    from tests.support import make_user

    return make_user(db, "carol")
