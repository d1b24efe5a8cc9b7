"""The stamp a live session page polls changes when the phase moves or anyone forecasts in the
session, and only then (so open pages redraw at once, and not on every poll)."""

from tracker.schemas import ForecastCreate
from tracker.services import forecasts, sessions
from tracker.services.session_live import activity_stamp


def test_the_stamp_moves_with_each_forecast_and_phase_change(db, alice, bob, binary_question):
    record = sessions.create_session(
        db,
        alice,
        sessions.SessionCreate(
            title="Check-in", question_ids=[binary_question.id], participants=["alice", "bob"]
        ),
    )
    first = activity_stamp(db, record.id)
    assert first == ("blind", 0, 0)
    assert activity_stamp(db, record.id) == first  # nothing happened: nothing to redraw
    yes = {"Yes": 0.4, "No": 0.6}
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=binary_question.id, probabilities=yes)
    )
    after_bob = activity_stamp(db, record.id)
    assert after_bob[:2] == ("blind", 1)
    sessions.advance_phase(db, alice, record.id, "reveal")
    assert activity_stamp(db, record.id) == ("reveal", *after_bob[1:])
