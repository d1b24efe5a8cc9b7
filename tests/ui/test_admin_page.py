"""The admin page: only admins reach it, and the services refuse everyone else anyway;
questions are created, edited, resolved and annulled through its forms."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import (
    ADMIN,
    APP,
    BINARY,
    CHOICE,
    TIMEOUT,
    World,
    no_exceptions,
    texts,
)
from tracker.errors import PermissionDenied
from tracker.schemas import Resolution
from tracker.services import questions, users
from tracker.ui.shell.context import USER_KEY


def _one(elements, label: str):
    [found] = [e for e in elements if e.label == label]
    return found


def test_admin_page_renders_every_panel(open_app):
    at = open_app("admin", ADMIN)
    no_exceptions(at)
    assert [t.label for t in at.tabs][:6] == [
        "📝 Questions", "🤖 Draft from article", "👥 Members", "⇅ Import / export",
        "⚙️ LLM engine", "📜 Audit log",
    ]  # fmt: skip
    shown = texts(at)
    assert "Active engine: Offline extractive digest" in shown
    [people] = [d.value for d in at.dataframe if "Role" in d.value.columns]
    assert dict(zip(people["User"], people["Role"], strict=True))["victor"] == "viewer"


@pytest.mark.parametrize("name", ["alice", "victor"])
def test_non_admins_have_no_admin_page(open_app, name):
    at = open_app(name)
    no_exceptions(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN)


def test_admin_page_itself_refuses_a_forecaster(world: World):
    """Even run directly (no navigation), the page shows nothing but a refusal."""
    page = str(Path(APP).parent / ADMIN)
    at = AppTest.from_file(page, default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = users.get_user(world.db, "alice")
    at.run()
    assert [e.value for e in at.error] == ["Only admins can open this page."]
    assert not at.button and not at.tabs


def test_the_service_refuses_a_forecaster_resolving(world: World):
    with pytest.raises(PermissionDenied):
        questions.resolve_question(
            world.db, world.actors["alice"], BINARY, Resolution(option="Yes")
        )
    assert questions.get_question(world.db, BINARY).status == "open"


def test_admin_resolves_with_note_and_source(open_app, world: World):
    at = open_app("admin", ADMIN, q=BINARY)
    assert at.selectbox(key="adm_q_pick").value == BINARY
    _one(at.radio, "Outcome").set_value("Yes")
    _one(at.text_input, "Source (link or citation)").input("https://city.example/bridge")
    _one(at.text_area, "Resolution note").input("The city reopened the bridge on 3 May.")
    _one(at.button, "Resolve").click().run()
    assert any("Tick the confirmation box" in e.value for e in at.error)
    assert questions.get_question(world.db, BINARY).status == "open"

    _one(at.checkbox, "I checked this against the resolution criteria").check()
    _one(at.button, "Resolve").click().run()
    no_exceptions(at)
    resolved = questions.get_question(world.db, BINARY)
    assert (resolved.status, resolved.resolution) == ("resolved", "Yes")
    assert resolved.resolution_note == "The city reopened the bridge on 3 May."
    assert resolved.resolution_source == "https://city.example/bridge"
    assert any("Resolved **Yes**" in t.value for t in at.toast)
    assert "This question is already resolved" in texts(at)  # the form is gone


def test_admin_annuls_a_question(open_app, world: World):
    at = open_app("admin", ADMIN, q=CHOICE)
    _one(at.radio, "Outcome").set_value("Annul (excluded from all scores)")
    _one(at.checkbox, "I checked this against the resolution criteria").check()
    _one(at.button, "Resolve").click().run()
    no_exceptions(at)
    assert questions.get_question(world.db, CHOICE).status == "annulled"


def test_admin_creates_and_edits_a_question(open_app, world: World):
    at = open_app("admin", ADMIN)
    _one(at.text_input, "Question").input("Will the new tram line open by June?")
    _one(at.text_area, "Resolution criteria").input("Yes if the first passenger tram runs.")
    _one(at.text_input, "Tags (comma-separated)").input("city, transport")
    _one(at.button, "Create question").click().run()
    no_exceptions(at)
    created = questions.get_question(world.db, "will-the-new-tram-line-open-by-june")
    assert created.type == "binary" and created.tags == ["city", "transport"]
    assert created.hide_until_forecast  # on by default

    assert at.selectbox(key="adm_q_pick").value == created.id  # the new one is open
    assert any("Created" in t.value for t in at.toast)
    edit = [t for t in at.text_input if t.label == "Question"][-1]
    edit.input("Will the new tram line open by July?")
    _one(at.button, "Save changes").click().run()
    no_exceptions(at)
    edited = questions.get_question(world.db, created.id)
    assert (edited.title, edited.revision) == ("Will the new tram line open by July?", 2)
    assert at.selectbox(key="adm_q_pick").value == created.id  # still on it after the save


def test_invalid_question_gets_a_message_not_a_traceback(open_app, world: World):
    at = open_app("admin", ADMIN)
    _one(at.selectbox, "Type").set_value("multiple_choice")
    _one(at.text_input, "Question").input("Which option wins?")
    _one(at.text_area, "Options, one per line (ignored for binary: Yes / No)").input("Only one")
    _one(at.button, "Create question").click().run()
    no_exceptions(at)
    assert at.error and "option" in at.error[0].value.lower()
    assert len(questions.list_questions(world.db)) == 3


def test_drafting_needs_an_llm_with_the_offline_engine(open_app):
    at = open_app("admin", ADMIN)
    assert "Drafting questions needs an LLM" in texts(at)
    assert _one(at.button, "Draft questions").disabled


def test_admin_adds_a_member_and_changes_a_role(open_app, world: World):
    at = open_app("admin", ADMIN)
    _one(at.text_input, "User name").input("dora")
    _one(at.text_input, "Initial password (at least 8 characters)").input("dora-pass-123")
    _one(at.button, "Add member").click().run()
    no_exceptions(at)
    assert users.get_user(world.db, "dora").role == "forecaster"

    at.selectbox(key="adm_user_pick").set_value("victor").run()
    at.selectbox(key="adm_user_role").set_value("forecaster").run()
    _one(at.button, "Change role").click().run()
    no_exceptions(at)
    assert users.get_user(world.db, "victor").role == "forecaster"


@pytest.fixture
def llm_configured(monkeypatch):
    """The app pointed at a scripted loopback Chat Completions server."""
    from tracker.config import get_settings
    from tracker.services import summaries
    from tracker.testing.fake_llm_server import FakeLLMServer

    with FakeLLMServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("LLM_MAX_RETRIES", "0")
        get_settings.cache_clear()
        summaries._engine.cache_clear()
        yield server
        get_settings.cache_clear()
        summaries._engine.cache_clear()


DRAFT = {
    "title": "Will the harbour ferry add a night service before 2027?",
    "type": "binary",
    "options": ["Yes", "No"],
    "description": "The operator is consulting on night sailings.",
    "resolution_criteria": "Yes if the operator's timetable lists a sailing after midnight.",
    "open_time": "2026-12-01T00:00:00Z",
    "close_time": "2027-01-01T00:00:00Z",
    "tags": ["city"],
}


def test_drafted_questions_are_created_only_when_accepted_and_as_edited(
    open_app, world: World, llm_configured
):
    from tracker.testing.fake_llm_server import ok

    second = {**DRAFT, "title": "Will the ferry fares rise in January 2027?"}
    llm_configured.script(ok({"questions": [DRAFT, second]}))
    at = open_app("admin", ADMIN)
    _one(at.text_area, "Article text").input("The operator said it is consulting on night...")
    _one(at.button, "Draft questions").click().run()
    no_exceptions(at)
    assert "2 draft(s)" in texts(at)
    assert len(questions.list_questions(world.db)) == 3  # drafting creates nothing

    [title_box] = [
        t for t in at.text_input if (t.key or "").endswith("_title") and t.value == DRAFT["title"]
    ]
    prefix = title_box.key.removesuffix("_title")
    title_box.input("Will the harbour ferry run a night service before 2027?")
    at.text_input(key=f"{prefix}_id").input("ferry-night-service")
    [accept, _] = [b for b in at.button if b.label in ("Accept and create", "Discard")][:2]
    accept.click().run()
    no_exceptions(at)
    created = questions.get_question(world.db, "ferry-night-service")
    assert created.title == "Will the harbour ferry run a night service before 2027?"
    assert created.resolution_criteria == DRAFT["resolution_criteria"]
    assert "1 draft(s)" in texts(at)  # the other one waits

    [discard] = [b for b in at.button if b.label == "Discard"]
    discard.click().run()
    assert "draft(s)" not in texts(at)
    assert len(questions.list_questions(world.db)) == 4  # the discarded one was never created


def test_only_admins_may_draft_questions(world: World):
    from tracker.services import summaries

    with pytest.raises(PermissionDenied, match="only an admin can draft questions"):
        summaries.draft_questions(world.actors["alice"], "An article about ferries.")
