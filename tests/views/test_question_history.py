"""A question's history is read once and reused, yet never stale: every new forecast, and every
other write (hiding a forecast, say), shows at once."""

from tests.support import make_user
from tracker.schemas import ForecastCreate
from tracker.services import forecasts, views


def _log(db, actor, p):
    return forecasts.log_forecast(
        db, actor, ForecastCreate(question_id="us-strike", probabilities={"Yes": p, "No": 1 - p})
    )


def test_the_history_is_reused_until_something_changes(db, admin, alice, binary_question):
    first = _log(db, alice, 0.3)
    history = views.question_history(db, "us-strike")
    assert views.question_history(db, "us-strike") is history  # nothing changed: the same list
    assert [f.id for f in history] == [first.id]


def test_a_new_forecast_shows_at_once_even_in_the_same_clock_tick(
    db, admin, alice, binary_question
):
    bob = make_user(db, "bob")
    _log(db, alice, 0.3)
    assert len(views.question_history(db, "us-strike")) == 1
    second = _log(db, bob, 0.6)  # the frozen test clock stamps it with the same time
    assert [f.id for f in views.question_history(db, "us-strike")][-1] == second.id


def test_hiding_a_forecast_takes_it_out_of_the_history(db, admin, alice, binary_question):
    saved = _log(db, alice, 0.3)
    assert len(views.question_history(db, "us-strike")) == 1
    forecasts.set_hidden(db, admin, saved.id, True, "mis-click")
    assert views.question_history(db, "us-strike") == []


def test_the_questions_list_counts_a_new_forecaster_at_once(db, admin, alice, binary_question):
    bob = make_user(db, "bob")
    _log(db, alice, 0.3)

    def team_row():
        [row] = views.with_team(db, alice, views.question_rows(db, alice))
        return row

    assert team_row().forecasters == 1
    _log(db, bob, 0.7)
    row = team_row()
    assert row.forecasters == 2 and row.team_median["Yes"] == 0.5


def test_each_kind_of_kept_value_has_its_own_bound(db):
    from tracker.services import memo

    memo.keep(db, "vectors", "q1", 1, {"a": 1}, limit=10)
    for i in range(5):  # histories beyond their bound of 2 never push vectors out
        memo.keep(db, "history", f"q{i}", 1, [i], limit=2)
    assert memo.lookup(db, "vectors", "q1", 1) == {"a": 1}
    assert memo.lookup(db, "history", "q4", 1) == [4]
    assert memo.lookup(db, "history", "q0", 1) is None  # the least recently used went first
    assert memo.lookup(db, "vectors", "q1", 2) is None  # another stamp: no longer current
