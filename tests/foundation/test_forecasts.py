"""Forecasts: full vectors summing to 1, server time, only while open, append-only, as yourself."""

import math

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tracker.errors import Conflict, InvalidInput, PermissionDenied, parse
from tracker.schemas import ForecastCreate, Resolution
from tracker.services import forecasts, questions


def yes(p: float, **extra) -> ForecastCreate:
    return ForecastCreate(question_id="us-strike", probabilities={"Yes": p, "No": 1 - p}, **extra)


def test_forecast_is_stamped_by_the_server(db, alice, binary_question, clock):
    saved = forecasts.log_forecast(db, alice, yes(0.3, rationale="carriers in the Gulf"))
    assert saved.created_at == clock.now
    assert saved.user == "alice" and saved.origin == "live"
    assert saved.probabilities == pytest.approx({"Yes": 0.3, "No": 0.7})
    assert saved.rationale == "carriers in the Gulf"


def test_vector_within_tolerance_is_normalised(db, alice, mc_question):
    saved = forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id="deal-scope",
            probabilities={
                "Nuclear only": 0.2,
                "Nuclear and missiles": 0.3,
                "No agreement": 0.5 + 5e-7,
            },
        ),
    )
    assert math.fsum(saved.probabilities.values()) == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    ("probabilities", "reason"),
    [
        ({"Yes": 1.3, "No": -0.3}, "between 0 and 1"),
        ({"Yes": 0.5, "No": 0.4}, "sum to 1"),
        ({"Yes": 1.0}, "missing"),
        ({"Yes": 0.5, "No": 0.5, "Maybe": 0.0}, "unknown option"),
        ({"Yes": float("nan"), "No": 0.5}, "finite"),
        ({"Yes": float("inf"), "No": 0.0}, "finite"),
    ],
)
def test_bad_vectors_are_refused_and_nothing_is_stored(
    db, alice, binary_question, probabilities, reason
):
    with pytest.raises(InvalidInput, match=reason):
        data = parse(ForecastCreate, {"question_id": "us-strike", "probabilities": probabilities})
        forecasts.log_forecast(db, alice, data)
    assert forecasts.forecast_history(db, question_id="us-strike") == []


def test_no_forecasts_before_open_after_close_or_once_resolved(
    db, admin, alice, binary_question, clock
):
    from tests.support import question_data

    questions.create_question(
        db, admin, question_data(id="later", open_time="2027-01-01T00:00:00Z")
    )
    with pytest.raises(InvalidInput, match="upcoming"):
        forecasts.log_forecast(db, alice, yes(0.5).model_copy(update={"question_id": "later"}))
    questions.resolve_question(db, admin, "us-strike", Resolution(option="No"))
    with pytest.raises(InvalidInput, match="resolved"):
        forecasts.log_forecast(db, alice, yes(0.5))
    clock.advance(days=365)
    with pytest.raises(InvalidInput, match="closed"):
        forecasts.log_forecast(db, alice, yes(0.5).model_copy(update={"question_id": "later"}))


def test_annulled_questions_take_no_forecasts(db, admin, alice, binary_question):
    questions.resolve_question(db, admin, "us-strike", Resolution(annul=True))
    with pytest.raises(InvalidInput, match="annulled"):
        forecasts.log_forecast(db, alice, yes(0.5))


def test_viewers_and_the_system_cannot_forecast(db, viewer, binary_question):
    from tracker.schemas import Actor

    with pytest.raises(PermissionDenied, match="viewers"):
        forecasts.log_forecast(db, viewer, yes(0.5))
    with pytest.raises(PermissionDenied):
        forecasts.log_forecast(db, Actor.system(), yes(0.5))


def test_updates_append_and_never_overwrite(db, alice, bob, binary_question, clock):
    forecasts.log_forecast(db, alice, yes(0.2))
    clock.advance(hours=1)
    forecasts.log_forecast(db, bob, yes(0.6))
    clock.advance(hours=1)
    forecasts.log_forecast(db, alice, yes(0.4))
    history = forecasts.forecast_history(db, question_id="us-strike")
    assert [(f.user, round(f.probabilities["Yes"], 2)) for f in history] == [
        ("alice", 0.2),
        ("bob", 0.6),
        ("alice", 0.4),
    ]
    latest = forecasts.latest_by_user(history)
    assert latest["alice"].probabilities["Yes"] == pytest.approx(0.4)


def test_hidden_forecasts_stay_stored_and_are_audited(db, admin, alice, binary_question):
    saved = forecasts.log_forecast(db, alice, yes(0.9))
    with pytest.raises(PermissionDenied):
        forecasts.set_hidden(db, alice, saved.id, True, "oops")
    forecasts.set_hidden(db, admin, saved.id, True, "mis-click")
    assert forecasts.forecast_history(db, question_id="us-strike") == []
    assert len(forecasts.forecast_history(db, question_id="us-strike", include_hidden=True)) == 1


def test_the_database_itself_refuses_out_of_range_probabilities(db, alice, binary_question):
    saved = forecasts.log_forecast(db, alice, yes(0.5))
    with pytest.raises(Conflict, match="nothing was saved") as caught, db.write() as session:
        session.connection().execute(
            text("UPDATE forecast_probability SET probability = 1.3 WHERE forecast_id = :id"),
            {"id": saved.id},
        )
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert forecasts.get_forecast(db, saved.id).probabilities["Yes"] == pytest.approx(0.5)


def test_two_submissions_in_one_clock_tick_are_both_kept_in_order(db, alice, binary_question):
    first = forecasts.log_forecast(db, alice, yes(0.2))
    second = forecasts.log_forecast(db, alice, yes(0.3))
    assert second.created_at > first.created_at
    history = forecasts.forecast_history(db, question_id="us-strike")
    assert [round(f.probabilities["Yes"], 1) for f in history] == [0.2, 0.3]


def test_binary_shortcut_validates_p():
    assert forecasts.binary_vector(0.25) == {"Yes": 0.25, "No": 0.75}
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(InvalidInput):
            forecasts.binary_vector(bad)
