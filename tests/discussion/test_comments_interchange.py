"""Comments travel in the whole-database document: export → import into an empty database →
export is byte-identical, re-import adds nothing, and a broken row changes nothing."""

import json

import pytest
from sqlmodel import SQLModel

from tests.support import NOW, Clock
from tracker import interchange
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.schemas import Actor, ForecastCreate
from tracker.services import comments, forecasts
from tracker.services.comments import CommentCreate

SYSTEM = Actor.system()


@pytest.fixture
def discussed(db, clock, admin, alice, bob, binary_question):
    qid = binary_question.id
    mine = forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=qid, probabilities={"Yes": 0.3, "No": 0.7})
    )
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=qid, probabilities={"Yes": 0.6, "No": 0.4})
    )
    first = comments.add_comment(
        db, alice, qid, CommentCreate(body="Why 30%: see @bob's point", forecast_id=mine.id)
    )
    clock.advance(minutes=1)
    reply = comments.add_comment(db, bob, qid, CommentCreate(body="Agreed", parent_id=first.id))
    comments.edit_comment(db, bob, reply.id, "Agreed, mostly")
    clock.advance(minutes=1)
    gone = comments.add_comment(db, bob, qid, CommentCreate(body="Oops"))
    comments.delete_comment(db, bob, gone.id)
    return qid


def fresh(tmp_path) -> Database:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}", clock=Clock(NOW))
    SQLModel.metadata.create_all(other.engine)
    return other


def test_comments_round_trip_byte_for_byte(db, discussed, tmp_path):
    first = interchange.export_json(db)
    section = json.loads(first)["comments"]
    assert [c["body"] for c in section] == ["Why 30%: see @bob's point", "Agreed, mostly", ""]
    assert section[1]["parent"] == 1 and section[1]["revisions"][0]["body"] == "Agreed"
    assert "forecast_time" in section[0] and section[2]["deleted_by"] == "bob"
    other = fresh(tmp_path)
    summary = interchange.import_text(other, SYSTEM, first)
    assert summary.comments_added == 3
    assert interchange.export_json(other) == first
    again = interchange.import_text(other, SYSTEM, first)
    assert again.comments_added == 0


def test_a_comment_row_pointing_at_a_missing_parent_changes_nothing(db, discussed, tmp_path):
    document = json.loads(interchange.export_json(db))
    document["comments"][1]["parent"] = None
    document["comments"][2]["parent"] = 2
    document["comments"][2]["ref"] = 2
    other = fresh(tmp_path)
    with pytest.raises(InvalidInput, match=r"comments\[\d\]"):
        interchange.import_document(other, SYSTEM, document)
    assert json.loads(interchange.export_json(other))["questions"] == []
