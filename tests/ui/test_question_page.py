"""The question page: wording, summary, chart, rationales and the update form, per role."""

import pytest
from streamlit.testing.v1.errors import AppTestError

from tests.ui.conftest import BINARY, CHOICE, QUESTION, RESOLVED, World, no_exceptions, texts
from tracker.errors import InvalidInput
from tracker.schemas import ForecastCreate
from tracker.services import forecasts, summaries
from tracker.ui.widgets import forecast_form as forms


def _mine(world: World, question_id: str, name: str = "alice") -> list:
    user_id = world.actors[name].user_id
    return forecasts.forecast_history(world.db, question_id=question_id, user_id=user_id)


@pytest.mark.parametrize("name", ["admin", "alice", "victor"])
@pytest.mark.parametrize("question_id", [BINARY, CHOICE, RESOLVED])
def test_every_question_renders_for_every_role(open_app, name, question_id):
    at = open_app(name, QUESTION, q=question_id)
    no_exceptions(at)
    shown = texts(at)
    assert "Resolves by" in shown
    assert "Trajectory" in shown and "Rationales" in shown


def test_binary_update_is_stored_with_the_summary_on_screen(open_app, world):
    summary = summaries.summarize_question(world.db, world.actors["admin"], BINARY)
    at = open_app("alice", QUESTION, q=BINARY)
    assert "🔒 hidden" in texts(at)  # bob forecast, alice has not: the team is hidden
    assert "Bob's reasoning" not in texts(at)
    slider_key, number_key = forms.binary_keys(BINARY)
    at.number_input(key=number_key).set_value(35.0).run()
    assert at.slider(key=slider_key).value == 35  # the slider follows the number box
    at.text_area(key=forms.rationale_key(BINARY)).input("Works ahead of schedule.").run()
    at.button(key=f"fc_save_{BINARY}").click().run()
    no_exceptions(at)

    [saved] = _mine(world, BINARY)
    assert saved.probabilities == pytest.approx({"Yes": 0.35, "No": 0.65})
    assert saved.rationale == "Works ahead of schedule."
    assert saved.summary_id == summary.id
    shown = texts(at)
    assert "Bob's reasoning" in shown  # now that alice has forecast, the team shows
    assert "Your forecast 35%" in shown
    assert at.text_area(key=forms.rationale_key(BINARY)).value == ""  # cleared for the next


def test_multiple_choice_form_refuses_a_vector_that_does_not_sum_to_100(open_app, world):
    at = open_app("alice", QUESTION, q=CHOICE)
    save = f"fc_save_{CHOICE}"
    for index, value in enumerate([50.0, 30.0, 30.0]):
        at.number_input(key=forms.option_key(CHOICE, index)).set_value(value)
    at.run()
    assert at.button(key=save).disabled
    assert any("must be exactly 100%" in e.value and "remove 10.0" in e.value for e in at.error)
    with pytest.raises(AppTestError, match="disabled"):
        at.button(key=save).click()
    # Behind the form, the service refuses such a vector too.
    bad = ForecastCreate(
        question_id=CHOICE, probabilities={"Northwind": 0.5, "Saltmarsh": 0.3, "Kestrel": 0.3}
    )
    with pytest.raises(InvalidInput):
        forecasts.log_forecast(world.db, world.actors["alice"], bad)
    assert _mine(world, CHOICE) == []

    at.button(key=f"fc_scale_{CHOICE}").click().run()  # "Scale to 100%"
    scaled = [at.number_input(key=forms.option_key(CHOICE, i)).value for i in range(3)]
    assert sum(scaled) == pytest.approx(100.0)
    assert not at.button(key=save).disabled

    for index, value in enumerate([50.0, 30.0, 20.0]):
        at.number_input(key=forms.option_key(CHOICE, index)).set_value(value)
    at.run()
    assert any("Sum: 100.0%" in s.value for s in at.success)
    at.button(key=save).click().run()
    no_exceptions(at)
    [saved] = _mine(world, CHOICE)
    assert saved.probabilities == pytest.approx(
        {"Northwind": 0.5, "Saltmarsh": 0.3, "Kestrel": 0.2}
    )
    assert saved.summary_id is None  # no summary was on screen


def test_viewer_sees_the_team_but_has_no_form(open_app, world):
    at = open_app("victor", QUESTION, q=BINARY)
    shown = texts(at)
    assert "read-only access" in shown
    assert "Bob's reasoning" in shown  # viewers cannot be anchored: nothing is hidden
    assert not [b for b in at.button if b.key == f"fc_save_{BINARY}"]
    assert not at.slider and not at.number_input


def test_resolved_question_shows_scores_and_takes_no_forecasts(open_app):
    at = open_app("alice", QUESTION, q=RESOLVED)
    no_exceptions(at)
    shown = texts(at)
    assert "Resolved **Yes**" in shown
    assert not [b for b in at.button if b.key == f"fc_save_{RESOLVED}"]
    assert "**Your score:** final Brier 0.020" in shown
    [table] = [d.value for d in at.dataframe if "Final Brier" in d.value.columns]
    assert set(table["Member"]) == {"alice (you)", "bob"}
    alice = table.set_index("Member").loc["alice (you)"]
    assert alice["Final Brier"] == "0.020"  # 2·0.1²


def test_evidence_summary_shows_engine_points_and_links(open_app, world):
    summaries.summarize_question(world.db, world.actors["admin"], BINARY)
    at = open_app("alice", QUESTION, q=BINARY)
    shown = texts(at)
    assert "Offline extractive digest" in shown
    assert "quote verified" in shown
    links = [(p.proto.label, p.proto.query_string) for p in at.get("page_link")]
    cited = [label.replace("\\", "") for label, query in links if query.startswith("e=")]
    assert cited and all(c.startswith("Evidence #1: City council: bridge") for c in cited)


def test_unknown_question_id_asks_to_pick_one(open_app):
    at = open_app("alice", QUESTION, q="no-such-question")
    no_exceptions(at)
    assert "Pick a question above" in texts(at)


def test_picking_another_question_follows_in_the_address(open_app):
    at = open_app("alice", QUESTION, q=BINARY)
    at.selectbox(key="question_pick").set_value(CHOICE).run()
    no_exceptions(at)
    assert at.query_params["q"] == CHOICE
    assert "Which club will win the regional rowing cup?" in texts(at)
    at.run()  # an unrelated rerun keeps the choice
    assert at.selectbox(key="question_pick").value == CHOICE
