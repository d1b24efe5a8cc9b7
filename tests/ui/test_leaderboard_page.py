"""The Review page's leaderboard when a question resolved on the day it was forecast: it says
"no full day scored", shows tied ranks as ties and people by their display names."""

from tests.review.test_leaderboard_without_full_days import SAME_DAY
from tests.ui.conftest import REVIEW, World, app_as, no_exceptions, texts
from tracker import interchange
from tracker.schemas import Actor, UserCreate
from tracker.services import users
from tracker.ui.widgets.score_table import NO_FULL_DAY


def test_leaderboard_with_no_full_day_scored_says_so_and_ties_everyone(team: World):
    users.create_user(
        team.db,
        Actor.system(),
        UserCreate(name="carol", display_name="Carol Reyes", role="forecaster", password="x" * 12),
    )
    interchange.import_document(team.db, Actor.system(), SAME_DAY)
    at = app_as(team.db, "alice", REVIEW)
    no_exceptions(at)
    [board] = [d.value for d in at.dataframe if "#" in d.value.columns]
    assert list(board["#"]) == ["=1", "=1", "=1"]
    assert set(board["Member"]) == {"alice (you)", "bob", "Carol Reyes"}
    assert set(board["Mean daily Brier"]) == {NO_FULL_DAY}
    assert not any(str(cell).startswith("-0.0") for cell in board.to_numpy().ravel())
    assert "No full day scored yet" in texts(at)
    assert not at.tabs[0].get("vega_lite_chart")  # no bars of zeros on a "0.000000" axis
