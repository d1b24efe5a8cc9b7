"""Evidence in the database: stored once, near copies marked, matched, linked by hand."""

import pytest

from tests.support import question_data
from tracker.errors import InvalidInput, PermissionDenied
from tracker.services import audit, evidence, questions

MISSILES = (
    "Iranian officials said again that the ballistic missile programme is not negotiable. "
    "Israel wants limits on missile range in any agreement, and Washington raised the issue "
    "in Muscat. Analysts expect Tehran to refuse any cap on its missiles."
)


@pytest.fixture
def two_questions(db, admin):
    questions.create_question(
        db,
        admin,
        question_data(
            id="missiles",
            title="Will Iran accept ballistic missile limits in a deal?",
            description="Missile range caps in a signed agreement.",
            resolution_criteria="A signed text limits Iranian ballistic missiles.",
        ),
    )
    questions.create_question(
        db,
        admin,
        question_data(
            id="brent",
            title="Will Brent crude trade above $90?",
            description="Oil price on the spot market.",
            resolution_criteria="EIA daily Brent spot price above 90 dollars.",
        ),
    )


def test_pasted_text_is_stored_and_matched_to_the_relevant_question(db, alice, two_questions):
    result = evidence.add_text(
        db, alice, title="Missiles off the table", text=MISSILES, outlet="Wire"
    )
    assert not result.duplicate
    assert result.item.added_by == "alice" and result.item.kind == "text"
    linked = {link.question_id for link in result.links}
    assert "missiles" in linked and "brent" not in linked
    assert [e.title for e in evidence.linked_evidence(db, "missiles")] == ["Missiles off the table"]


def test_exact_copies_are_not_stored_twice(db, alice, two_questions):
    first = evidence.add_text(db, alice, title="A", text=MISSILES)
    again = evidence.add_text(db, alice, title="B", text="  " + MISSILES.upper() + "\n\n")
    assert again.duplicate and again.item.id == first.item.id
    assert len(evidence.list_evidence(db)) == 1


LONG_STORY = MISSILES + (
    " The foreign ministry spokesman told reporters in Tehran that the country's defensive "
    "capabilities were a red line and would never be traded for sanctions relief. "
    "Western diplomats said the next round in Oman could slip to late spring because the two "
    "delegations still disagree on the agenda. Israeli officials briefed journalists that they "
    "consider the long-range arsenal an existential threat and want it addressed before any "
    "nuclear understanding is signed. Gulf states asked to be consulted on regional security "
    "arrangements, while oil traders watched the talks for signs of easing tension."
)


def test_near_copies_are_stored_and_marked(db, alice, two_questions):
    first = evidence.add_text(db, alice, title="A", text=LONG_STORY)
    changed = LONG_STORY.replace("could slip to late spring", "may slip to early summer")
    second = evidence.add_text(db, alice, title="A (updated)", text=changed)
    assert not second.duplicate
    assert second.item.near_duplicate_of == first.item.id


def test_hostile_text_is_cleaned_and_overlong_text_refused(db, alice, two_questions, monkeypatch):
    from tracker.config import get_settings

    monkeypatch.setattr(get_settings(), "evidence_max_chars", 1000)
    hostile = "Missiles\u202e and \u200bbidi\x00 tricks. " + "word " * 150
    result = evidence.add_text(db, alice, title="Hostile\u202e", text=hostile)
    assert "\u202e" not in result.item.text and "\x00" not in result.item.text
    assert "\u202e" not in result.item.title
    with pytest.raises(InvalidInput, match=r"more than 2,000 characters long; .* at most 1,000"):
        evidence.add_text(db, alice, title="Long", text="word " * 5000)
    assert [e.title for e in evidence.list_evidence(db)] == [result.item.title]


def test_empty_text_and_bad_urls_are_refused(db, alice):
    with pytest.raises(InvalidInput, match="empty"):
        evidence.add_text(db, alice, title="x", text=" \n\u200b ")
    with pytest.raises(InvalidInput, match="http"):
        evidence.add_text(db, alice, title="x", text="text", url="javascript:alert(1)")
    with pytest.raises(InvalidInput, match="bidirectional"):
        evidence.add_text(db, alice, title="x", text="text", url="https://a.example/\u202egpj")
    with pytest.raises(InvalidInput, match="too long"):
        evidence.add_feed(db, alice, "https://a.example/" + "x" * 3000)
    assert evidence.list_evidence(db) == [] and evidence.list_feeds(db) == []


def test_viewers_cannot_add_or_link(db, viewer, alice, two_questions):
    with pytest.raises(PermissionDenied):
        evidence.add_text(db, viewer, title="x", text=MISSILES)
    item = evidence.add_text(db, alice, title="x", text=MISSILES).item
    with pytest.raises(PermissionDenied):
        evidence.unlink(db, viewer, "missiles", item.id)


