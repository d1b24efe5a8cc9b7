"""The team's pool is selectable: the questions list and the session review use the chosen
pool (median by default), the same pure function the question page's pools come from."""

import numpy as np
import pytest

from tests.support import make_user
from tracker.schemas import ForecastCreate, Resolution
from tracker.scoring import aggregate
from tracker.services import forecasts, questions, scores, sessions, views


def _forecast(db, actor, qid, p):
    forecasts.log_forecast(
        db, actor, ForecastCreate(question_id=qid, probabilities={"Yes": p, "No": 1 - p})
    )


@pytest.fixture
def three(db, admin, alice, bob, binary_question):
    carol = make_user(db, "carol")
    for who, p in ((alice, 0.2), (bob, 0.3), (carol, 0.9)):
        _forecast(db, who, binary_question.id, p)
    return binary_question.id


def test_pool_by_name_is_each_aggregate():
    probs = np.array([[0.2, 0.8], [0.3, 0.7], [0.9, 0.1]])
    for name, expected in aggregate.team_aggregates(probs).items():
        assert aggregate.pool(name, probs) == pytest.approx(expected)
    with pytest.raises(ValueError, match="unknown pool"):
        aggregate.pool("vibes", probs)


def test_the_questions_list_shows_the_chosen_pool(db, alice, three):
    rows = views.question_rows(db, alice)
    median_row, mean_row = (
        views.with_team(db, alice, rows, pool=name)[0] for name in ("median", "mean")
    )
    assert median_row.team_pool == pytest.approx({"Yes": 0.3, "No": 0.7})
    assert mean_row.team_pool == pytest.approx({"Yes": 1.4 / 3, "No": 1.6 / 3})
    assert mean_row.team_median == median_row.team_median  # the median stays for the API


def test_the_chosen_pool_stays_hidden_until_you_forecast(db, admin, three):
    dana = make_user(db, "dana")
    [row] = views.with_team(db, dana, views.question_rows(db, dana), pool="mean")
    assert not row.team_visible and row.team_pool is None


def test_the_session_review_scores_the_chosen_pool(db, admin, alice, bob, binary_question):
    team = sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(
            title="Weekly", question_ids=[binary_question.id], participants=["alice", "bob"]
        ),
    )
    _forecast(db, alice, binary_question.id, 0.2)
    _forecast(db, bob, binary_question.id, 0.6)
    sessions.advance_phase(db, admin, team.id, "reveal")
    questions.resolve_question(db, admin, binary_question.id, Resolution(option="Yes"))
    median = scores.session_review(db, team.id, pool="median").team_blind_brier
    extreme = scores.session_review(db, team.id, pool="extremized_log_odds").team_blind_brier
    pooled = aggregate.extremized_log_odds(np.array([[0.2, 0.8], [0.6, 0.4]]))
    assert median == pytest.approx(2 * (1 - 0.4) ** 2)
    assert extreme == pytest.approx(2 * (1 - pooled[0]) ** 2)
