"""The AI baseline on the pages: hidden on a question until you forecast, its own leaderboard
row on the Review page, and the offline engine saying it makes no bot forecasts."""

from tests.ui.conftest import QUESTION, REVIEW, World, no_exceptions, texts
from tracker.schemas import Actor, ForecastCreate
from tracker.services import bots, forecasts, users

BINARY = "ui-binary"


def _bot_forecast(world: World, question_id: str, p_yes: float) -> None:
    """A forecast by an enabled bot through the normal forecast service (the model part is
    covered by tests/assist; the pages only show what the services give them)."""
    bot = bots.create_bot(world.db, Actor.system(), "baseline")
    bots.set_enabled(world.db, Actor.system(), "baseline", True)
    forecasts.log_forecast(
        world.db,
        users.actor_for(users.get_user(world.db, bot.name)),
        ForecastCreate(question_id=question_id, probabilities=forecasts.binary_vector(p_yes)),
    )


def test_the_bot_forecast_is_hidden_until_the_member_forecasts(open_app, world: World):
    _bot_forecast(world, BINARY, 0.12)
    at = open_app("alice", QUESTION, q=BINARY)
    no_exceptions(at)
    shown = texts(at)
    assert "AI baseline" in shown and "12%" not in shown
    assert "offline engine is active, so the AI baseline makes no forecasts" in shown
    assert "stays hidden until you make your own" in shown
    at = open_app("bob", QUESTION, q=BINARY)  # bob has forecast
    no_exceptions(at)
    assert "12%" in texts(at)


def test_review_page_shows_the_bot_in_its_own_marked_row(open_app, world: World):
    from datetime import timedelta

    from tracker import interchange

    bots.create_bot(world.db, Actor.system(), "baseline")
    now = world.db.now()

    def at(days: float) -> str:
        return (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    interchange.import_document(
        world.db,
        Actor.system(),
        {
            "format": interchange.FORMAT,
            "questions": [
                {
                    "id": "ui-bot-scored",
                    "title": "Will the tram depot open this week?",
                    "type": "binary",
                    "resolution_criteria": "Yes if the operator says so.",
                    "open_time": at(6),
                    "close_time": at(1),
                    "resolution": "Yes",
                    "resolved_time": at(1),
                }
            ],
            "forecasts": [
                {
                    "question_id": "ui-bot-scored",
                    "user": "alice",
                    "time": at(5),
                    "probability": 0.9,
                },
                {
                    "question_id": "ui-bot-scored",
                    "user": "baseline",
                    "time": at(5),
                    "probability": 0.4,
                },
            ],
        },
    )
    page = open_app("alice", REVIEW)
    no_exceptions(page)
    frames = [d.value for d in page.dataframe]
    board = next(f for f in frames if "Member" in f.columns)
    [bot_row] = [f for f in frames if "Bot" in f.columns]
    assert "baseline" not in set(board["Member"])
    assert list(bot_row["Bot"]) == ["baseline"] and list(bot_row["🤖"]) == ["AI baseline"]
    assert "AI baseline" in texts(page)
