"""A question resolved on the day it was forecast leaves no full day to score: the leaderboard
says so, ranks the equal scores as ties and names people by their display names."""

import pytest

from tracker import interchange
from tracker.schemas import Actor, UserCreate
from tracker.scoring.leaderboard import tied_ranks
from tracker.services import scores, users
from tracker.ui.widgets.score_table import NO_FULL_DAY, leaderboard_frame, number

SAME_DAY = {
    "format": interchange.FORMAT,
    "questions": [
        {
            "id": "same-day",
            "title": "Will the ferry sail at noon?",
            "type": "binary",
            "resolution_criteria": "The harbour log.",
            "open_time": "2026-03-10T08:00:00Z",
            "close_time": "2026-03-10T16:00:00Z",
            "resolution": "Yes",
            "resolved_time": "2026-03-10T15:00:00Z",
        }
    ],
    "forecasts": [
        {"question_id": "same-day", "user": name, "time": "2026-03-10T09:00:00Z", "probability": p}
        for name, p in (("alice", 0.8), ("bob", 0.8), ("carol", 0.3))
    ],
}


@pytest.fixture
def same_day(db):
    users.create_user(
        db,
        Actor.system(),
        UserCreate(name="carol", display_name="Carol Reyes", role="forecaster", password="x" * 12),
    )
    interchange.import_document(db, Actor.system(), SAME_DAY)
    return db


def test_equal_scores_share_a_rank_and_undefined_ones_share_the_last():
    assert tied_ranks([0.0, 0.0, 0.0]).tolist() == [1, 1, 1]
    assert tied_ranks([-0.2, 0.1, 0.1, float("nan"), 0.3]).tolist() == [1, 2, 2, 5, 4]
    assert tied_ranks([5.0, 7.0, 7.0], ascending=False).tolist() == [3, 1, 1]
    assert tied_ranks([0.1 + 0.2, 0.3]).tolist() == [1, 1]  # float noise is not a lead


def test_a_question_resolved_on_its_forecast_day_scores_no_full_day(same_day):
    board = {row.user: row for row in scores.leaderboard(same_day)}
    assert {row.days_scored for row in board.values()} == {0}
    assert {row.rank for row in board.values()} == {1}  # relative Brier is 0 for all: a tie
    assert all(row.mean_daily_brier is None for row in board.values())
    assert board["carol"].display_name == "Carol Reyes"
    assert board["alice"].display_name == "alice"  # no display name: the sign-in name


def test_ranking_by_peer_score_still_separates_who_was_closer(same_day):
    board = scores.leaderboard(same_day, by="peer_score")
    ranks = {row.user: row.rank for row in board}
    assert ranks == {"alice": 1, "bob": 1, "carol": 3}


def test_the_leaderboard_table_says_no_full_day_scored_and_shows_ties(same_day):
    rows = [r.model_dump() for r in scores.leaderboard(same_day)]
    table = leaderboard_frame(
        rows, "alice", {"relative_brier": "Relative Brier", "mean_daily_brier": "Mean daily Brier"}
    )
    assert list(table["#"]) == ["=1", "=1", "=1"]
    assert set(table["Member"]) == {"alice (you)", "bob", "Carol Reyes"}
    assert set(table["Mean daily Brier"]) == {NO_FULL_DAY}


@pytest.mark.parametrize(
    ("value", "signed", "shown"),
    [(-0.0001, True, "0.000"), (-0.0, False, "0.000"), (0.0134, True, "+0.013"),
     (-0.0134, True, "-0.013"), (None, True, "—")],
)  # fmt: skip
def test_a_score_that_rounds_to_zero_has_no_sign(value, signed, shown):
    assert number(value, signed=signed) == shown
