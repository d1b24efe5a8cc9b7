"""Numeric and date questions in the app: the admin creates them with a range (bounds open or
closed, log scale, unit) and resolves them to a value or beyond an open bound; members forecast
with percentile handles or a mixture, drawn live, saved as a CDF; the page reads them in words
and, once resolved, shows the outcome and the member's scores."""

import pytest

from tests.numeric.conftest import brent_data, next_round_data
from tests.ui.conftest import ADMIN, QUESTION, World, no_exceptions, texts
from tracker.schemas import ForecastCreate
from tracker.services import forecasts, questions
from tracker.ui.widgets.continuous_form import (
    LEVELS,
    component_key,
    handle_key,
    mode_key,
)

BRENT = "brent-mid-2027"
ROUND = "next-round-date"


def _one(widgets, label: str):  # type: ignore[no-untyped-def]
    [widget] = [w for w in widgets if w.label == label]
    return widget


@pytest.fixture
def brent(world: World) -> World:
    questions.create_question(world.db, world.actors["admin"], brent_data())
    return world


def _set_handles(at, qid: str, values) -> None:  # type: ignore[no-untyped-def]
    for level, value in zip(LEVELS, values, strict=True):
        at.number_input(key=handle_key(qid, level)).set_value(value)
    at.run()


# ------------------------------------------------------------------ create


def test_admin_creates_a_numeric_question_with_an_open_log_range(open_app, world: World):
    at = open_app("admin", ADMIN)
    _one(at.selectbox, "Type").set_value("numeric").run()
    assert not [t for t in at.text_area if t.label.startswith("Options")]  # a range instead
    _one(at.text_input, "Question").input("How many passengers will the ferry carry in 2027?")
    _one(at.number_input, "Lower bound").set_value(1000)
    _one(at.number_input, "Upper bound").set_value(1_000_000)
    _one(at.checkbox, "Open upper bound (the outcome may be above it)").check()
    _one(
        at.checkbox, "Log scale (for quantities spanning orders of magnitude; lower bound > 0)"
    ).check()
    _one(at.text_input, "Unit (e.g. USD/bbl, %)").input("passengers")
    _one(at.button, "Create question").click().run()
    no_exceptions(at)
    made = questions.get_question(world.db, "how-many-passengers-will-the-ferry-carry-in-2027")
    assert made.type == "numeric" and made.options == []
    assert made.range is not None
    assert (made.range.lower, made.range.upper) == (1000.0, 1_000_000.0)
    assert (made.range.open_lower, made.range.open_upper) == (False, True)
    assert (made.range.scale, made.range.unit) == ("log", "passengers")


def test_admin_creates_a_date_question(open_app, world: World):
    from datetime import date

    at = open_app("admin", ADMIN)
    _one(at.selectbox, "Type").set_value("date").run()
    _one(at.text_input, "Question").input("When will the new tram line open?")
    _one(at.date_input, "Lower bound").set_value(date(2027, 1, 1))
    _one(at.date_input, "Upper bound").set_value(date(2027, 12, 31))
    assert not [c for c in at.checkbox if c.label.startswith("Log scale")]  # dates are linear
    _one(at.button, "Create question").click().run()
    no_exceptions(at)
    made = questions.get_question(world.db, "when-will-the-new-tram-line-open")
    assert made.type == "date" and made.range is not None
    assert made.range.lower == pytest.approx(date(2027, 1, 1).toordinal() - 719163)


@pytest.mark.parametrize(
    ("lower", "upper", "log", "said"),
    [(50.0, 10.0, False, "got 50 and 10"), (0.0, 100.0, True, "needs a positive lower bound")],
)
def test_a_bad_range_is_refused_in_words(open_app, world: World, lower, upper, log, said):
    at = open_app("admin", ADMIN)
    _one(at.selectbox, "Type").set_value("numeric").run()
    _one(at.text_input, "Question").input("How high will the river rise?")
    _one(at.number_input, "Lower bound").set_value(lower)
    _one(at.number_input, "Upper bound").set_value(upper)
    if log:
        _one(
            at.checkbox, "Log scale (for quantities spanning orders of magnitude; lower bound > 0)"
        ).check()
    _one(at.button, "Create question").click().run()
    no_exceptions(at)
    assert at.error and said in at.error[0].value
    assert len(questions.list_questions(world.db)) == 3  # nothing made


