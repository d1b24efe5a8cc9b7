"""The Review page's "Which evidence moved whom?" table."""

from tests.ui.conftest import BINARY, REVIEW, World, no_exceptions, texts
from tracker.schemas import ForecastCreate, Resolution
from tracker.services import forecasts, questions, summaries


def test_before_any_such_update_the_table_says_what_it_will_show(open_app):
    at = open_app("alice", REVIEW)
    no_exceptions(at)
    assert "credited to the evidence the summary cited" in texts(at)


def test_an_update_after_a_summary_is_credited_to_its_evidence(open_app, world: World):
    admin, alice = world.actors["admin"], world.actors["alice"]
    summary = summaries.summarize_question(world.db, admin, BINARY)
    for p, shown in ((0.4, None), (0.8, summary.id)):
        vector = {"Yes": p, "No": 1 - p}
        data = ForecastCreate(question_id=BINARY, probabilities=vector, summary_id=shown)
        forecasts.log_forecast(world.db, alice, data)
    questions.resolve_question(world.db, admin, BINARY, Resolution(option="Yes"))
    at = open_app("alice", REVIEW)
    no_exceptions(at)
    [table] = [d.value for d in at.dataframe if "Evidence" in d.value.columns]
    rows = table.set_index("Who")
    assert rows.loc["alice", "Evidence"] == "City council: bridge works ahead of schedule"
    assert rows.loc["alice", "Mean shift of P(outcome)"] == "+40.0 pts"
    assert rows.loc["Team", "Toward the outcome"] == "1 of 1"
