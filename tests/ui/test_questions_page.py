"""The questions list: filters, where I stand on each question, and the team's hidden numbers."""

from datetime import timedelta

import pytest

from tests.ui.conftest import (
    BINARY,
    CHOICE,
    QUESTIONS,
    RESOLVED,
    World,
    no_exceptions,
    texts,
)
from tracker import interchange
from tracker.schemas import Actor


def _table(at):
    if at.segmented_control(key="qs_view").value != "Table":
        at.segmented_control(key="qs_view").set_value("Table").run()
    [frame] = [d.value for d in at.dataframe if "Question" in d.value.columns]
    return frame.set_index("id")


@pytest.mark.parametrize("name", ["admin", "alice", "victor"])
def test_questions_page_renders_for_every_role(open_app, name):
    at = open_app(name, QUESTIONS)
    no_exceptions(at)
    table = _table(at)
    assert set(table.index) == {BINARY, CHOICE}  # open ones by default
    assert {"Team median", "Forecasters", "Time left"} <= set(table.columns)


def test_forecaster_sees_own_standing_and_team_hidden_until_forecast(open_app, world: World):
    at = open_app("alice", QUESTIONS)
    table = _table(at)
    assert table.loc[BINARY, "My forecast"] == "—"
    assert table.loc[BINARY, "Team median"] == "🔒 after you forecast"
    assert table.loc[BINARY, "Forecasters"] == 1
    assert table.loc[BINARY, "New evidence"] == "🆕 1"
    assert table.loc[BINARY, "Your update"] == "no forecast yet"
    assert table.loc[BINARY, "Time left"].endswith("d left")
    assert "2 need your update · 1 with new evidence" in texts(at)


def test_viewer_sees_the_team_median_and_no_personal_columns(open_app):
    at = open_app("victor", QUESTIONS)
    table = _table(at)
    assert table.loc[BINARY, "Team median"] == "70%"
    assert [t.label for t in at.toggle] == []  # no "Needs my update" for viewers
    shown = list(at.dataframe[0].proto.column_order)  # the columns the browser shows
    assert "Team median" in shown
    assert "My forecast" not in shown and "Your update" not in shown


def test_needs_my_update_keeps_new_evidence_and_stale_forecasts(open_app, world: World):
    now = world.db.now()
    # alice forecast on both open questions: recently on the choice question, long ago on none.
    document = {
        "format": interchange.FORMAT,
        "forecasts": [
            {"question_id": CHOICE, "user": "alice", "time": _iso(now - timedelta(days=2)),
             "probabilities": {"Northwind": 0.5, "Saltmarsh": 0.3, "Kestrel": 0.2}},
            {"question_id": BINARY, "user": "alice", "time": _iso(now - timedelta(days=3)),
             "probability": 0.6},
        ],
    }  # fmt: skip
    interchange.import_document(world.db, Actor.system(), document)
    at = open_app("alice", QUESTIONS)
    table = _table(at)
    assert table.loc[CHOICE, "My forecast"] == "Northwind 50%"
    assert table.loc[CHOICE, "Your update"] == ""
    assert table.loc[BINARY, "Your update"] == "1 new evidence item"  # linked after her forecast
    at.toggle(key="qs_needs").set_value(True).run()
    assert list(_table(at).index) == [BINARY]

    # A forecast older than the staleness limit needs an update too.
    document["forecasts"] = [
        {"question_id": CHOICE, "user": "bob", "time": _iso(now - timedelta(days=20)),
         "probabilities": {"Northwind": 0.2, "Saltmarsh": 0.3, "Kestrel": 0.5}},
    ]  # fmt: skip
    interchange.import_document(world.db, Actor.system(), document)
    at = open_app("bob", QUESTIONS)
    at.toggle(key="qs_needs").set_value(True).run()
    table = _table(at)
    assert table.loc[CHOICE, "Your update"] == "last forecast 20 days ago"


