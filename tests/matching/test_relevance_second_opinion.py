"""Borderline links get a model's yes/no (cached); the offline decision stands when it fails."""

import re

import pytest

from tracker.config import get_settings
from tracker.seed import seed
from tracker.services import evidence
from tracker.testing.fake_llm_server import FakeLLMServer, error, ok
from tracker.testing.match_corpus import load_items

ITEM = {i.id: i for i in load_items()}["roundup-markets-wrap-muscat-date"]
SANCTIONS = "us-sanctions-relief-iran-by-2027-06"  # scores just below the threshold offline


def judge(relevant: set[str]):
    """A model that says yes to the given question ids and no to the others it is asked."""

    def respond(body):
        user = body["messages"][1]["content"]
        asked = re.findall(r"^- id: (\S+)$", user, re.MULTILINE)
        verdicts = [
            {"question_id": q, "relevant": q in relevant, "reason": f"about {q}"} for q in asked
        ]
        return ok({"verdicts": verdicts})

    return respond


@pytest.fixture
def seeded(db, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "openai_api_key", None)
    monkeypatch.setattr(settings, "openai_base_url", None)
    seed(db)  # offline: seed summaries are made without a model
    return db


@pytest.fixture
def model(seeded, monkeypatch):
    def start(responder=None):
        server = FakeLLMServer(responder=responder).start()
        monkeypatch.setattr(get_settings(), "openai_base_url", server.url)
        monkeypatch.setattr(get_settings(), "llm_max_retries", 0)
        return server

    servers = []
    yield lambda responder=None: servers.append(start(responder)) or servers[-1]
    for server in servers:
        server.stop()


def _links(db, actor):
    result = evidence.add_text(db, actor, title=ITEM.title, text=ITEM.text)
    return {link.question_id: link for link in result.links}


def test_offline_the_borderline_question_is_not_linked(seeded, alice):
    assert SANCTIONS not in _links(seeded, alice)


def test_the_model_can_add_a_borderline_link_with_its_reason(seeded, alice, model):
    server = model(judge({SANCTIONS}))
    links = _links(seeded, alice)
    assert server.calls == 1  # one call for all of the item's borderline questions
    assert links[SANCTIONS].method == "llm" and links[SANCTIONS].reason == f"about {SANCTIONS}"
    assert all(link.method in ("auto", "llm") for link in links.values())
    asked = re.findall(r"^- id: (\S+)$", server.requests[0]["messages"][1]["content"], re.M)
    assert SANCTIONS in asked and len(asked) <= get_settings().match_llm_max_candidates


def test_the_model_can_veto_a_borderline_link(seeded, alice, model):
    roundup = {i.id: i for i in load_items()}["roundup-muscat-third-round"]
    in_band = {"brent-price-on-2027-06-30", "iran-nationwide-protests-by-2027-06"}
    model(judge(in_band))  # says no to the US-strike question, linked offline at 0.46
    result = evidence.add_text(seeded, alice, title=roundup.title, text=roundup.text)
    links = {link.question_id: link for link in result.links}
    assert "us-strike-iran-by-2027-06" not in links
    assert all(links[q].method == "llm" for q in in_band)
    assert links["us-iran-talk-rounds-by-2027-06"].method == "auto"  # clear: not asked


def test_when_the_model_fails_the_offline_decision_stands(seeded, alice, model):
    server = model()
    server.script(error(500), error(500), error(500))
    links = _links(seeded, alice)
    assert SANCTIONS not in links and links  # offline links, no model verdicts
    assert all(link.method == "auto" for link in links.values())


def test_a_verdict_is_asked_once_per_item_and_question_wording(seeded, alice, model):
    from sqlmodel import delete

    from tracker.models import QuestionEvidence
    from tracker.services.evidence_links import match_items

    server = model(judge({SANCTIONS}))
    item_id = evidence.add_text(seeded, alice, title=ITEM.title, text=ITEM.text).item.id
    assert server.calls == 1
    with seeded.write() as session:  # forget the item's links, keep the verdicts
        session.exec(delete(QuestionEvidence).where(QuestionEvidence.evidence_id == item_id))
    match_items(seeded, alice, [item_id])
    assert server.calls == 1  # the verdict came from relevance_judgement
    assert SANCTIONS in {link.question_id for link in evidence.links_for_evidence(seeded, item_id)}
