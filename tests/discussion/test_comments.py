"""Discussion on each question: threads, edits with history, tombstones, mentions, links, and
the anchoring guard (hidden until you forecast; closed during a blind session)."""

import pytest

from tests.support import make_user
from tracker.errors import Conflict, InvalidInput, PermissionDenied
from tracker.schemas import ForecastCreate, Resolution
from tracker.services import comments, forecasts, questions, sessions
from tracker.services.comments import CommentCreate


def say(db, actor, question_id, body, **links):
    return comments.add_comment(db, actor, question_id, CommentCreate(body=body, **links))


def forecast(db, actor, question_id, p=0.4):
    return forecasts.log_forecast(
        db, actor, ForecastCreate(question_id=question_id, probabilities={"Yes": p, "No": 1 - p})
    )


@pytest.fixture
def hidden(db, admin, binary_question):
    """A hide-until-forecast question (the default) on which alice has forecast."""
    return binary_question


def test_replies_follow_their_parent_in_thread_order(db, alice, bob, hidden):
    forecast(db, alice, hidden.id)
    forecast(db, bob, hidden.id, 0.6)
    first = say(db, alice, hidden.id, "Buildup looks like leverage to me.")
    say(db, bob, hidden.id, "A separate point about oil.")
    reply = say(db, bob, hidden.id, "Carriers rotate out in spring.", parent_id=first.id)
    say(db, alice, hidden.id, "Good point.", parent_id=reply.id)
    thread = comments.discussion(db, alice, hidden.id)
    assert [(c.body, c.depth) for c in thread.comments] == [
        ("Buildup looks like leverage to me.", 0),
        ("Carriers rotate out in spring.", 1),
        ("Good point.", 2),
        ("A separate point about oil.", 0),
    ]


def test_comments_are_hidden_until_you_forecast_on_a_hidden_question(db, alice, bob, hidden):
    forecast(db, alice, hidden.id)
    say(db, alice, hidden.id, "I went to 40% because of the carrier group.")
    before = comments.discussion(db, bob, hidden.id)
    assert not before.visible and before.comments == []
    assert "until you make your own forecast" in before.notice
    with pytest.raises(PermissionDenied):
        say(db, bob, hidden.id, "What did everyone say?")
    forecast(db, bob, hidden.id)
    after = comments.discussion(db, bob, hidden.id)
    assert [c.body for c in after.comments] == ["I went to 40% because of the carrier group."]


def test_viewers_read_but_do_not_post(db, alice, viewer, hidden):
    forecast(db, alice, hidden.id)
    say(db, alice, hidden.id, "Notes for the team.")
    thread = comments.discussion(db, viewer, hidden.id)
    assert thread.visible and not thread.can_post
    with pytest.raises(PermissionDenied, match="Viewers can read"):
        say(db, viewer, hidden.id, "Me too")


def test_a_blind_session_closes_its_questions_discussion(db, admin, alice, bob, hidden):
    forecast(db, alice, hidden.id)
    forecast(db, bob, hidden.id)
    say(db, alice, hidden.id, "Before the session.")
    team = sessions.create_session(
        db,
        admin,
        sessions.SessionCreate(
            title="Monday", question_ids=[hidden.id], participants=["alice", "bob"]
        ),
    )
    for member in (alice, bob, admin):
        thread = comments.discussion(db, member, hidden.id)
        assert not thread.visible and thread.notice == comments.CLOSED_BLIND
    with pytest.raises(PermissionDenied, match="closed while a team session"):
        say(db, alice, hidden.id, "Psst, I am at 80%")
    sessions.advance_phase(db, admin, team.id, "reveal")
    assert [c.body for c in comments.discussion(db, bob, hidden.id).comments] == [
        "Before the session."
    ]


