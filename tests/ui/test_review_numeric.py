"""The Review page with resolved numeric and date questions beside a binary one: every tab
renders, the numeric leaderboard ranks by mean peer score, the PIT calibration shows, and a
numeric question's review draws the members' medians and intervals against the outcome.

Runs on SQLite, or on PostgreSQL when DATABASE_URL says so (the `database_url` fixture)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.support import make_user
from tests.ui.conftest import (
    REVIEW,
    ROLES,
    World,
    _clear_caches,
    _point_app_at,
    _time,
    app_as,
    no_exceptions,
    texts,
)
from tracker import interchange
from tracker.db import Database
from tracker.quantities import forecast_cdf
from tracker.schemas import Actor
from tracker.services import numeric_scores, questions, users
from tracker.ui.widgets.score_table import number

BRENT, ROUND, FERRY, OPEN_BRENT = "ui-brent", "ui-round", "ui-ferry", "ui-brent-open"
ANNULLED = "ui-brent-annulled"
BRENT_TITLE = "Brent settlement at the end of the quarter?"

# alice sharp and right, bob vague, admin sharp and wrong: peer order alice, bob, admin
BRENT_HANDLES = {
    "alice": {10: 78, 50: 81, 90: 84},
    "bob": {10: 55, 50: 75, 90: 100},
    "admin": {10: 95, 50: 100, 90: 105},
}


def _round_handles(now) -> dict[str, dict[float, str]]:  # type: ignore[no-untyped-def]
    def day(offset: int) -> str:
        return (now + timedelta(days=offset)).date().isoformat()

    return {
        "alice": {10: day(-14), 50: day(-10), 90: day(-6)},
        "bob": {10: day(-40), 50: day(-10), 90: day(30)},
        "admin": {10: day(20), 50: day(40), 90: day(60)},
    }


def _build(db: Database) -> None:
    for name, role in ROLES.items():
        make_user(db, name, role)
    now = db.now()
    opened, ended = now - timedelta(days=30), now - timedelta(days=3)
    day = lambda offset: (now + timedelta(days=offset)).date().isoformat()  # noqa: E731
    common = {"open_time": _time(opened), "close_time": _time(ended),
              "resolved_time": _time(ended)}  # fmt: skip
    document = {
        "format": interchange.FORMAT,
        "questions": [
            {"id": BRENT, "title": BRENT_TITLE, "type": "numeric", "range": [40, 120],
             "open_lower": True, "open_upper": True, "unit": "USD/bbl", "resolution": 81.0,
             **common},
            {"id": ROUND, "title": "When will the next round of talks begin?", "type": "date",
             "range": [day(-60), day(120)], "open_upper": True, "resolution": day(-10),
             **common},
            {"id": FERRY, "title": "Will the ferry timetable change in autumn?",
             "type": "binary", "resolution": "Yes", **common},
            {"id": ANNULLED, "title": "Brent settlement on a day the exchange shut?",
             "type": "numeric", "range": [40, 120], **common, "resolution": "annulled"},
            {"id": OPEN_BRENT, "title": "Brent settlement next year?", "type": "numeric",
             "range": [40, 120], "open_time": _time(opened),
             "close_time": _time(now + timedelta(days=60))},
        ],
    }  # fmt: skip
    interchange.import_document(db, Actor.system(), document)
    specs = {q.id: q for q in questions.list_questions(db)}
    rows = []
    for qid, handles in ((BRENT, BRENT_HANDLES), (ROUND, _round_handles(now))):
        q = specs[qid]
        assert q.range is not None
        for i, (user, levels) in enumerate(handles.items()):
            cdf = forecast_cdf(q.type, q.range, percentiles=levels)
            rows.append({"question_id": qid, "user": user, "cdf": cdf,
                         "time": _time(opened + timedelta(days=1 + i))})  # fmt: skip
    rows.append({"question_id": BRENT, "user": "alice", "time": _time(opened + timedelta(days=9)),
                 "cdf": forecast_cdf("numeric", specs[BRENT].range,
                                     percentiles={10: 77, 50: 80.5, 90: 83})})  # fmt: skip
    rows.append({"question_id": ANNULLED, "user": "bob", "time": _time(opened + timedelta(days=2)),
                 "cdf": forecast_cdf("numeric", specs[ANNULLED].range,
                                     percentiles={10: 60, 50: 75, 90: 90})})  # fmt: skip
    rows.append({"question_id": OPEN_BRENT, "user": "alice", "time": _time(now - timedelta(days=1)),
                 "cdf": forecast_cdf("numeric", specs[OPEN_BRENT].range,
                                     percentiles={10: 60, 50: 75, 90: 90})})  # fmt: skip
    for user, p in (("alice", 0.8), ("bob", 0.4), ("admin", 0.6)):
        rows.append({"question_id": FERRY, "user": user, "probability": p,
                     "time": _time(opened + timedelta(days=2))})  # fmt: skip
    interchange.import_document(db, Actor.system(), {"format": interchange.FORMAT,
                                                     "forecasts": rows})  # fmt: skip


@pytest.fixture
def numeric_world(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The team, a resolved numeric, date and binary question each forecast by alice, bob and
    admin, an annulled numeric question bob forecast on, and an open one alice forecast on."""
    _point_app_at(database_url, monkeypatch)
    db = Database(database_url)
    _build(db)
    yield World(db=db, actors={n: users.actor_for(users.get_user(db, n)) for n in ROLES})
    db.dispose()
    _clear_caches()


def test_the_world_is_scored_as_the_test_says(numeric_world: World) -> None:
    board = numeric_scores.numeric_leaderboard(numeric_world.db)
    assert [s.user for s in board] == ["alice", "bob", "admin"]
    assert all(s.questions == 2 for s in board)


