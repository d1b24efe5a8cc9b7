"""GET/POST /api/v1/questions/{id}/comments: the discussion through the comment service, so
the anchoring guard holds in the API as on the page (no comments until you forecast a
hide-until-forecast question, none while a team session forecasts it blind), and a deleted
comment is a tombstone without its words."""

from tracker.schemas import Actor, ForecastCreate
from tracker.services import comments, forecasts, sessions
from tracker.services.comments import CommentCreate

Q = "us-strike"
URL = f"/api/v1/questions/{Q}/comments"


def _forecast(db, actor: Actor, p: float) -> None:
    forecasts.log_forecast(
        db, actor, ForecastCreate(question_id=Q, probabilities={"Yes": p, "No": 1 - p})
    )


def _say(db, actor: Actor, body: str, **links) -> comments.CommentRead:
    return comments.add_comment(db, actor, Q, CommentCreate(body=body, **links))


def test_a_forecaster_sees_no_comments_until_they_forecast_a_hidden_question(
    api, db, alice, bob, token_for, binary_question
):
    _forecast(db, bob, 0.8)
    _say(db, bob, "I am at 80% because of the carrier group.")
    headers = token_for(alice)

    before = api.get(URL, headers=headers)
    assert before.status_code == 200
    assert before.json()["visible"] is False and before.json()["comments"] == []
    assert "until you make your own forecast" in before.json()["hidden_reason"]
    assert "carrier" not in before.text and "80%" not in before.text
    refused = api.post(URL, json={"body": "What did everyone say?"}, headers=headers)
    assert refused.status_code == 403

    api.post(f"/api/v1/questions/{Q}/forecasts", json={"probability": 0.4}, headers=headers)
    after = api.get(URL, headers=headers).json()
    assert after["visible"] is True and after["hidden_reason"] is None and after["can_post"]
    [shown] = after["comments"]
    assert shown["author"] == "bob" and shown["text"] == "I am at 80% because of the carrier group."
    assert shown["links"]["question"] == f"/api/v1/questions/{Q}"
    assert shown["links"]["page"].endswith(f"/question?q={Q}")


def test_a_blind_session_closes_the_thread_to_its_members_and_to_everyone(
    api, db, admin, alice, bob, viewer, token_for, binary_question
):
    _forecast(db, alice, 0.3)
    _forecast(db, bob, 0.6)
    _say(db, alice, "Before the session: the talks stalled.")
    team = sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(title="Monday", question_ids=[Q], participants=["alice", "bob"]),
    )
    for who, scope in ((alice, "forecast"), (bob, "forecast"), (admin, "admin"), (viewer, "read")):
        thread = api.get(URL, headers=token_for(who, scope)).json()
        assert thread["visible"] is False and thread["comments"] == []
        assert thread["hidden_reason"] == comments.CLOSED_BLIND
    posted = api.post(URL, json={"body": "Psst, 80%"}, headers=token_for(alice))
    assert posted.status_code == 403 and "closed while a team session" in posted.json()["error"]

    sessions.advance_phase(db, admin, team.id, "reveal")
    thread = api.get(URL, headers=token_for(bob)).json()
    assert [c["text"] for c in thread["comments"]] == ["Before the session: the talks stalled."]


def test_a_deleted_comment_is_a_tombstone_and_its_replies_keep_their_place(
    api, db, admin, alice, bob, token_for, binary_question
):
    _forecast(db, alice, 0.3)
    _forecast(db, bob, 0.6)
    first = _say(db, alice, "Oil prices say yes.")
    _say(db, bob, "I disagree.", parent_id=first.id)
    comments.delete_comment(db, alice, first.id)

    thread = api.get(URL, headers=token_for(bob)).json()
    gone, reply = thread["comments"]
    assert gone["deleted"] is True and gone["text"] is None
    assert gone["tombstone"] == "deleted by its author" and gone["author"] == "alice"
    assert "Oil prices" not in api.get(URL, headers=token_for(bob)).text
    assert reply["parent_id"] == gone["id"] and reply["depth"] == 1
    assert reply["text"] == "I disagree." and reply["links"]["parent"] == gone["id"]


def test_posting_needs_a_forecast_scope_and_goes_through_the_service(
    api, db, alice, bob, token_for, binary_question
):
    _forecast(db, alice, 0.3)
    mine = forecasts.forecast_history(db, user_id=alice.user_id)[0]
    read_only = api.post(URL, json={"body": "Hello"}, headers=token_for(alice, "read"))
    assert read_only.status_code == 403 and "Viewers can read" in read_only.json()["error"]

    headers = token_for(alice)
    made = api.post(
        URL, json={"body": "Why 30%: @bob's point", "forecast_id": mine.id}, headers=headers
    )
    assert made.status_code == 201
    body = made.json()
    assert body["text"] == "Why 30%: @bob's point" and body["mentions"] == ["bob"]
    assert body["links"]["forecast"] == mine.id and body["forecast_label"].startswith("forecast of")

    reply = api.post(URL, json={"body": "Thanks", "parent_id": body["id"]}, headers=headers)
    assert reply.status_code == 201 and reply.json()["depth"] == 1
    empty = api.post(URL, json={"body": "   "}, headers=headers)
    assert empty.status_code == 422 and "write something" in empty.json()["error"]
    extra = api.post(URL, json={"body": "x", "author": "bob"}, headers=headers)
    assert extra.status_code == 422
    missing = api.get("/api/v1/questions/nope/comments", headers=headers)
    assert missing.status_code == 404


def test_the_export_is_admin_only_and_leaves_out_threads_the_admin_may_not_read(
    api, db, admin, alice, bob, token_for, binary_question
):
    _forecast(db, alice, 0.3)
    _say(db, alice, "I am at 30% because the carrier group left.")
    refused = api.get("/api/v1/export", headers=token_for(alice))
    assert refused.status_code == 403 and "carrier" not in refused.text
    before = api.get("/api/v1/export", headers=token_for(admin, "admin"))
    assert before.status_code == 200 and "comments" not in before.json()
    assert "carrier" not in before.text  # the admin has not forecast this question
    _forecast(db, admin, 0.5)
    after = api.get("/api/v1/export", headers=token_for(admin, "admin")).json()
    assert [c["author"] for c in after["comments"]] == ["alice"]
