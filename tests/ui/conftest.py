"""Page tests under Streamlit's AppTest: the real app.py and pages against a temporary SQLite
database, signed in as a given member by putting a login session in the tab's session state.

`world` holds a small team (admin, alice and bob forecasters, victor the viewer) and questions
in every state the pages care about; times are relative to the real clock, since the app reads
the server clock through its own database handle.
"""

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

import tracker.models  # noqa: F401
from tests.support import make_user
from tracker import interchange
from tracker.config import get_settings
from tracker.db import Database
from tracker.schemas import Actor
from tracker.services import auth, evidence, users
from tracker.ui.shell.auth import LOGIN_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
UI = "tracker/ui"
QUESTIONS = f"{UI}/questions/page.py"
QUESTION = f"{UI}/question/page.py"
EVIDENCE = f"{UI}/evidence/page.py"
REVIEW = f"{UI}/review/page.py"
ADMIN = f"{UI}/admin/page.py"
ACCOUNT = f"{UI}/account/page.py"
ROLES = {"admin": "admin", "alice": "forecaster", "bob": "forecaster", "victor": "viewer"}
PASSWORD = "correct horse"  # tests.support.make_user's
TIMEOUT = 30  # seconds per script run: the first run imports pandas and altair

BINARY = "ui-binary"
CHOICE = "ui-choice"
RESOLVED = "ui-resolved"


def _time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _clear_caches() -> None:
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def _point_app_at(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_SESSION_SECRET", "ui-test-secret")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    _clear_caches()


@pytest.fixture
def ui_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """An empty SQLite database with the schema, which the app under test reads."""
    url = f"sqlite:///{tmp_path / 'ui.db'}"
    _point_app_at(url, monkeypatch)
    db = Database(url)
    SQLModel.metadata.create_all(db.engine)
    yield db
    db.dispose()
    _clear_caches()


@dataclass
class World:
    db: Database
    actors: dict[str, Actor]


def _build_team(db: Database) -> None:
    for name, role in ROLES.items():
        make_user(db, name, role)


def _build_world(db: Database) -> None:
    _build_team(db)
    actors = {name: users.actor_for(users.get_user(db, name)) for name in ROLES}
    now = db.now()
    opened, closes = now - timedelta(days=40), now + timedelta(days=60)
    document = {
        "format": interchange.FORMAT,
        "questions": [
            {
                "id": BINARY,
                "title": "Will the harbour bridge reopen before the summer?",
                "type": "binary",
                "resolution_criteria": "Yes if the city reports the bridge open to traffic.",
                "open_time": _time(opened),
                "close_time": _time(closes),
                "tags": ["city"],
            },
            {
                "id": CHOICE,
                "title": "Which club will win the regional rowing cup?",
                "type": "multiple_choice",
                "options": ["Northwind", "Saltmarsh", "Kestrel"],
                "resolution_criteria": "The winner named by the regatta committee.",
                "open_time": _time(opened),
                "close_time": _time(closes),
                "tags": ["sport"],
            },
            {
                "id": RESOLVED,
                "title": "Will the ferry timetable change in autumn?",
                "type": "binary",
                "resolution_criteria": "Yes if the operator publishes a new autumn timetable.",
                "open_time": _time(now - timedelta(days=30)),
                "close_time": _time(now - timedelta(days=2)),
                "resolution": "Yes",
                "resolved_time": _time(now - timedelta(days=2)),
                "tags": ["city"],
            },
        ],
        "forecasts": [
            {"question_id": BINARY, "user": "bob", "time": _time(now - timedelta(days=5)),
             "probability": 0.7, "rationale": "Bob's reasoning: the works are on schedule."},
            {"question_id": RESOLVED, "user": "alice", "time": _time(now - timedelta(days=29)),
             "probability": 0.8, "rationale": "Operator hinted at it."},
            {"question_id": RESOLVED, "user": "bob", "time": _time(now - timedelta(days=28)),
             "probability": 0.3},
            {"question_id": RESOLVED, "user": "alice", "time": _time(now - timedelta(days=10)),
             "probability": 0.9},
        ],
    }  # fmt: skip
    interchange.import_document(db, Actor.system(), document)
    item = evidence.add_text(
        db,
        actors["admin"],
        title="City council: bridge works ahead of schedule",
        text="The harbour bridge works are ahead of schedule, the city council said; the "
        "bridge could reopen to traffic before the summer.",
        outlet="Harbour Gazette",
    )
    evidence.link(db, actors["admin"], BINARY, item.item.id or 0)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each starting database built once per run (password hashing is slow on purpose), then
    copied for every test."""
    folder = tmp_path_factory.mktemp("ui-templates")
    built = {}
    for name, build in (("team", _build_team), ("world", _build_world)):
        path = folder / f"{name}.db"
        db = Database(f"sqlite:///{path}")
        SQLModel.metadata.create_all(db.engine)
        build(db)
        db.dispose()
        built[name] = path
    return built


def _copy_of(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    path = tmp_path / "ui.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    _point_app_at(url, monkeypatch)
    db = Database(url)
    yield World(db=db, actors={n: users.actor_for(users.get_user(db, n)) for n in ROLES})
    db.dispose()
    _clear_caches()


@pytest.fixture
def team(_templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Four members and nothing else: admin, alice and bob (forecasters), victor (viewer)."""
    yield from _copy_of(_templates["team"], tmp_path, monkeypatch)


@pytest.fixture
def world(_templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The team, an open binary and an open multiple-choice question (team numbers hidden
    until one forecasts), one resolved question with a scored history (alice closer than
    bob), and one evidence item linked to the binary question."""
    yield from _copy_of(_templates["world"], tmp_path, monkeypatch)


def sign_in_state(db: Database, name: str) -> auth.LoginSession:
    user = users.get_user(db, name)
    return auth.LoginSession(user_id=user.id, name=user.name, login_at=db.now())


def app_as(db: Database, name: str | None, page: str | None = None, **query: str) -> AppTest:
    """The app run once as `name` (None: signed out), then switched to `page` with the given
    query parameters."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if name is not None:
        at.session_state[LOGIN_KEY] = sign_in_state(db, name)
    at.run()
    if page is not None:
        at.switch_page(page)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
    return at


@pytest.fixture
def open_app(world: World) -> Callable[..., AppTest]:
    """`open_app(name, page=None, **query)` on the populated world."""
    return lambda name, page=None, **query: app_as(world.db, name, page, **query)


@pytest.fixture
def open_empty_app(team: World) -> Callable[..., AppTest]:
    """`open_empty_app(name, page=None, **query)` with members but no questions."""
    return lambda name, page=None, **query: app_as(team.db, name, page, **query)


def texts(at: AppTest) -> str:
    """Every piece of text on the page, joined (markdown, captions, alerts, metrics...), with
    markdown escapes removed: roughly what the reader sees."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title",
                 "header", "subheader", "text"):  # fmt: skip
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