def test_manual_unlink_survives_rematching(db, alice, admin, two_questions):
    item = evidence.add_text(db, alice, title="x", text=MISSILES).item
    evidence.unlink(db, alice, "missiles", item.id)
    assert evidence.linked_evidence(db, "missiles") == []
    evidence.rematch(db, admin)
    assert evidence.linked_evidence(db, "missiles") == []
    evidence.link(db, alice, "brent", item.id)
    assert [link.method for link in evidence.linked_evidence(db, "brent")] == ["manual"]
    actions = [e.action for e in audit.list_events(db, entity_type="question", entity_id="brent")]
    assert "evidence.link" in actions


def test_uploaded_html_file_is_extracted(db, alice, two_questions):
    html = (
        b"<html><head><title>Missile talk</title><script>alert(1)</script></head><body>"
        b"<article><p>" + MISSILES.encode() + b"</p></article></body></html>"
    )
    result = evidence.add_file(db, alice, filename="report.html", data=html)
    assert "alert" not in result.item.text
    assert "ballistic missile" in result.item.text


def test_unsupported_file_types_are_refused(db, alice):
    from tracker.errors import TrackerError

    with pytest.raises(TrackerError):
        evidence.add_file(db, alice, filename="photo.png", data=b"\x89PNG")


def test_urls_are_fetched_by_us_with_the_configured_limits(db, alice, two_questions):
    from tracker.evidence.fetch import FetchResult

    seen = {}

    def fake_fetch(url, **limits):
        seen.update(limits)
        body = f"<html><head><title>Wire story</title></head><body><p>{MISSILES}</p></body></html>"
        return FetchResult(
            url=url,
            final_url=url,
            status=200,
            content_type="text/html",
            body=body.encode(),
            charset="utf-8",
        )

    result = evidence.add_url(db, alice, "https://example.org/story", fetcher=fake_fetch)
    assert result.item.url == "https://example.org/story" and result.item.kind == "url"
    assert seen["allow_private"] is False and seen["max_bytes"] > 0 and seen["timeout_s"] > 0


def test_private_addresses_are_refused_by_default(db, alice):
    from tracker.evidence.errors import FetchRefused

    with pytest.raises(FetchRefused):
        evidence.add_url(db, alice, "http://127.0.0.1:9/admin")
    assert evidence.list_evidence(db) == []


def test_feeds_are_polled_and_one_bad_feed_does_not_stop_the_rest(db, alice, two_questions):
    from tracker.evidence.errors import FetchHTTPStatus
    from tracker.evidence.fetch import FetchResult

    rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
    <item><title>Missile limits rejected</title><link>https://example.org/a</link>
    <guid>a</guid><description>{MISSILES}</description></item></channel></rss>"""

    def fake_fetch(url, **limits):
        if "broken" in url:
            raise FetchHTTPStatus(f"{url} answered 404 Not Found", 404)
        return FetchResult(
            url=url,
            final_url=url,
            status=200,
            content_type="application/rss+xml",
            body=rss.encode(),
            charset="utf-8",
        )

    evidence.add_feed(db, alice, "https://example.org/feed.xml")
    evidence.add_feed(db, alice, "https://example.org/broken.xml")
    summary = evidence.poll_feeds(db, alice, fetcher=fake_fetch)
    assert summary.entries_added == 1 and len(summary.errors) == 1
    again = evidence.poll_feeds(db, alice, fetcher=fake_fetch)
    assert again.entries_added == 0 and again.duplicates == 1
    feeds = {f.url: f for f in evidence.list_feeds(db)}
    assert feeds["https://example.org/broken.xml"].last_error
    # the channel title names the feed and the outlet of its items
    assert feeds["https://example.org/feed.xml"].title == "Wire"
    [item] = [i for i in evidence.list_evidence(db) if i.kind == "feed"]
    assert item.outlet == "Wire"


def test_the_kept_near_duplicate_index_follows_the_table(db, alice, two_questions):
    """The index is kept between ingests and topped up; if the rows it holds are replaced
    (a restore), it starts again rather than reporting items that are gone."""
    from sqlmodel import delete

    from tracker.models import EvidenceItem, QuestionEvidence

    first = evidence.add_text(db, alice, title="A", text=LONG_STORY).item
    near = evidence.add_text(db, alice, title="B", text=LONG_STORY.replace("spring", "summer"))
    assert near.item.near_duplicate_of == first.id  # found through the kept index
    with db.write() as session:
        session.exec(delete(QuestionEvidence))
        session.exec(delete(EvidenceItem))
    other = evidence.add_text(db, alice, title="C", text="A note about rainfall in Oman.")
    again = evidence.add_text(db, alice, title="D", text=LONG_STORY)
    assert other.item.near_duplicate_of is None
    assert again.item.near_duplicate_of is None  # A and B are gone; the index knows
