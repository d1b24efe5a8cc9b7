"""The review page: leaderboard, calibration with the Murphy decomposition, the recently
resolved queue and a per-question review."""

import pytest

from tests.ui.conftest import RESOLVED, REVIEW, World, no_exceptions, texts
from tracker.services import scores
from tracker.ui.widgets.score_table import number


def _frame_with(at, column: str):
    [frame] = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def _metric(at, label: str) -> str:
    [value] = [m.value for m in at.metric if m.label == label]
    return value


@pytest.mark.parametrize("name", ["admin", "alice", "victor"])
def test_review_page_renders_for_every_role(open_app, name):
    at = open_app(name, REVIEW)
    no_exceptions(at)
    board = _frame_with(at, "#")
    assert {"Relative Brier", "Member", "Questions", "Mean daily Brier", "Peer score"} <= set(
        board.columns
    )
    assert len(board) == 2  # alice and bob forecast on the resolved question


def test_leaderboard_matches_the_scores_and_marks_me(open_app, world: World):
    at = open_app("alice", REVIEW)
    board = _frame_with(at, "#").set_index("Member")
    expected = {row.user: row for row in scores.leaderboard(world.db)}
    assert list(board.index) == ["alice (you)", "bob"]  # alice was closer all along
    assert board.loc["alice (you)", "Relative Brier"] == number(
        expected["alice"].relative_brier, signed=True
    )
    assert board.loc["alice (you)", "Relative Brier"].startswith("-")
    assert board.loc["bob", "Relative Brier"].startswith("+")
    assert board.loc["bob", "Questions"] == 1


def test_calibration_shows_counts_and_murphy_parts(open_app, world: World):
    at = open_app("alice", REVIEW)
    view = scores.user_calibration(world.db, "alice")
    bins = _frame_with(at, "Events")
    assert bins["Events"].sum() == 1  # one final binary forecast: one P(Yes) event
    assert _metric(at, "Brier score") == f"{view.brier:.3f}"
    for part in ("Reliability", "Resolution", "Uncertainty"):
        assert _metric(at, part) == f"{getattr(view, part.lower()):.3f}"
    assert "within-bin variance" in texts(at)
    at.radio(key="rv_events").set_value("one_vs_rest").run()
    assert "No resolved multiple-choice questions with forecasts by alice" in texts(at)
    at.radio(key="rv_events").set_value("binary").run()
    at.selectbox(key="rv_member").set_value("bob").run()
    assert _metric(at, "Brier score") == f"{scores.user_calibration(world.db, 'bob').brier:.3f}"


def test_recently_resolved_queue_shows_paths_and_scores(open_app, world: World):
    at = open_app("alice", REVIEW)
    recent = at.tabs[2]
    queue = recent.dataframe[0].value
    assert list(queue["Question"]) == ["Will the ferry timetable change in autumn?"]
    assert list(queue["Outcome"]) == ["Yes"] and list(queue["Members"]) == [2]
    alice = scores.question_scores(world.db, RESOLVED)
    [mine] = [s for s in alice if s.user == "alice"]
    assert queue["Your final Brier"][0] == pytest.approx(mine.brier, abs=1e-3)
    # the median of two members' final Brier (alice 2·0.1², bob 2·0.7²)
    assert queue["Team median Brier"][0] == pytest.approx((0.02 + 0.98) / 2, abs=1e-3)
    assert at.selectbox(key="rv_recent_pick").value == RESOLVED
    [line] = [m.value for m in recent.markdown if m.value.startswith("**Your score:**")]
    assert line.startswith("**Your score:** final Brier 0.020 · relative Brier -")
    assert set(recent.dataframe[1].value["Member"]) == {"alice (you)", "bob"}
    assert recent.get("vega_lite_chart")  # every member's path against the outcome

    at.segmented_control(key="rv_window").set_value("7 days").run()
    assert "Nothing resolved in the last" not in texts(at)


def test_question_review_shows_each_trajectory(open_app):
    at = open_app("bob", REVIEW)
    assert at.selectbox(key="rv_question").value == RESOLVED
    assert "Resolved **Yes**" in "\n".join(m.value for m in at.markdown)
    charts = [c for tab in at.tabs[:5] for c in tab.get("vega_lite_chart")]
    assert len(charts) == 4  # leaderboard bars, calibration, recent paths, this review


def test_review_without_scores_says_what_happens_next(open_empty_app):
    at = open_empty_app("alice", REVIEW)
    no_exceptions(at)
    shown = texts(at)
    assert "No scores yet" in shown
    assert "Calibration appears once questions you forecast on are resolved" in shown
    assert "Nothing resolved in the last 7 days" in shown
    assert "No closed or resolved questions yet" in shown
