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
    # the discussion starts from the disagreements: furthest from the median (0.4) first
    assert [f.user for f in revealed.forecasts] == ["bob", "alice", "carol"]
    assert revealed.distance_from_median == pytest.approx({"bob": 0.3, "alice": 0.2, "carol": 0})
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
    # three binary forecasts: the median pool scores exactly as the median member does
    assert question.team_beat_median_member is False
    assert review.team_blind_brier == pytest.approx(2 * 0.4**2)
    assert review.team_final_brier == pytest.approx(2 * 0.3**2)
    assert {p.user: (p.blind_brier, p.final_brier, p.questions) for p in review.people} == {
        "alice": pytest.approx((2 * 0.2**2, 2 * 0.2**2, 1)),
        "bob": pytest.approx((2 * 0.7**2, 2 * 0.3**2, 1)),
        "carol": pytest.approx((2 * 0.4**2, 2 * 0.4**2, 1)),
    }
    [(listed, _)] = scores.session_reviews(db)
    assert listed.id == record.id
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


def test_a_forecast_made_anywhere_during_a_session_is_recorded_with_it(db, team):
    """The question page, the CLI or an API client need not name the session."""
    record, people = team
    plain = ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.6, "No": 0.4})
    saved = forecasts.log_forecast(db, people["carol"], plain)
    assert (saved.session_id, saved.session_phase) == (record.id, "blind")
    assert sessions.submission_status(db, record.id)[0].submitted == ["carol"]
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    during_reveal = forecasts.log_forecast(db, people["carol"], plain)
    assert during_reveal.session_id is None  # the reveal is for talking, not a session phase
    sessions.advance_phase(db, people["alice"], record.id, "update")
    updated = forecasts.log_forecast(db, people["carol"], plain)
    assert (updated.session_id, updated.session_phase) == (record.id, "update")


def test_in_two_running_sessions_on_one_question_a_forecast_joins_the_newest(db, team):
    record, people = team
    second = sessions.create_session(
        db,
        people["bob"],
        sessions.SessionCreate(
            title="Second session", question_ids=["us-strike"], participants=["bob"]
        ),
    )
    plain = ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.6, "No": 0.4})
    assert forecasts.log_forecast(db, people["bob"], plain).session_id == second.id
    assert forecasts.log_forecast(db, people["carol"], plain).session_id == record.id


def test_updates_stay_hidden_in_blind_and_show_after(db, team):
    record, people = team
    submit(db, people["bob"], 0.7, record.id)
    submit(db, people["alice"], 0.5, record.id)  # the reader forecast it (anchoring rule)
    with pytest.raises(PermissionDenied, match="revealed"):
        sessions.updates(db, people["alice"], record.id)
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    sessions.advance_phase(db, people["alice"], record.id, "update")
    submit(db, people["bob"], 0.4, record.id, "changed my mind")
    [bob] = sessions.updates(db, people["alice"], record.id)["us-strike"]
    assert bob.user == "bob" and bob.probabilities["Yes"] == pytest.approx(0.4)


def test_the_phase_history_says_when_each_phase_began_and_who_moved_it(db, admin, team, clock):
    record, people = team
    clock.advance(hours=1)
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    clock.advance(hours=1)
    sessions.advance_phase(db, admin, record.id, "update")
    history = sessions.phase_history(db, record.id)
    assert [(c.phase, c.by) for c in history] == [
        ("blind", "alice"),
        ("reveal", "alice"),
        ("update", "admin"),
    ]
    assert history[0].at == record.created_at < history[1].at < history[2].at


def test_with_an_even_team_the_pool_beats_the_median_member(db, admin, team):
    """Brier is convex: the pool of the two middle forecasts beats the mean of their scores."""
    first, people = team
    sessions.advance_phase(db, people["alice"], first.id, "closed")  # one session at a time
    dave = make_user(db, "dave")
    record = sessions.create_session(
        db,
        people["alice"],
        sessions.SessionCreate(
            title="Four of us",
            question_ids=["us-strike"],
            participants=["alice", "bob", "carol", "dave"],
        ),
    )
    for actor, p in ((people["alice"], 0.2), (people["bob"], 0.4), (people["carol"], 0.6),
                     (dave, 0.9)):  # fmt: skip
        submit(db, actor, p, record.id)
    sessions.advance_phase(db, people["alice"], record.id, "closed")
    questions.resolve_question(db, admin, "us-strike", Resolution(option="Yes"))
    review = scores.session_review(db, record.id)
    [question] = review.questions
    assert question.median_member_final_brier == pytest.approx((2 * 0.6**2 + 2 * 0.4**2) / 2)
    assert question.team_final_brier == pytest.approx(2 * 0.5**2)
    assert question.team_beat_median_member is True
    assert review.team_beat_median_member == 1


def test_an_admin_taking_part_blind_cannot_read_the_others_numbers_in_the_audit_or_export(
    db, admin, team
):
    from tracker.services import session_views

    record, people = team
    submit(db, people["bob"], 0.7, record.id)
    assert session_views.export_blocked_by(db, people["alice"]) == ["Weekly Iran session"]
    assert session_views.export_blocked_by(db, admin) == []  # not a participant
    masked = [
        e
        for e in session_views.audit_events_for(db, people["alice"])
        if e.action == "forecast.create"
    ]
    assert masked and all(e.after == {"note": session_views.BLIND_NOTE} for e in masked)
    sealed = [e for e in session_views.audit_events_for(db, admin) if e.action == "forecast.create"]
    assert sealed[0].after == {"note": session_views.BLIND_NOTE}  # admins included (issue 12.2)
    full = session_views.audit_events_for(db, admin, show_everything=True)
    plain = [e for e in full if e.action == "forecast.create"]
    assert plain[0].after["vector"] == pytest.approx([0.7, 0.3])
    sessions.advance_phase(db, people["alice"], record.id, "reveal")
    assert session_views.export_blocked_by(db, people["alice"]) == []
