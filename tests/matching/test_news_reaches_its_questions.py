"""Ordinary news reaches the questions it bears on: the seed questions, real-shaped items.

The three items the evidence-loop issue reported as linking nothing (a ten-topic agency
round-up, a short protests item, a carrier-group item) go through the same ingest as the app
and the CLI, and must link the questions a forecaster would link them to.
"""

import pytest

from tracker.seed import seed
from tracker.services import evidence
from tracker.testing.match_corpus import load_items

CORPUS = {item.id: item for item in load_items()}


@pytest.fixture
def seeded(db):
    seed(db)
    return db


def _linked(db, actor, item_id: str) -> set[str]:
    item = CORPUS[item_id]
    result = evidence.add_text(db, actor, title=item.title, text=item.text, outlet="Wire")
    return {link.question_id for link in result.links if link.state == "linked"}


def test_the_agency_round_up_links_each_question_it_touches(seeded, alice):
    item = CORPUS["roundup-muscat-third-round"]
    linked = _linked(seeded, alice, item.id)
    assert {
        "us-iran-talk-rounds-by-2027-06",
        "iran-nationwide-protests-by-2027-06",  # one sentence: protests in three cities
        "brent-price-on-2027-06-30",  # one sentence: oil up two percent
        "israel-pm-stance-on-us-iran-agreement-by-2027-06",
        "enrichment-level-in-us-iran-agreement-by-2027-12",
        "ballistic-missile-limits-in-agreement-by-2027-12",
    } <= linked
    assert len(item.must & linked) >= 0.9 * len(item.must)
    assert linked <= item.must | item.acceptable


def test_a_short_protests_item_links_the_protests_question(seeded, alice):
    assert "iran-nationwide-protests-by-2027-06" in _linked(
        seeded, alice, "single-bazaar-strikes-forty-towns"
    )


def test_a_carrier_group_item_links_the_us_strike_question(seeded, alice):
    assert "us-strike-iran-by-2027-06" in _linked(
        seeded, alice, "single-second-carrier-strike-options"
    )


@pytest.mark.parametrize("item_id", [i.id for i in CORPUS.values() if i.kind == "unrelated"])
def test_unrelated_news_links_nothing(seeded, alice, item_id):
    assert _linked(seeded, alice, item_id) == set()


def test_a_link_records_the_passage_and_method_that_made_it(seeded, alice):
    item = CORPUS["roundup-muscat-third-round"]
    result = evidence.add_text(seeded, alice, title=item.title, text=item.text)
    protests = next(
        link for link in result.links if link.question_id == "iran-nationwide-protests-by-2027-06"
    )
    assert protests.method == "auto" and "protests in three Iranian cities" in protests.passage
    assert protests.passage in item.text  # a passage is the item's own text
