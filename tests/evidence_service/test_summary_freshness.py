"""Summaries that keep up: stale ones are found, refreshed, and a second run costs nothing."""

import pytest

from tests.support import question_data
from tracker.config import get_settings
from tracker.models import EvidenceSummary as SummaryRow
from tracker.schemas import QuestionEdit
from tracker.services import evidence, questions, summaries
from tracker.services.summary_refresh import (
    BackgroundRefresher,
    freshness_of,
    refresh_summaries,
    stale_question_ids,
)
from tracker.testing.fake_llm_server import FakeLLMServer, echo_responder

ARTICLE = (
    "Washington said a strike on Iranian nuclear sites remained possible. "
    "A second carrier group is heading to the Gulf, the Pentagon said."
)
LATER = "The Pentagon ordered two more destroyers toward Iran after the strike warning."


@pytest.fixture
def offline(monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "openai_api_key", None)
    monkeypatch.setattr(settings, "openai_base_url", None)


@pytest.fixture
def two(db, admin, alice, offline):
    for qid in ("us-strike", "us-strike-b"):
        questions.create_question(
            db, admin, question_data(id=qid, title=f"Will the US strike Iran ({qid})?")
        )
    item = evidence.add_text(db, alice, title="Carrier heads to Gulf", text=ARTICLE).item
    for qid in ("us-strike", "us-strike-b"):
        evidence.link(db, alice, qid, item.id)
    return item


def test_linked_evidence_without_a_summary_is_stale_and_a_refresh_fixes_it(db, alice, two):
    assert stale_question_ids(db) == ["us-strike", "us-strike-b"]
    report = refresh_summaries(db, alice)
    assert sorted(report.refreshed) == ["us-strike", "us-strike-b"]
    assert stale_question_ids(db) == []
    assert refresh_summaries(db, alice).refreshed == []  # nothing stale: nothing made


def test_new_evidence_makes_a_summary_stale_and_says_how_many_arrived(db, alice, two, clock):
    refresh_summaries(db, alice)
    clock.advance(hours=1)
    later = evidence.add_text(db, alice, title="Destroyers", text=LATER).item
    evidence.link(db, alice, "us-strike", later.id)
    fresh = freshness_of(db)
    assert fresh["us-strike"].stale and fresh["us-strike"].arrived == 1
    assert not fresh["us-strike-b"].stale
    assert stale_question_ids(db) == ["us-strike"]
    refresh_summaries(db, alice)
    assert summaries.latest_summary(db, "us-strike").evidence_ids == sorted([two.id, later.id])


def test_an_unlink_or_a_rewording_makes_it_stale_too(db, admin, alice, two):
    refresh_summaries(db, alice)
    evidence.unlink(db, alice, "us-strike", two.id)
    questions.edit_question(
        db, admin, "us-strike-b", QuestionEdit(title="Will US forces strike Iran (reworded)?")
    )
    fresh = freshness_of(db)
    assert fresh["us-strike"].unlinked == 1 and fresh["us-strike"].stale
    assert fresh["us-strike-b"].reworded and fresh["us-strike-b"].stale


def test_summarize_stale_against_a_model_second_run_makes_no_call(db, alice, two, monkeypatch):
    settings = get_settings()
    with FakeLLMServer(responder=echo_responder) as server:
        monkeypatch.setattr(settings, "openai_base_url", server.url)
        monkeypatch.setattr(settings, "llm_max_retries", 0)
        first = refresh_summaries(db, alice)
        assert sorted(first.refreshed) == ["us-strike", "us-strike-b"] and server.calls == 2
        assert refresh_summaries(db, alice).refreshed == []
        assert server.calls == 2  # exactly the stale ones, once


def test_a_stored_summary_is_verified_again_when_read(db, alice, two):
    """A summary stored under the old, lax elision rule cannot keep its verified badge."""
    stored = summaries.summarize_question(db, alice, "us-strike")
    with db.write() as session:
        row = session.get(SummaryRow, stored.id)
        content = dict(row.content)
        point = dict(content["key_points"][0])
        point.update(quote="Washington said ... remained possible", verified=True)
        content["key_points"] = [point]
        row.content = content
        session.add(row)
    shown = summaries.latest_summary(db, "us-strike")
    (point,) = shown.summary.key_points
    assert point.quote_status == "elided" and not point.verified
    assert [s.text for s in point.quote_segments if s.omitted] == [
        "a strike on Iranian nuclear sites"
    ]


def test_the_background_refresher_refreshes_and_forgets_what_it_did(db, alice, two, held_refreshes):
    refresher = BackgroundRefresher()
    job = refresher.submit(db, alice, ["us-strike"])
    assert refresher.submit(db, alice, ["us-strike"]) is None  # already queued: not twice
    held_refreshes.set()
    report = job.result(timeout=60)
    assert report.refreshed == ["us-strike"] and refresher.pending() == set()
    assert stale_question_ids(db) == ["us-strike-b"]
