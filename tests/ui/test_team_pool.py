"""The team aggregate is selectable: the question page shows the team's default pool and lets
the reader view another; the Review page shows how each pool would have scored."""

from tests.ui.conftest import BINARY, QUESTION, REVIEW, World, no_exceptions, texts
from tracker.schemas import ForecastCreate
from tracker.services import forecasts


def test_the_question_page_shows_the_chosen_pool(open_app, world: World):
    yes = {"Yes": 0.2, "No": 0.8}
    forecasts.log_forecast(
        world.db, world.actors["alice"], ForecastCreate(question_id=BINARY, probabilities=yes)
    )
    at = open_app("alice", QUESTION, q=BINARY)
    no_exceptions(at)
    assert at.selectbox(key="qp_pool").value == "median"
    assert any(m.label == "Team (median)" for m in at.metric)
    at.selectbox(key="qp_pool").set_value("mean").run()
    assert any(m.label == "Team (mean)" and m.value == "45%" for m in at.metric)  # (20+70)/2


def test_the_review_compares_the_pools(open_app):
    at = open_app("alice", REVIEW)
    no_exceptions(at)
    [table] = [d.value for d in at.dataframe if "Pool" in d.value.columns]
    assert "Median (team default)" in set(table["Pool"]) and len(table) == 5
    assert "Each pool of the members' last forecasts" in texts(at)