# ------------------------------------------------------------------ forecast


def test_a_first_numeric_forecast_needs_a_moved_handle(open_app, brent: World):
    at = open_app("alice", QUESTION, q=BRENT)
    no_exceptions(at)
    assert at.button(key=f"fc_save_{BRENT}").disabled
    assert "nothing is filled in for you" in texts(at)
    assert "Your distribution: median 80 USD/bbl" in texts(at)  # the evenly spread start


def test_handles_draw_the_distribution_and_save_a_cdf(open_app, brent: World):
    at = open_app("alice", QUESTION, q=BRENT)
    _set_handles(at, BRENT, [62, 68, 75, 84, 95])
    no_exceptions(at)
    assert "median 75 USD/bbl, 80 % interval 62 USD/bbl – 95 USD/bbl" in texts(at)
    assert len(at.get("vega_lite_chart")) >= 2  # the live PDF and CDF
    at.text_area(key=f"fc_rationale_{BRENT}").input("Futures curve plus a risk premium.")
    at.button(key=f"fc_save_{BRENT}").click().run()
    no_exceptions(at)
    [saved] = forecasts.forecast_history(
        brent.db, question_id=BRENT, user_id=brent.actors["alice"].user_id
    )
    assert saved.cdf is not None and len(saved.cdf) == 201
    assert saved.rationale == "Futures curve plus a risk premium."
    again = open_app("alice", QUESTION, q=BRENT)
    no_exceptions(again)
    assert any(m.label == "Your forecast: median" and m.value == "75 USD/bbl" for m in again.metric)
    assert "Your standing forecast: median 75 USD/bbl" in texts(again)


def test_handles_out_of_order_give_a_clear_error_and_no_save(open_app, brent: World):
    at = open_app("alice", QUESTION, q=BRENT)
    _set_handles(at, BRENT, [62, 80, 75, 84, 95])
    no_exceptions(at)
    assert any("percentiles must rise with their level" in e.value for e in at.error)
    assert any("is not above the 25th" in e.value for e in at.error)
    assert at.button(key=f"fc_save_{BRENT}").disabled
    assert not forecasts.forecast_history(brent.db, question_id=BRENT)


def test_a_mixture_of_two_components_saves(open_app, brent: World):
    at = open_app("alice", QUESTION, q=BRENT)
    at.segmented_control(key=mode_key(BRENT)).set_value("Mixture").run()
    _one(at.radio, "Components").set_value(2).run()
    at.number_input(key=component_key(BRENT, 0, "centre")).set_value(70)
    at.number_input(key=component_key(BRENT, 1, "centre")).set_value(100)
    at.number_input(key=component_key(BRENT, 1, "weight")).set_value(0.5).run()
    no_exceptions(at)
    assert "Your distribution: median" in texts(at)
    at.button(key=f"fc_save_{BRENT}").click().run()
    no_exceptions(at)
    [saved] = forecasts.forecast_history(brent.db, question_id=BRENT)
    assert saved.cdf is not None and saved.cdf[100] > 0.5  # most mass below the middle (80)


def test_a_date_forecast_with_date_handles(open_app, world: World):
    from datetime import date

    questions.create_question(world.db, world.actors["admin"], next_round_data())
    at = open_app("alice", QUESTION, q=ROUND)
    days = [
        date(2027, 1, 10),
        date(2027, 2, 1),
        date(2027, 3, 1),
        date(2027, 4, 1),
        date(2027, 6, 1),
    ]
    for level, day in zip(LEVELS, days, strict=True):
        at.date_input(key=handle_key(ROUND, level)).set_value(day)
    at.run()
    no_exceptions(at)
    assert "median 2027-03-01" in texts(at)
    at.button(key=f"fc_save_{ROUND}").click().run()
    no_exceptions(at)
    assert len(forecasts.forecast_history(world.db, question_id=ROUND)) == 1


