"""The question page never passes a stale summary off as current, and shows elided quotes
with the words they leave out; adding evidence refreshes the linked summaries by itself."""

import time
from datetime import timedelta

from tests.ui.conftest import BINARY, EVIDENCE, QUESTION, no_exceptions, texts
from tracker.models import EvidenceSummary as SummaryRow
from tracker.services import evidence, summaries
from tracker.services.summary_refresh import freshness_of, refresh_summaries

LATER = "The city now says the harbour bridge reopening to traffic will slip past the summer."


def _wait_until_fresh(db, question_id: str, within_s: float = 60.0) -> bool:
    """Wait for a state (the background refresh has stored its summary), not for a time."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not freshness_of(db, [question_id])[question_id].stale:
            return True
        time.sleep(0.05)
    return False


def test_a_fresh_summary_shows_no_banner(open_app, world):
    refresh_summaries(world.db, world.actors["admin"], [BINARY])
    at = open_app("alice", QUESTION, q=BINARY)
    no_exceptions(at)
    assert not [w for w in at.warning if "Since this summary was made" in w.value]
    assert "Previous summary" not in texts(at)


def test_a_stale_summary_says_how_many_items_arrived_and_is_refreshed(
    open_app, world, held_refreshes
):
    refresh_summaries(world.db, world.actors["admin"], [BINARY])
    world.db.clock = lambda: (
        summaries.latest_summary(world.db, BINARY).created_at + timedelta(minutes=5)
    )
    later = evidence.add_text(world.db, world.actors["admin"], title="Delay", text=LATER).item
    evidence.link(world.db, world.actors["admin"], BINARY, later.id)

    at = open_app("alice", QUESTION, q=BINARY)
    no_exceptions(at)
    shown = texts(at)
    assert "Since this summary was made, 1 new item(s) arrived" in shown
    assert "Previous summary, made before the newest evidence" in shown
    assert [b for b in at.button if b.label == "Refresh now"]

    held_refreshes.set()  # now let the refresher the page queued run
    assert _wait_until_fresh(world.db, BINARY)  # the page queued it; nobody clicked
    at.run()
    assert "Since this summary was made" not in texts(at)
    assert later.id in summaries.latest_summary(world.db, BINARY).evidence_ids


def test_an_elided_quote_shows_the_omitted_words_and_no_verified_badge(open_app, world):
    stored = refresh_summaries(world.db, world.actors["admin"], [BINARY])
    assert stored.refreshed == [BINARY]
    with world.db.write() as session:  # a model's answer that drops words with "..."
        row = session.get(SummaryRow, summaries.latest_summary(world.db, BINARY).id)
        content = dict(row.content)
        content["key_points"] = [
            {
                "claim": "The works are late.",
                "direction": "lowers",
                "strength": "strong",
                "evidence_id": 1,
                "quote": "The harbour bridge works are ... schedule",
                "verified": True,  # claimed by the stored row; re-checked when read
            }
        ]
        row.content = content
        session.add(row)
    at = open_app("alice", QUESTION, q=BINARY)
    no_exceptions(at)
    shown = texts(at)
    assert "elided quote — check the source" in shown
    assert "quote verified" not in shown
    assert "~~ahead of~~" in shown  # the words the quote left out, struck through


def test_adding_evidence_on_the_evidence_page_refreshes_the_summary(open_app, world):
    refresh_summaries(world.db, world.actors["admin"], [BINARY])
    at = open_app("alice", EVIDENCE)
    [title] = [w for w in at.text_input if w.label == "Title"]
    [text] = [w for w in at.text_area if w.label == "Text"]
    title.input("Bridge reopening slips")
    text.input(LATER)
    [add] = [b for b in at.button if b.label == "Add evidence"]
    add.click().run()
    no_exceptions(at)
    assert "refreshed in the background" in texts(at)
    assert _wait_until_fresh(world.db, BINARY)
    assert len(summaries.latest_summary(world.db, BINARY).evidence_ids) == 2
