"""The LLM assistants in the browser, against a loopback Chat Completions server: lint beside
the create form, a suggested resolution, a post-mortem and the leaderboard's bot row.

With SHOTS_DIR set, each state is also saved as a screenshot (for the issue's closing note).
"""

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    AppServer,
    login,
    prepared_server,
    running,
    wait_idle,
)
from tracker.testing.fake_llm_server import FakeLLMServer, Reply, echo_responder, ok

REPORT = (
    "US Navy aircraft struck a radar installation near Bandar Abbas on 14 November 2026, "
    "Reuters and AP reported, citing two US officials. The Pentagon confirmed the strike on "
    "Iranian territory the following day."
)
CLOSED, DONE = "e2e-closed-strike", "e2e-resolved-talks"
CLAUSE = "Resolves Yes if US forces strike a target on Iranian territory"
STATE: dict[str, int] = {}


def _user_text(body: dict) -> str:
    return next((m["content"] for m in body.get("messages", []) if m["role"] == "user"), "")


def responder(body: dict) -> Reply:
    """Answers by prompt: plausible, verifiable replies for each assistant."""
    system = next((m["content"] for m in body.get("messages", []) if m["role"] == "system"), "")
    user = _user_text(body)
    if "You review forecasting questions" in system:
        quote = "protests happen" if "protests happen" in user else "the title"
        return ok({"findings": [{
            "field": "resolution_criteria", "quote": quote, "severity": "warning",
            "readings": ["any street protest anywhere", "protests against the government only"],
            "message": "Which protests count is open to two readings.",
        }]})  # fmt: skip
    if "You help an admin resolve" in system:
        return ok({
            "verdict": "option", "option": "Yes", "criterion_clause": CLAUSE,
            "quotes": [{"evidence_id": STATE.get("item", 0),
                        "quote": "US Navy aircraft struck a radar installation near Bandar "
                                 "Abbas on 14 November 2026"}],
            "reasoning": "A strike on 14 November 2026 falls inside the window and is "
                         "reported by Reuters and AP, as the criteria require.",
        })  # fmt: skip
    if "You write the review" in system:
        ids = re.findall(r"^(F\d+):", user, re.MULTILINE)
        return ok({"sentences": [
            {"text": "The team leaned towards no new round for most of the window.",
             "fact_ids": ids[1:2]},
            {"text": "The biggest move came with Bob's late update, not with new evidence.",
             "fact_ids": ids[3:4]},
            {"text": "Lesson: update sooner when talks are announced.", "fact_ids": ids[:1]},
        ]})  # fmt: skip
    if "careful forecaster serving as a baseline" in system:
        return ok({"probabilities": [{"option": "Yes", "probability": 0.35},
                                     {"option": "No", "probability": 0.65}],
                   "rationale": "Base rate is low.", "evidence_ids": []})  # fmt: skip
    if "file news" in system:
        return ok({"verdicts": []})
    return echo_responder(body)


def _time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _setup(database_url: str) -> None:
    """Questions in the states the screens need, through the services."""
    from tracker import interchange
    from tracker.db import Database
    from tracker.schemas import Actor
    from tracker.services import bots, evidence

    db = Database(database_url)
    system = Actor.system()
    now = datetime.now(UTC)
    bots.create_bot(db, system, "baseline")
    bots.set_enabled(db, system, "baseline", True)
    forecast_rows = []
    for user, days, p in (("alice", 40, 0.6), ("bob", 39, 0.5), ("carol", 35, 0.7),
                          ("baseline", 38, 0.35), ("alice", 20, 0.3), ("bob", 12, 0.2),
                          ("carol", 10, 0.4), ("bob", 5, 0.1)):  # fmt: skip
        forecast_rows.append(
            {"question_id": DONE, "user": user, "time": _time(now - timedelta(days=days)),
             "probability": p, "rationale": ""}
        )  # fmt: skip
    interchange.import_document(
        db,
        system,
        {
            "format": interchange.FORMAT,
            "questions": [
                {
                    "id": CLOSED,
                    "title": "Will US forces strike Iranian territory by 20 November 2026?",
                    "type": "binary",
                    "resolution_criteria": f"{CLAUSE} between the open and close times, as "
                    "reported by at least two of Reuters, AP and AFP.",
                    "open_time": _time(now - timedelta(days=60)),
                    "close_time": _time(now - timedelta(days=3)),
                    "tags": ["iran"],
                },
                {
                    "id": DONE,
                    "title": "Will the US and Iran hold a new round of talks by 25 November 2026?",
                    "type": "binary",
                    "resolution_criteria": "Yes if both governments or the mediator (Oman) "
                    "confirm a new negotiating round held in the window.",
                    "open_time": _time(now - timedelta(days=45)),
                    "close_time": _time(now - timedelta(days=2)),
                    "resolution": "No",
                    "resolved_time": _time(now - timedelta(days=2)),
                    "tags": ["iran"],
                },
            ],
            "forecasts": forecast_rows,
        },
    )
    item = evidence.add_text(db, system, title="US strike near Bandar Abbas", text=REPORT).item
    evidence.link(db, system, CLOSED, item.id)
    STATE["item"] = item.id
    db.dispose()


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(responder=responder) as server:
        yield server


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory, llm: FakeLLMServer) -> Iterator[AppServer]:
    """A fresh, seeded app whose LLM engine is the loopback server."""
    folder = tmp_path_factory.mktemp("assist")
    server = prepared_server(
        folder, {"OPENAI_BASE_URL": llm.url, "LLM_MODEL": "fake-model", "LLM_TIMEOUT_S": "10"}
    )
    _setup(server.database_url)
    with running(server, folder):
        yield server


