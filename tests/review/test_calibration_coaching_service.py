"""Calibration coaching from a member's record: honest statements, for the member only."""

import pytest

from tests.support import question_data
from tracker.errors import PermissionDenied
from tracker.schemas import ForecastCreate, Resolution
from tracker.services import coaching, forecasts, questions


def _record(db, admin, member, clock, outcomes: list[str], p_yes: float = 0.9) -> None:
    for i in range(len(outcomes)):
        q = questions.create_question(db, admin, question_data(id=f"q{i}", tags=["iran"]))
        forecasts.log_forecast(
            db,
            member,
            ForecastCreate(question_id=q.id, probabilities=forecasts.binary_vector(p_yes)),
        )
    clock.advance(days=1)
    for i, outcome in enumerate(outcomes):
        questions.resolve_question(db, admin, f"q{i}", Resolution(option=outcome))


def test_overconfidence_at_the_top_is_stated_with_its_exact_interval(db, admin, alice, clock):
    _record(db, admin, alice, clock, ["Yes", "No", "No", "Yes", "No", "No"])
    report = coaching.my_coaching(db, alice)
    assert report.events == 6
    [band, tag] = report.statements
    assert (band.kind, band.group, band.events, band.happened) == ("band", "90–100 %", 6, 2)
    assert band.mean_forecast == pytest.approx(0.9) and band.direction == "overconfident"
    assert band.lower == pytest.approx(0.043272, abs=1e-5)  # beta.ppf(0.025, 2, 5)
    assert band.upper == pytest.approx(0.777222, abs=1e-5)  # beta.ppf(0.975, 3, 4)
    assert "it happened 2 of 6 times" in band.text
    assert (tag.kind, tag.group) == ("tag", "iran")


def test_a_record_consistent_with_its_forecasts_gets_no_statement(db, admin, alice, clock):
    _record(db, admin, alice, clock, ["Yes", "Yes", "Yes", "Yes", "No", "Yes"])
    assert coaching.my_coaching(db, alice).statements == []


def test_nobody_sees_anyone_elses_coaching(db, admin, alice, bob, clock):
    _record(db, admin, alice, clock, ["No"] * 6)
    with pytest.raises(PermissionDenied):
        coaching.my_coaching(db, bob, user_id=alice.user_id)
    assert coaching.my_coaching(db, bob).events == 0