# ------------------------------------------------------------------ team, resolve, scores


def _forecast(world: World, who: str, handles: dict[float, float]) -> None:
    forecasts.log_forecast(
        world.db,
        world.actors[who],
        ForecastCreate(question_id=BRENT, percentiles=handles, rationale=f"{who}'s reasons"),
    )


def test_the_team_cdf_and_rationales_show_in_words(open_app, brent: World):
    _forecast(brent, "bob", {10: 55, 50: 70, 90: 90})
    _forecast(brent, "alice", {10: 62, 50: 75, 90: 95})
    at = open_app("alice", QUESTION, q=BRENT)
    no_exceptions(at)
    assert any(m.label == "Team: median" for m in at.metric)
    shown = texts(at)
    assert "Team: median" in shown and "mean of each member's latest CDF" in shown
    assert "bob's reasons" in shown


def test_admin_resolves_to_a_value_and_the_page_shows_the_score(open_app, brent: World):
    _forecast(brent, "alice", {10: 62, 50: 75, 90: 95})
    _forecast(brent, "bob", {10: 40, 50: 60, 90: 70})
    at = open_app("admin", ADMIN, q=BRENT)
    no_exceptions(at)
    assert _one(at.radio, "Outcome").options == [
        "A value", "Below the range", "Above the range", "Annul (excluded from all scores)"
    ]  # fmt: skip
    _one(at.number_input, "Outcome value (USD/bbl)").set_value(78.5)
    _one(at.checkbox, "I checked this against the resolution criteria").check()
    _one(at.button, "Resolve").click().run()
    no_exceptions(at)
    done = questions.get_question(brent.db, BRENT)
    assert (done.status, float(done.resolution)) == ("resolved", 78.5)
    page = open_app("alice", QUESTION, q=BRENT)
    no_exceptions(page)
    shown = texts(page)
    assert "Resolved 78.5 USD/bbl" in shown.replace("*", "")
    assert "Your scores:" in shown and "CRPS" in shown and "baseline" in shown
    assert "peer" in shown


def test_resolving_beyond_a_closed_bound_is_refused_and_above_an_open_one_works(
    open_app, world: World
):
    questions.create_question(
        world.db,
        world.actors["admin"],
        brent_data(range={"lower": 40, "upper": 120, "open_upper": True, "unit": "USD/bbl"}),
    )
    at = open_app("admin", ADMIN, q=BRENT)
    assert "Below the range" not in _one(at.radio, "Outcome").options  # lower is closed
    _one(at.number_input, "Outcome value (USD/bbl)").set_value(30)
    _one(at.checkbox, "I checked this against the resolution criteria").check()
    _one(at.button, "Resolve").click().run()
    no_exceptions(at)
    assert any("below the closed lower bound" in e.value for e in at.error)
    assert questions.get_question(world.db, BRENT).status == "open"
    _one(at.radio, "Outcome").set_value("Above the range")
    _one(at.button, "Resolve").click().run()
    no_exceptions(at)
    assert questions.get_question(world.db, BRENT).resolution == "above"
    page = open_app("alice", QUESTION, q=BRENT)
    no_exceptions(page)
    assert "above the range" in texts(page)


@pytest.mark.parametrize("who", ["alice", "bob", "victor", "admin"])
def test_every_role_reads_a_numeric_question_without_an_error(open_app, brent: World, who):
    _forecast(brent, "bob", {10: 55, 50: 70, 90: 90})
    at = open_app(who, QUESTION, q=BRENT)
    no_exceptions(at)
    assert not at.error
    assert "40 USD/bbl (open) to 120 USD/bbl (open), linear scale" in texts(at)