def test_the_author_edits_within_the_window_and_the_old_wording_is_kept(
    db, clock, alice, bob, hidden
):
    forecast(db, alice, hidden.id)
    forecast(db, bob, hidden.id)
    posted = say(db, alice, hidden.id, "Strikes by June look unlikely.")
    with pytest.raises(PermissionDenied, match="only its author"):
        comments.edit_comment(db, bob, posted.id, "Vandalised")
    clock.advance(minutes=5)
    comments.edit_comment(db, alice, posted.id, "Strikes by June look unlikely to me.")
    [shown] = comments.discussion(db, bob, hidden.id).comments
    assert shown.body == "Strikes by June look unlikely to me." and shown.edited_at is not None
    assert [r.body for r in comments.comment_history(db, bob, posted.id)] == [
        "Strikes by June look unlikely."
    ]
    clock.advance(seconds=comments.EDIT_WINDOW.total_seconds())
    with pytest.raises(Conflict, match="can be edited for 15 minutes"):
        comments.edit_comment(db, alice, posted.id, "Too late")


def test_deleting_leaves_a_tombstone_and_keeps_the_replies(db, admin, alice, bob, hidden):
    forecast(db, alice, hidden.id)
    forecast(db, bob, hidden.id)
    parent = say(db, alice, hidden.id, "Regrettable wording.")
    say(db, bob, hidden.id, "A reply that should stay.", parent_id=parent.id)
    with pytest.raises(PermissionDenied, match="author or an admin"):
        comments.delete_comment(db, bob, parent.id)
    comments.delete_comment(db, admin, parent.id)
    tomb, reply = comments.discussion(db, alice, hidden.id).comments
    assert tomb.deleted and tomb.deleted_by_admin and tomb.body == ""
    assert reply.body == "A reply that should stay." and reply.parent_id == parent.id


def test_mentions_name_members_and_links_must_belong_to_the_question(
    db, admin, alice, bob, hidden, mc_question
):
    mine = forecast(db, alice, hidden.id)
    forecast(db, bob, hidden.id)
    posted = say(
        db, alice, hidden.id, "@BOB see my update; @nobody is not a member", forecast_id=mine.id
    )
    assert posted.mentions == ["bob"]
    assert posted.forecast_label.startswith("forecast of ")
    theirs = forecasts.forecast_history(db, question_id=hidden.id, user_id=bob.user_id)[0]
    with pytest.raises(InvalidInput, match="your own forecasts"):
        say(db, alice, hidden.id, "Bob's number", forecast_id=theirs.id)
    with pytest.raises(InvalidInput, match="not linked to this question"):
        say(db, alice, hidden.id, "Some article", evidence_id=12345)
    even = {o: 1 / len(mc_question.options) for o in mc_question.options}
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=mc_question.id, probabilities=even)
    )
    other = say(db, alice, mc_question.id, "Elsewhere")
    with pytest.raises(InvalidInput, match="not on this question"):
        say(db, alice, hidden.id, "Reply across questions", parent_id=other.id)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "write something first"),
        ("x" * 5001, "too long"),
        ("bad\u202eoverride", "bidirectional-override"),
        ("a\ud800b", "not valid Unicode"),
    ],
)
def test_bad_comment_text_is_refused_and_nothing_is_stored(db, alice, hidden, body, message):
    forecast(db, alice, hidden.id)
    with pytest.raises(InvalidInput, match=message):
        say(db, alice, hidden.id, body)
    assert comments.discussion(db, alice, hidden.id).comments == []


def test_a_resolved_questions_discussion_is_read_only(db, admin, alice, hidden):
    forecast(db, alice, hidden.id)
    say(db, alice, hidden.id, "Before the outcome.")
    questions.resolve_question(db, admin, hidden.id, Resolution(option="Yes"))
    thread = comments.discussion(db, make_user(db, "carol"), hidden.id)
    assert thread.visible and not thread.can_post
    with pytest.raises(Conflict, match="resolved"):
        say(db, alice, hidden.id, "After the outcome.")