def _shot(page, name: str, height: int = 1800) -> None:
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        page.set_viewport_size({"width": 1400, "height": height})
        wait_idle(page)
        page.wait_for_timeout(1500)  # canvas tables paint after the run (screenshot only)
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _remembered(page) -> None:
    page.wait_for_function("document.cookie.includes('tracker_session=')")


def test_lint_beside_the_create_form(app_server, new_page):
    admin = new_page()
    login(admin, app_server.url, "admin")
    _remembered(admin)
    admin.goto(f"{app_server.url}/admin")
    wait_idle(admin)
    form = admin.locator(".st-key-adm_create")  # a live form: each field commits on leaving it
    title = form.get_by_role("textbox", name="Question", exact=True)
    title.fill("Will major protests happen in Iran by 30 June 2027?")
    title.press("Tab")
    wait_idle(admin)
    criteria = form.get_by_role("textbox", name="Resolution criteria")
    criteria.fill("Resolves Yes if protests happen.")
    criteria.press("Tab")
    wait_idle(admin)
    form.get_by_role("button", name="Check wording").click()
    wait_idle(admin)
    admin.get_by_text("Also ask fake-model for ambiguous wording").click()
    wait_idle(admin)
    expect(admin.get_by_text("title-date-mismatch")).to_be_visible()
    expect(admin.get_by_text("vague-threshold").first).to_be_visible()
    expect(admin.get_by_text("ambiguous-wording")).to_be_visible()
    _shot(admin, "1-lint-on-create-form")


def test_a_suggested_resolution_on_the_resolve_form(app_server, new_page):
    admin = new_page()
    login(admin, app_server.url, "admin")
    _remembered(admin)
    admin.goto(f"{app_server.url}/admin?q={CLOSED}")
    wait_idle(admin)
    expect(admin.get_by_text("Overdue resolutions").first).to_be_visible()
    admin.get_by_role("button", name="Suggest a resolution").click()
    wait_idle(admin)
    expect(admin.get_by_text("suggested")).to_be_visible()
    expect(admin.get_by_text("verified quote").first).to_be_visible()
    _shot(admin, "2-suggested-resolution")


def test_a_post_mortem_with_its_facts(app_server, new_page):
    alice = new_page()
    login(alice, app_server.url, "alice")
    _remembered(alice)
    alice.goto(f"{app_server.url}/review")
    wait_idle(alice)
    alice.get_by_role("tab", name="Question review").click()
    wait_idle(alice)
    alice.get_by_role("button", name="Write the post-mortem").click()
    wait_idle(alice)
    expect(alice.get_by_text("computed by the app")).to_be_visible()
    expect(alice.get_by_text("by openai fake-model")).to_be_visible()
    _shot(alice, "3-post-mortem", height=2600)


def test_the_leaderboard_with_the_bot_row(app_server, new_page):
    alice = new_page()
    login(alice, app_server.url, "alice")
    _remembered(alice)
    alice.goto(f"{app_server.url}/review")
    wait_idle(alice)
    expect(alice.get_by_text("not a team member").first).to_be_visible()
    _shot(alice, "4-leaderboard-bot-row")
    scored = app_server.tracker("score", "--format", "json")
    users = {row["user"] for row in json.loads(scored.stdout)["users"]}
    assert "baseline" not in users and "alice" in users  # the team's own scores
