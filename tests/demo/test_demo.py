"""`tracker demo`: a labelled practice history in its own database, with something on every page,
that never touches a database holding anything else."""

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from tests.support import Clock
from tracker import interchange
from tracker.cli import app
from tracker.config import get_settings
from tracker.db import Database
from tracker.demo import DEMO_PASSWORD, build_demo, demo_state, member_names
from tracker.migrate import upgrade_to_head
from tracker.models import Forecast
from tracker.schemas import Actor, UserCreate
from tracker.services import auth, evidence, questions, scores, sessions, users

runner = CliRunner()
APP = Path(__file__).resolve().parents[2] / "app.py"
UI = "tracker/ui"


def run_demo(url: str, *args: str):
    return runner.invoke(app, ["demo", "--database-url", url, *args])


def forecast_count(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as session:
            return session.exec(select(func.count()).select_from(Forecast)).one()
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """One practice database built through the command, shared by the read-only checks."""
    url = f"sqlite:///{tmp_path_factory.mktemp('practice') / 'demo.db'}"
    result = run_demo(url)
    assert result.exit_code == 0, result.output
    db = Database(url)
    yield db, result.stdout
    db.dispose()


def test_prints_how_to_open_the_app_and_sign_in(built):
    db, output = built
    assert f"DATABASE_URL={db.url} streamlit run app.py" in output
    assert "demo-admin (admin)" in output and DEMO_PASSWORD in output
    for name in member_names():
        assert name in output
        assert auth.sign_in(db, name, DEMO_PASSWORD).name == name


def test_everything_is_labelled_as_practice(built):
    db, _ = built
    listed = questions.list_questions(db)
    assert len(listed) == 30
    for q in listed:
        assert q.title.startswith("[Practice] ")
        assert "practice" in q.tags
        assert q.id.startswith("practice-")
        assert "synthetic practice data" in q.resolution_criteria
    assert {u.name for u in users.list_users(db)} == set(member_names())
    items = evidence.list_evidence(db)
    assert items and all(item.outlet == "Practice Gazette (fictional)" for item in items)


def test_every_page_has_something_to_show(built):
    db, _ = built
    states = [q.state for q in questions.list_questions(db)]
    assert states.count("open") == 5 and states.count("annulled") == 1
    assert "closed" in states  # one awaiting resolution, for demo-admin to try
    board = scores.leaderboard(db)
    assert len(board) == 8 and all(row.questions > 0 for row in board)
    assert len({round(row.relative_brier, 6) for row in board}) > 1
    assert scores.user_calibration(db, "demo-admin").forecasts > 0
    recent = scores.recently_resolved(db)
    assert len(recent) >= 3 and all(r.scores for r in recent)
    assert scores.report(db).scores.shape[0] > 100


def test_a_closed_team_session_with_blind_forecasts_and_updates(built):
    db, _ = built
    (record,) = sessions.list_sessions(db)
    assert record.phase == "closed" and record.title.startswith("[Practice]")
    blind = sessions.session_forecasts(db, record.id, "blind")
    updates = sessions.session_forecasts(db, record.id, "update")
    assert all(len(blind[qid]) == len(record.participants) for qid in record.question_ids)
    assert any(updates[qid] for qid in record.question_ids)
    review = scores.session_review(db, record.id)
    assert len(review.questions) == 3 and not review.pending
    assert all(q.team_blind_brier is not None for q in review.questions)


def test_running_it_again_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run_demo(url).exit_code == 0
    before = forecast_count(url)
    again = run_demo(url)
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.stdout
    assert forecast_count(url) == before


def test_reset_rebuilds_the_practice_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run_demo(url).exit_code == 0
    before = forecast_count(url)
    rebuilt = run_demo(url, "--reset")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "30 practice questions" in rebuilt.stdout
    assert forecast_count(url) == before


def test_refuses_a_database_with_other_data_even_with_reset(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    db = Database(url)
    upgrade_to_head(db)
    users.create_user(
        db, Actor.system(), UserCreate(name="alice", role="admin", password="correct horse")
    )
    for args in ((), ("--reset",)):
        result = run_demo(url, *args)
        assert result.exit_code == 1
        assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
        assert "not the practice demo" in result.stderr
    assert [u.name for u in users.list_users(db)] == ["alice"]
    assert questions.list_questions(db) == []
    db.dispose()


def test_an_interrupted_build_asks_for_reset(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db = Database(url)
    upgrade_to_head(db)
    users.create_user(
        db, Actor.system(), UserCreate(name="demo-admin", role="admin", password=DEMO_PASSWORD)
    )
    assert demo_state(db) == "partial"
    result = run_demo(url)
    assert result.exit_code == 1 and "--reset" in result.stderr
    assert run_demo(url, "--reset").exit_code == 0
    assert demo_state(db) == "demo"
    db.dispose()


def test_refuses_the_team_database(env_db):
    """The database DATABASE_URL names is the team's, even while still empty."""
    result = run_demo(env_db)
    assert result.exit_code == 1 and "team database" in result.stderr
    db = Database(env_db)
    assert demo_state(db) == "empty"
    db.dispose()


def test_same_seed_and_day_give_the_same_history(tmp_path):
    def export(name: str, seed: int) -> str:
        db = Database(f"sqlite:///{tmp_path / name}", clock=Clock())
        upgrade_to_head(db)
        build_demo(db, seed=seed)
        text = interchange.export_json(db)
        db.dispose()
        return text

    first = export("a.db", 7)
    assert export("b.db", 7) == first
    assert export("c.db", 8) != first


@pytest.mark.parametrize("member", ["demo-admin", "demo-ana", "demo-vic"])
def test_every_page_renders_with_content(built, member, monkeypatch):
    """What someone exploring the demo sees, page by page, as admin, forecaster and viewer."""
    from streamlit.testing.v1 import AppTest

    db, _ = built
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.session_state["_tracker_login"] = auth.sign_in(db, member, DEMO_PASSWORD)
        at.run()
        assert not at.exception and not at.error
        listed = [p for p in at.get("page_link") if p.proto.query_string.startswith("q=")]
        assert len(listed) == 5  # the open questions, each title a link
        resolved = next(q.id for q in questions.list_questions(db) if q.state == "resolved")
        pages = ["question", "evidence", "review", "account"]
        if member == "demo-admin":
            pages.append("admin")
        for page in pages:
            at.switch_page(f"{UI}/{page}/page.py")
            if page == "question":
                at.query_params["q"] = resolved
            at.run()
            assert not at.exception, (page, at.exception)
            assert not at.error, (page, [e.value for e in at.error])
            if page == "review":
                leaderboard = at.dataframe[0].value
                assert len(leaderboard) == 8
    finally:
        get_settings.cache_clear()
