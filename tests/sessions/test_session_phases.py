"""Team sessions: blind → reveal → update → closed, no peeking, facilitator-only phase moves."""

import csv
import io

import pytest

from tests.support import make_user
from tracker.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracker.schemas import ForecastCreate, Resolution
from tracker.services import audit, forecasts, questions, scores, sessions


@pytest.fixture
def team(db, admin, alice, bob, binary_question):
    carol = make_user(db, "carol")
    record = sessions.create_session(
        db,
        alice,
        sessions.SessionCreate(
            title="Weekly Iran session",
            question_ids=["us-strike"],
            participants=["alice", "bob", "carol"],
        ),
    )
    return record, {"alice": alice, "bob": bob, "carol": carol}


def submit(db, actor, p, session_id, rationale=""):
    return forecasts.log_forecast(
        db,
        actor,
        ForecastCreate(
            question_id="us-strike",
            probabilities={"Yes": p, "No": 1 - p},
            session_id=session_id,
            rationale=rationale,
        ),
    )


def test_a_new_session_starts_blind_with_its_creator_facilitating(team):
    record, _ = team
    assert record.phase == "blind" and record.facilitator == "alice"
    assert record.participants == ["alice", "bob", "carol"]


def test_blind_phase_shows_who_submitted_but_no_numbers(db, team):
    record, people = team
    saved = submit(db, people["bob"], 0.7, record.id, "carriers")
    assert saved.session_phase == "blind" and saved.session_id == record.id
    [status] = sessions.submission_status(db, record.id)
    assert status.submitted == ["bob"] and status.waiting == ["alice", "carol"]
    with pytest.raises(PermissionDenied, match="revealed"):
        sessions.reveal(db, people["alice"], record.id)
    assert sessions.blind_question_ids(db, people["alice"].user_id) == {"us-strike"}
    exported = sessions.export_record(db, people["alice"], record.id)
    assert exported["questions"] == [] and "0.7" not in str(exported)


def test_only_the_facilitator_or_an_admin_moves_phases_and_only_forward(db, admin, team):
    record, people = team
    with pytest.raises(PermissionDenied, match="facilitator"):
        sessions.advance_phase(db, people["bob"], record.id, "reveal")
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    with pytest.raises(Conflict, match="forward"):
        sessions.advance_phase(db, people["alice"], record.id, "blind")
    assert sessions.advance_phase(db, admin, record.id, "update").phase == "update"
    phases = [
        e.after["phase"]
        for e in audit.list_events(db, entity_type="session")
        if e.action == "session.phase"
    ]
    assert phases == ["update", "reveal"]


def test_reveal_shows_every_blind_forecast_and_the_pools(db, team):
    record, people = team
    for name, p in (("alice", 0.2), ("bob", 0.7), ("carol", 0.4)):
        submit(db, people[name], p, record.id, f"{name}'s reasons")
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    [revealed] = sessions.reveal(db, people["bob"], record.id)
    assert [f.user for f in revealed.forecasts] == ["alice", "bob", "carol"]
    assert revealed.aggregates["median"]["Yes"] == pytest.approx(0.4)
    assert set(revealed.aggregates) >= {"median", "geometric_mean_of_odds", "extremized_log_odds"}
    assert revealed.spread["Yes"] == pytest.approx(0.5)
    assert sessions.blind_question_ids(db, people["alice"].user_id) == set()


def test_no_session_forecasts_during_reveal_or_after_close(db, team):
    record, people = team
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    with pytest.raises(InvalidInput, match="reveal phase"):
        submit(db, people["bob"], 0.5, record.id)
    sessions.advance_phase(db, people["alice"], record.id, "closed")
    with pytest.raises(InvalidInput, match="closed phase"):
        submit(db, people["bob"], 0.5, record.id)


def test_outsiders_cannot_forecast_in_a_session(db, team):
    record, _ = team
    dave = make_user(db, "dave")
    with pytest.raises(PermissionDenied, match="not a participant"):
        submit(db, dave, 0.5, record.id)


def test_session_validation(db, alice, viewer, binary_question):
    with pytest.raises(NotFound):
        sessions.create_session(
            db,
            alice,
            sessions.SessionCreate(title="x", question_ids=["nope"], participants=["alice"]),
        )
    with pytest.raises(InvalidInput, match="viewer"):
        sessions.create_session(
            db,
            alice,
            sessions.SessionCreate(title="x", question_ids=["us-strike"], participants=["vera"]),
        )
    with pytest.raises(PermissionDenied):
        sessions.create_session(
            db,
            viewer,
            sessions.SessionCreate(title="x", question_ids=["us-strike"], participants=["alice"]),
        )


def test_review_compares_blind_and_updated_brier(db, admin, team):
    record, people = team
    for name, p in (("alice", 0.2), ("bob", 0.7), ("carol", 0.4)):
        submit(db, people[name], p, record.id)
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    sessions.advance_phase(db, people["alice"], record.id, "update")
    submit(db, people["bob"], 0.3, record.id, "persuaded by alice")
    sessions.advance_phase(db, people["alice"], record.id, "closed")
    questions.resolve_question(db, admin, "us-strike", Resolution(option="No"))
    review = scores.session_review(db, record.id)
    [question] = review.questions
    bob = next(p for p in question.people if p.user == "bob")
    assert bob.blind_brier == pytest.approx(2 * 0.7**2)
    assert bob.final_brier == pytest.approx(2 * 0.3**2)
    assert question.team_blind_brier == pytest.approx(2 * 0.4**2)
    assert question.team_final_brier == pytest.approx(2 * 0.3**2)
    assert question.median_member_blind_brier == pytest.approx(2 * 0.4**2)
    rows = list(csv.DictReader(io.StringIO(sessions.export_csv(db, admin, record.id))))
    assert {(r["phase"], r["user"]) for r in rows} == {
        ("blind", "alice"),
        ("blind", "bob"),
        ("blind", "carol"),
        ("update", "bob"),
    }


def test_update_effects_split_by_evidence_summary(db, admin, alice, binary_question, clock):
    from tracker.services import evidence, summaries

    item = evidence.add_text(
        db,
        alice,
        title="Carrier group",
        text="A carrier group heads to the Gulf as strike fears grow.",
    ).item
    evidence.link(db, alice, "us-strike", item.id)
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.6, "No": 0.4})
    )
    clock.advance(hours=1)
    summary = summaries.summarize_question(db, alice, "us-strike")
    forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id="us-strike", probabilities={"Yes": 0.3, "No": 0.7}, summary_id=summary.id
        ),
    )
    clock.advance(hours=1)
    questions.resolve_question(db, admin, "us-strike", Resolution(option="No"))
    effects = {e.group: e for e in scores.update_effects(db)}
    after = effects["after an evidence summary"]
    assert after.updates == 1 and after.mean_improvement == pytest.approx(2 * 0.6**2 - 2 * 0.3**2)
    assert effects["other updates"].updates == 0
