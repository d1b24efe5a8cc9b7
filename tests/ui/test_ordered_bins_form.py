"""Ordered bins are forecast with percentile handles (median, 80 % range) that fill the bins;
nothing is pre-filled that could be saved by accident; the summary is the median bin and the
80 % range."""

import pytest

from tests.support import question_data
from tests.ui.conftest import QUESTION, World, no_exceptions, texts
from tracker.scoring.quantile_bins import quantile_bins
from tracker.services import forecasts, questions
from tracker.ui.widgets.forecast_form import ordered_keys

ROUNDS = "ui-rounds"
BINS = ["0", "1", "2–3", "4–6", "7–10", "≥ 11"]


@pytest.fixture
def rounds(world: World):
    questions.create_question(
        world.db,
        world.actors["admin"],
        question_data(id=ROUNDS, title="How many rounds of talks?", type="ordered", options=BINS),
    )
    return world


def test_a_first_ordered_forecast_cannot_be_saved_before_a_handle_moves(open_app, rounds):
    at = open_app("alice", QUESTION, q=ROUNDS)
    no_exceptions(at)
    assert at.button(key=f"fc_save_{ROUNDS}").disabled
    assert "nothing is filled in for you" in texts(at)
    assert not [n for n in at.number_input if n.label in BINS]  # no box per bin


def test_the_handles_fill_the_bins_and_the_saved_forecast_has_those_percentiles(open_app, rounds):
    at = open_app("alice", QUESTION, q=ROUNDS)
    median, spread, _ = ordered_keys(ROUNDS)
    at.select_slider(key=spread).set_range(1, 4).run()
    at.select_slider(key=median).set_value(2).run()
    no_exceptions(at)
    assert "median 2–3 · 80% range 1 to 7–10" in texts(at)
    at.button(key=f"fc_save_{ROUNDS}").click().run()
    no_exceptions(at)
    [saved] = forecasts.forecast_history(
        rounds.db, question_id=ROUNDS, user_id=rounds.actors["alice"].user_id
    )
    assert quantile_bins([saved.probabilities[b] for b in BINS]) == [1, 2, 4]
    assert sum(saved.probabilities.values()) == pytest.approx(1.0)
    again = open_app("alice", QUESTION, q=ROUNDS)  # the headline: the median bin
    assert any(m.label == "Your forecast: median" and m.value == "2–3" for m in again.metric)
    assert "median 2–3 · 80% range 1 to 7–10" in texts(again)


def test_a_median_outside_the_range_is_explained(open_app, rounds):
    at = open_app("alice", QUESTION, q=ROUNDS)
    median, spread, _ = ordered_keys(ROUNDS)
    at.select_slider(key=spread).set_range(0, 1).run()
    at.select_slider(key=median).set_value(4).run()
    assert any("must lie inside the 80% range" in e.value for e in at.error)
    assert at.button(key=f"fc_save_{ROUNDS}").disabled
