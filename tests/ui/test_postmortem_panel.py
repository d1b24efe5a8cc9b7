"""Review → Question review: the post-mortem of a resolved question, facts first."""

from tests.ui.conftest import RESOLVED, REVIEW, no_exceptions, texts


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