def test_filters_by_status_tag_type_and_search(open_app):
    at = open_app("alice", QUESTIONS)
    at.button_group(key="qs_states").set_value(["Resolved"]).run()
    assert list(_table(at).index) == [RESOLVED]
    at.button_group(key="qs_states").set_value(["Open", "Resolved"]).run()
    at.selectbox(key="qs_tag").set_value("sport").run()
    assert list(_table(at).index) == [CHOICE]
    at.selectbox(key="qs_tag").set_value("All tags").run()
    at.selectbox(key="qs_type").set_value("Binary").run()
    assert set(_table(at).index) == {BINARY, RESOLVED}
    at.text_input(key="qs_q").input("ferry").run()
    assert list(_table(at).index) == [RESOLVED]
    at.text_input(key="qs_q").input("no such words").run()
    assert "No questions match these filters" in texts(at)


def test_empty_database_tells_each_role_what_to_do(open_empty_app):
    at = open_empty_app("admin", QUESTIONS)
    no_exceptions(at)
    assert "No questions yet. Create one on the **Admin** page" in texts(at)
    at = open_empty_app("alice", QUESTIONS)
    assert "An admin adds them" in texts(at)


def _iso(at) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_team_column_follows_the_pool_picked_for_this_view(open_app):
    import numpy as np

    from tracker.config import get_settings
    from tracker.scoring.aggregate import extremized_log_odds

    at = open_app("victor", QUESTIONS)
    assert at.selectbox(key="qs_pool").value == "median"  # the team's default
    at.selectbox(key="qs_pool").set_value("extremized_log_odds").run()
    no_exceptions(at)
    factor = get_settings().extremize_factor
    expected = extremized_log_odds(np.array([[0.7, 0.3]]), factor)[0]
    assert _table(at).loc[BINARY, "Team median"] == f"{expected:.0%}"


def _many_open_questions(world: World, n: int) -> None:
    now = world.db.now()
    document = {
        "format": interchange.FORMAT,
        "questions": [
            {"id": f"bulk-{i:03d}", "title": f"Bulk question number {i}", "type": "binary",
             "options": ["Yes", "No"], "open_time": _iso(now - timedelta(days=1)),
             "close_time": _iso(now + timedelta(days=100 + i)), "tags": ["bulk"]}
            for i in range(n)
        ],
    }  # fmt: skip
    interchange.import_document(world.db, Actor.system(), document)


def test_a_long_list_is_paged_and_a_new_filter_starts_at_page_one(open_app, world: World):
    _many_open_questions(world, 55)  # 57 open questions: 50 on page 1, 7 on page 2
    at = open_app("alice", QUESTIONS)
    no_exceptions(at)
    first = _table(at)
    assert len(first) == 50 and list(first.index[:2]) == [BINARY, CHOICE]  # closing soonest
    assert "57 questions" in texts(at) and "showing 1–50" in texts(at)
    [pager] = at.pagination
    pager.set_value(2).run()
    second = _table(at)
    assert list(second.index) == [f"bulk-{i:03d}" for i in range(48, 55)]
    assert "showing 51–57" in texts(at)
    at.selectbox(key="qs_sort").set_value("Title").run()  # another order: back to page 1
    assert at.pagination[0].value == 1 and len(_table(at)) == 50


def test_my_forecasts_filter(open_app, world: World):
    at = open_app("bob", QUESTIONS)  # bob forecast the open binary question only
    at.selectbox(key="qs_mine").set_value("Forecast by me").run()
    assert list(_table(at).index) == [BINARY]
    at.selectbox(key="qs_mine").set_value("Not yet forecast").run()
    assert list(_table(at).index) == [CHOICE]
    at = open_app("victor", QUESTIONS)
    assert [s.key for s in at.selectbox if s.key == "qs_mine"] == []  # viewers never forecast


def test_search_finds_tags_and_ids_too(open_app):
    at = open_app("alice", QUESTIONS)
    at.text_input(key="qs_q").input("SPORT").run()  # the choice question's tag
    assert list(_table(at).index) == [CHOICE]
    at.text_input(key="qs_q").input("ui-binary").run()
    assert list(_table(at).index) == [BINARY]
