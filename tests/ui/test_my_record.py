"""'My record' on the Review page: my scores over time, my resolved questions with the outcome
and my path, calibration by tag, and my open forecasts from the stalest."""

from datetime import timedelta

from tests.ui.conftest import BINARY, RESOLVED, REVIEW, World, no_exceptions
from tracker import interchange
from tracker.schemas import Actor
from tracker.scoring.record import running_mean
from tracker.services import scores
from tracker.services.my_record import my_record


def test_the_running_mean_skips_undefined_scores():
    assert running_mean([0.2, float("nan"), 0.4]).tolist() == [0.2, 0.2, 0.30000000000000004]


def test_my_record_lists_resolved_scores_and_open_forecasts_stalest_first(world: World):
    now = world.db.now()
    document = {
        "format": interchange.FORMAT,
        "forecasts": [{"question_id": BINARY, "user": "alice", "probability": 0.6,
                       "time": (now - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")}],
    }  # fmt: skip
    interchange.import_document(world.db, Actor.system(), document)
    record = my_record(world.db, world.actors["alice"], stale_days=14)
    [resolved] = record.resolved
    assert resolved.question_id == RESOLVED and resolved.resolution == "Yes"
    assert resolved.running_mean_brier == resolved.brier
    [standing] = record.open
    assert standing.question_id == BINARY and standing.days_since == 20
    assert standing.update_reason.startswith("1 new evidence") or "days ago" in (
        standing.update_reason
    )
    assert record.tags == ["city"]


def test_calibration_by_tag_keeps_only_that_tags_questions(world: World):
    assert scores.user_calibration(world.db, "alice", tag="city").forecasts == 1
    assert scores.user_calibration(world.db, "alice", tag="sport").forecasts == 0


def test_the_my_record_tab_shows_my_questions_and_path(open_app):
    at = open_app("alice", REVIEW)
    no_exceptions(at)
    tab = at.tabs[5]
    frames = [d.value for d in tab.dataframe]
    assert list(frames[0]["Question"]) == ["Will the ferry timetable change in autumn?"]
    assert list(frames[0]["Outcome"]) == ["Yes"]
    assert tab.selectbox(key="mr_pick").value == RESOLVED
    assert tab.get("vega_lite_chart")  # my path against the outcome, and calibration
