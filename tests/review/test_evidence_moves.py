"""Which evidence moved whom: an update made with a summary on screen is credited to each
evidence item the summary cited, with its direction and the Brier change it brought."""

import pytest

from tracker.schemas import ForecastCreate, Resolution
from tracker.scoring.moves import update_effect
from tracker.services import evidence, forecasts, questions, summaries
from tracker.services.evidence_moves import TEAM, evidence_moves


def test_an_update_toward_the_outcome_has_a_positive_shift_and_brier_change():
    shift, gain = update_effect([0.3, 0.7], [0.6, 0.4], outcome=0)
    assert shift == pytest.approx(0.3)
    assert gain == pytest.approx(2 * 0.7**2 - 2 * 0.4**2)


def _yes(p: float, summary_id: int | None = None) -> ForecastCreate:
    return ForecastCreate(
        question_id="us-strike", probabilities={"Yes": p, "No": 1 - p}, summary_id=summary_id
    )


def test_each_cited_item_is_credited_per_member_and_for_the_team(
    db, clock, admin, alice, bob, binary_question
):
    item = evidence.add_text(
        db, admin, title="Carrier group moves to the Gulf",
        text="A US carrier strike group moved into the Gulf as strike options were weighed.",
        outlet="Wire",
    )  # fmt: skip
    evidence.link(db, admin, binary_question.id, item.item.id)
    summary = summaries.summarize_question(db, admin, binary_question.id)
    assert item.item.id in summary.evidence_ids
    forecasts.log_forecast(db, alice, _yes(0.3))
    forecasts.log_forecast(db, bob, _yes(0.5))
    clock.advance(hours=2)
    forecasts.log_forecast(db, alice, _yes(0.6, summary.id))  # toward Yes, with the summary
    forecasts.log_forecast(db, bob, _yes(0.4, summary.id))  # away from Yes
    clock.advance(hours=2)
    questions.resolve_question(db, admin, binary_question.id, Resolution(option="Yes"))
    rows = {r.member: r for r in evidence_moves(db) if r.evidence_id == item.item.id}
    assert rows["alice"].mean_shift == pytest.approx(0.3) and rows["alice"].toward_outcome == 1
    assert rows["bob"].mean_shift == pytest.approx(-0.1) and rows["bob"].mean_brier_change < 0
    assert rows[TEAM].updates == 2 and rows[TEAM].toward_outcome == 1
    assert rows["alice"].evidence_title == "Carrier group moves to the Gulf"
