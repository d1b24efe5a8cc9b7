"""Lint beside the admin's forms: findings for the typed wording, before anything is created."""

from tests.ui.conftest import ADMIN, BINARY, World, no_exceptions, texts
from tracker.services import questions


def _one(elements, label: str):
    [found] = [e for e in elements if e.label == label]
    return found


def test_check_wording_shows_lint_beside_the_create_form(open_app, world: World):
    at = open_app("admin", ADMIN)
    assert "press *Check wording*" in texts(at).replace("\\", "")
    _one(at.text_input, "Question").input("Will major protests happen in Iran?")
    _one(at.text_area, "Resolution criteria").input("Yes if they happen.")
    _one(at.button, "Check wording").click().run()
    no_exceptions(at)
    shown = texts(at)
    assert "vague-threshold" in shown and "no-resolution-source" in shown
    assert "Checked by offline rules" in shown
    assert "rules only" in shown  # the offline engine: no model findings, and it says so
    assert len(questions.list_questions(world.db)) == 3  # checking created nothing


def test_a_stored_question_is_linted_beside_its_edit_form(open_app):
    at = open_app("admin", ADMIN, q=BINARY)
    no_exceptions(at)
    assert "**Lint**" in "\n".join(m.value for m in at.markdown)


def test_suggest_a_resolution_offline_shows_passages_and_no_proposal(open_app, world: World):
    at = open_app("admin", ADMIN, q=BINARY)
    _one(at.button, "Suggest a resolution").click().run()
    no_exceptions(at)
    assert "Offline engine: no proposal" in texts(at)
    assert questions.get_question(world.db, BINARY).status == "open"


def test_admin_adds_a_disabled_bot_and_enables_it(open_app, world: World):
    from tracker.services import bots

    at = open_app("admin", ADMIN)
    _one(at.button, "Add bot").click().run()
    no_exceptions(at)
    [bot] = bots.list_bots(world.db)
    assert bot.name == "baseline" and not bot.is_active
    _one(at.button, "Enable").click().run()
    no_exceptions(at)
    assert bots.list_bots(world.db)[0].is_active
    assert "a bot makes no forecasts until an LLM is set" in texts(at)
