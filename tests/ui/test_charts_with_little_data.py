"""Charts with one, two or many points: the time axis is at least two days wide with room on
both sides, labels read horizontally, and a long option is the chart's title, never a rotated
axis title cut in half."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import question_data
from tracker.schemas import QuestionRead
from tracker.services.questions import question_state
from tracker.ui.widgets.charts import review_paths, time_axis, time_domain, trajectory

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
LONG = "Nuclear programme plus other files (e.g. proxies, human rights), without missile limits"


def _question(**fields) -> QuestionRead:
    data = question_data(open_time="2026-11-01T00:00:00Z", **fields).model_dump()
    data.setdefault("sources", [])
    data.setdefault("keywords", [])
    now = NOW
    read = QuestionRead.model_construct(
        **data, status="open", state="open", resolution=None, resolved_time=None, revision=1,
        created_at=now, updated_at=now,
    )  # fmt: skip
    return read.model_copy(update={"state": question_state(read, now)})


class _F:
    """The two fields a chart reads from a forecast."""

    def __init__(self, at: datetime, p: dict[str, float], user: str = "alice") -> None:
        self.created_at, self.probabilities, self.user = at, p, user


@pytest.mark.parametrize("n_points", [1, 2, 30])
def test_the_points_never_sit_on_an_edge_of_the_time_axis(n_points):
    q = _question()
    times = [NOW - timedelta(hours=3 * (n_points - i)) for i in range(n_points)]
    start, stop = time_domain(q, times[0], NOW, NOW)
    assert stop - start >= timedelta(days=2)
    assert start < times[0] and stop > NOW  # room left of the first, right of the latest


def test_a_resolved_question_ends_its_axis_at_the_resolution():
    q = _question().model_copy(update={"state": "resolved", "status": "resolved"})
    end = NOW - timedelta(days=1)
    start, stop = time_domain(q, end - timedelta(hours=2), end, NOW)
    assert stop == end and start < end - timedelta(hours=2)


def test_axis_labels_are_horizontal_and_say_hours_only_on_a_short_axis():
    short = time_axis(NOW - timedelta(days=2), NOW).to_dict()
    long = time_axis(NOW - timedelta(days=40), NOW).to_dict()
    assert short["labelAngle"] == 0 and "%H:%M" in short["format"]
    assert long["labelAngle"] == 0 and "%H" not in long["format"]


@pytest.mark.parametrize("kind", ["binary", "multiple_choice"])
@pytest.mark.parametrize("n_points", [1, 2, 12])
def test_trajectories_of_any_length_draw_with_that_axis(kind, n_points):
    options = ["Yes", "No"] if kind == "binary" else [LONG, "Nuclear only", "No agreement"]
    q = _question(type=kind, options=None if kind == "binary" else options)
    share = {o: 1 / len(options) for o in options}
    mine = [_F(NOW - timedelta(hours=5 * i), share) for i in range(n_points)][::-1]
    spec = trajectory(q, mine, [], [], NOW).to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"]["labelAngle"] == 0 and len(x["scale"]["domain"]) == 2


def test_a_resolved_multiple_choice_review_titles_the_chart_with_the_option():
    q = _question(type="multiple_choice", options=[LONG, "Nuclear only"]).model_copy(
        update={"state": "resolved", "status": "resolved", "resolution": LONG,
                "resolved_time": NOW - timedelta(hours=1)}
    )  # fmt: skip
    history = [_F(NOW - timedelta(hours=4), {LONG: 0.7, "Nuclear only": 0.3})]
    spec = review_paths(q, history, [], [], "alice", NOW).to_dict()
    assert spec["title"]["text"] == f"P({LONG}) — what happened"
    y = spec["layer"][0]["encoding"]["y"]
    assert y["axis"]["title"] is None and y["axis"]["values"] == [0, 0.25, 0.5, 0.75, 1]