def _numeric_tab(at):  # type: ignore[no-untyped-def]
    [tab] = [t for t in at.tabs if t.label == "📏 Numeric & dates"]
    return tab


def _frame_with(where, column: str):  # type: ignore[no-untyped-def]
    [frame] = [d.value for d in where.dataframe if column in d.value.columns]
    return frame


@pytest.mark.parametrize("name", ["alice", "victor"])
def test_review_renders_with_numeric_date_and_binary_questions(
    numeric_world: World, name: str
) -> None:
    at = app_as(numeric_world.db, name, REVIEW)
    no_exceptions(at)
    board = _frame_with(at.tabs[0], "Relative Brier")  # the categorical board: the ferry only
    assert len(board) == 3 and set(board["Questions"]) == {1}
    assert "they are ranked on the 📏 Numeric & dates tab" in texts(at)
    queue = at.tabs[2].dataframe[0].value.set_index("Question")
    assert queue.loc[BRENT_TITLE, "Outcome"] == "81 USD/bbl"
    assert queue.loc[BRENT_TITLE, "Members"] == 3
    for qid in (BRENT, ROUND, FERRY):  # every resolved question reviewed without a failure
        at.selectbox(key="rv_recent_pick").set_value(qid).run()
        no_exceptions(at)
        at.selectbox(key="rv_question").set_value(qid).run()
        no_exceptions(at)
    at.selectbox(key="rv_question").set_value(ANNULLED).run()
    no_exceptions(at)
    assert "Annulled: the chart shows each member's median and 80 % interval." in texts(at)
    assert "Annulled: not scored." in texts(at)
    assert at.tabs[3].get("vega_lite_chart")  # bob's path, without an outcome line
    at.selectbox(key="rv_question").set_value(ROUND).run()
    at.button(key=f"rv_pm_{ROUND}").click().run()  # the post-mortem of a date question
    no_exceptions(at)
    assert "The question resolved at" in texts(at)


def test_the_numeric_leaderboard_ranks_by_mean_peer_score(numeric_world: World) -> None:
    at = app_as(numeric_world.db, "bob", REVIEW)
    no_exceptions(at)
    tab = _numeric_tab(at)
    board = _frame_with(tab, "Mean peer score")
    assert list(board["Member"]) == ["alice", "bob (you)", "admin"]
    assert list(board["#"]) == ["1", "2", "3"] and set(board["Questions"]) == {2}
    expected = {s.user: s for s in numeric_scores.numeric_leaderboard(numeric_world.db)}
    assert board["Mean peer score"][0] == number(expected["alice"].peer, 1, signed=True)
    assert {"Mean baseline score", "Mean log score"} <= set(board.columns)
    pool = [m for m in tab.metric if m.label == "Team pool: mean baseline"]
    assert pool and pool[0].value.startswith(("+", "-"))
    assert "its best member by baseline score" in texts(at) and "against alice's" in texts(at)
    crps = [d.value for d in tab.dataframe if "CRPS (USD/bbl)" in d.value.columns]
    assert crps and "Team pool" in set(crps[0]["Member"])
    assert [d.value for d in tab.dataframe if "CRPS (days)" in d.value.columns]


def test_the_pit_section_says_what_calibrated_looks_like(numeric_world: World) -> None:
    at = app_as(numeric_world.db, "alice", REVIEW)
    tab = _numeric_tab(at)
    assert tab.selectbox(key="rv_pit_member").value == "alice"
    shown = "\n".join(str(c.value) for c in tab.caption)
    assert "Flat bars, all near the dashed line, mean well calibrated" in shown
    assert [m.value for m in tab.metric if m.label == "Outcomes"] == ["2"]
    assert tab.get("vega_lite_chart")  # the PIT histogram
    at.selectbox(key="rv_pit_member").set_value("admin").run()
    no_exceptions(at)
    # admin's distributions were wholly above the Brent outcome and after the round began
    outside = [m.value for m in _numeric_tab(at).metric if m.label.startswith("Outside")]
    assert outside == ["100%"]


def test_no_numeric_tab_without_numeric_scores(open_app) -> None:  # type: ignore[no-untyped-def]
    at = open_app("alice", REVIEW)
    no_exceptions(at)
    assert "📏 Numeric & dates" not in [t.label for t in at.tabs]


def test_the_review_of_a_numeric_question_draws_medians_against_the_outcome(
    numeric_world: World,
) -> None:
    at = app_as(numeric_world.db, "alice", REVIEW)
    at.selectbox(key="rv_question").set_value(BRENT).run()
    no_exceptions(at)
    review = at.tabs[3]
    assert "Resolved **81 USD/bbl**" in texts(at)
    [chart] = review.get("vega_lite_chart")
    assert "Median and 80 % interval (USD/bbl)" in chart.proto.spec
    assert "the green line is what happened" in chart.proto.spec
    scores = _frame_with(review, "CRPS (USD/bbl)")
    assert list(scores["Member"]) == ["alice (you)", "bob", "admin", "Team pool"]
    assert "a member's median after each forecast" in "\n".join(
        str(c.value) for c in review.caption
    )
    record = at.tabs[5]
    mine = _frame_with(record, "Peer score")
    assert set(mine["Question"]) == {BRENT_TITLE, "When will the next round of talks begin?"}
    assert at.selectbox(key="mr_numeric_pick").value in (BRENT, ROUND)


@pytest.mark.parametrize(
    ("values", "outside", "said"),
    [(4, 0.5, "Too few outcomes (4)"), (20, 0.45, "too narrow"), (20, 0.05, "too wide"),
     (20, 0.2, "well calibrated")],
)  # fmt: skip
def test_the_pit_verdict_in_words(values: int, outside: float, said: str) -> None:
    from tracker.ui.review.numeric import _verdict

    assert said in _verdict(values, outside)
