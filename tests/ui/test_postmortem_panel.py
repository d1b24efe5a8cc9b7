"""Review → Question review: the post-mortem of a resolved question, facts first."""

from datetime import timedelta

from tests.ui.conftest import RESOLVED, REVIEW, no_exceptions, texts
from tracker.models_discussion import Comment


def test_post_mortem_offline_shows_the_facts_without_a_narrative(open_app):
    at = open_app("alice", REVIEW)
    at.selectbox(key="rv_question").set_value(RESOLVED).run()
    [button] = [b for b in at.button if b.label == "Write the post-mortem"]
    button.click().run()
    no_exceptions(at)
    shown = texts(at)
    assert "**Facts** (computed by the app)" in shown
    assert "The question resolved “Yes”" in shown
    assert "Offline engine: the facts without a narrative." in shown


def test_post_mortem_shows_the_discussion_it_quotes_with_a_tombstone(world, open_app):
    now = world.db.now()
    alice, bob = world.actors["alice"].user_id, world.actors["bob"].user_id
    with world.db.write() as session:
        first = Comment(
            question_id=RESOLVED,
            author_id=alice,
            body="The operator *hinted* at a change.",
            created_at=now - timedelta(days=20),
        )
        session.add(first)
        session.flush()
        session.add(
            Comment(
                question_id=RESOLVED,
                author_id=bob,
                parent_id=first.id,
                body="",
                created_at=now - timedelta(days=19),
                deleted_at=now - timedelta(days=18),
                deleted_by=bob,
            )
        )
    at = open_app("alice", REVIEW)
    at.selectbox(key="rv_question").set_value(RESOLVED).run()
    [button] = [b for b in at.button if b.label == "Write the post-mortem"]
    button.click().run()
    no_exceptions(at)
    shown = texts(at)
    assert [e.label for e in at.expander if "Discussion" in e.label] == [
        "**Discussion** (2 comments)"
    ]
    assert "`C1` **alice**" in shown and "The operator *hinted* at a change." in shown
    assert "`C2` **bob**" in shown and "reply to `C2`" not in shown
    assert "reply to `C1`: _comment deleted_" in shown
    assert "The discussion had 2 comment(s), quoted as C1–C2" in shown
