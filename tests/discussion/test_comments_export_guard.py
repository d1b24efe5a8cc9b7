"""The discussion in the whole-database export follows the comment guard. Exports are for
admins only (a forecaster gets a 403 in the API and PermissionDenied in the service), and an
admin's download leaves out the threads the admin may not read on the question page: hidden
until they forecast the question, closed while a team session forecasts it blind. The CLI's
operator export and `show_everything` (audited) keep every comment."""

import json

import pytest
from sqlmodel import SQLModel

from tests.support import NOW, Clock
from tracker import interchange
from tracker.db import Database
from tracker.errors import PermissionDenied
from tracker.schemas import Actor, ForecastCreate, QuestionEdit
from tracker.services import comments, forecasts, questions, session_views, sessions
from tracker.services.comments import CommentCreate

Q = "us-strike"
WORDS = "I am at 30% because the carrier group left."


def forecast(db, actor, p=0.3):
    return forecasts.log_forecast(
        db, actor, ForecastCreate(question_id=Q, probabilities={"Yes": p, "No": 1 - p})
    )


def exported_comments(text: str) -> list[dict]:
    return json.loads(text).get("comments", [])


@pytest.fixture
def argued(db, alice, bob, binary_question):
    """Alice and Bob forecast the hide-until-forecast question and discussed it."""
    mine = forecast(db, alice)
    forecast(db, bob, 0.6)
    comments.add_comment(db, alice, Q, CommentCreate(body=WORDS, forecast_id=mine.id))
    return mine


def test_exports_are_for_admins_only(db, alice, argued):
    with pytest.raises(PermissionDenied):
        session_views.export_for(db, alice)


def test_an_admin_who_has_not_forecast_exports_no_comments_of_a_hidden_question(db, admin, argued):
    assert not comments.discussion(db, admin, Q).visible
    text = session_views.export_for(db, admin)
    assert exported_comments(text) == [] and WORDS not in text

    everything = session_views.export_for(db, admin, show_everything=True)
    assert [c["body"] for c in exported_comments(everything)] == [WORDS]
    assert WORDS in interchange.export_json(db)  # the operator's CLI backup keeps it all

    forecast(db, admin, 0.5)
    [row] = exported_comments(session_views.export_for(db, admin))
    assert row["body"] == WORDS and row["author"] == "alice" and "forecast_time" in row


def test_a_blind_session_keeps_its_questions_comments_out_of_the_export(db, admin, alice, argued):
    forecast(db, admin, 0.5)
    team = sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(title="Monday", question_ids=[Q], participants=["alice"]),
    )
    assert exported_comments(session_views.export_for(db, admin)) == []
    sessions.advance_phase(db, admin, team.id, "reveal")
    assert [c["body"] for c in exported_comments(session_views.export_for(db, admin))] == [WORDS]


def test_a_comment_about_a_forecast_left_out_loses_the_link_so_the_file_imports(
    db, clock, admin, alice, bob, binary_question, tmp_path
):
    """A thread readable again (the question closed) while the session is still blind: the
    sealed forecast stays out of the admin's file, and so does the comment's link to it."""
    forecast(db, admin, 0.5)
    sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(title="Monday", question_ids=[Q], participants=["alice"]),
    )
    sealed = forecast(db, alice, 0.2)
    questions.edit_question(db, admin, Q, QuestionEdit(close_time=clock.now))
    clock.advance(hours=1)
    comments.add_comment(db, alice, Q, CommentCreate(body="Mine was low.", forecast_id=sealed.id))

    text = session_views.export_for(db, admin)
    assert "alice" not in {f["user"] for f in json.loads(text)["forecasts"]}
    [row] = exported_comments(text)
    assert row["body"] == "Mine was low." and "forecast_time" not in row
    other = Database(f"sqlite:///{tmp_path / 'other.db'}", clock=Clock(NOW))
    SQLModel.metadata.create_all(other.engine)
    assert interchange.import_text(other, Actor.system(), text).comments_added == 1
