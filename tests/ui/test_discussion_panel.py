"""The question page's Discussion tab: hidden until you forecast (the anchoring guard), posted
through the form, shown as plain text."""

from tests.ui.conftest import BINARY, QUESTION, World, no_exceptions, texts
from tracker.schemas import ForecastCreate
from tracker.services import comments, forecasts
from tracker.services.comments import CommentCreate


def _tab_labels(at) -> list[str]:
    return [tab.label for tab in at.tabs]


def test_a_forecaster_who_has_not_forecast_sees_no_comments(open_app, world: World):
    bob = world.actors["bob"]  # bob forecast on BINARY in the world; alice has not
    comments.add_comment(world.db, bob, BINARY, CommentCreate(body="My secret reasoning: 70%"))
    at = open_app("alice", QUESTION, q=BINARY)
    no_exceptions(at)
    assert "Discussion 🔒" in _tab_labels(at)
    assert "My secret reasoning" not in texts(at)
    assert any("until you make your own forecast" in i.value for i in at.info)
    seen = open_app("bob", QUESTION, q=BINARY)
    assert "Discussion (1)" in _tab_labels(seen)
    assert "My secret reasoning: 70%" in texts(seen).replace("\\", "")


def test_a_comment_posted_on_the_page_is_stored_and_shown_as_text(open_app, world: World):
    alice = world.actors["alice"]
    forecasts.log_forecast(
        world.db, alice, ForecastCreate(question_id=BINARY, probabilities={"Yes": 0.4, "No": 0.6})
    )
    at = open_app("alice", QUESTION, q=BINARY)
    at.text_area(key=f"comment_text_{BINARY}").input("See [this](javascript:alert(1)) @bob")
    [post] = [b for b in at.button if b.label == "Post comment"]
    post.click().run()
    no_exceptions(at)
    assert not at.error, [e.value for e in at.error]
    [stored] = comments.discussion(world.db, alice, BINARY).comments
    assert stored.body == "See [this](javascript:alert(1)) @bob"
    assert stored.mentions == ["bob"]
    shown = [m.value for m in at.markdown if "javascript" in m.value]
    assert shown and all("](javascript" not in value for value in shown)
    assert any("**@bob**" in value for value in shown)
