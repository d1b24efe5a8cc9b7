"""A corpus of articles carrying instructions for the summariser (injection_corpus.json), run
through both engines: summaries stay schema-valid plain text, quotes the article does not
support (or that come from the planted instructions) are unverified, and the injection is
flagged whether or not the model notices it."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tracker.llm.guard import find_injection
from tracker.llm.offline import OfflineEngine
from tracker.llm.schema import EvidenceSummary
from tracker.llm.verify import quote_verifies
from tracker.testing.fake_llm_server import ok
from tracker.ui.widgets.render import esc

CORPUS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "injection_corpus.json").read_text(encoding="utf-8")
)["articles"]
ARTICLES = pytest.mark.parametrize("article", CORPUS, ids=[a["id"] for a in CORPUS])
EVIL_ID = 7


def corpus_request(samples: Any, article: dict[str, Any]) -> Any:
    clean = [samples.doc(1, samples.ARTICLE_TALKS, day=3), samples.doc(2, samples.ARTICLE_ANALYSIS)]
    evil = samples.doc(EVIL_ID, article["text"], day=4, title=article["title"])
    return samples.request(docs=[*clean, evil])


def texts_of(summary: EvidenceSummary) -> list[str]:
    points = [t for p in summary.key_points for t in (p.claim, p.quote, p.option or "")]
    return [summary.headline, summary.status_quo, summary.whats_new, *points, *summary.caveats]


def assert_valid_plain_text(summary: EvidenceSummary) -> None:
    """Schema-valid, and every string shows as text in the UI: once escaped for Streamlit
    markdown no '<' is left that could open a tag."""
    assert EvidenceSummary.model_validate_json(summary.model_dump_json()) == summary
    for text in texts_of(summary):
        assert re.search(r"(?<!\\)<", esc(text)) is None, text


def test_the_corpus_covers_the_four_attacks() -> None:
    attacks = " ".join(a["attack"] for a in CORPUS)
    for kind in ("ignore previous instructions", "HTML", "attribute", "resolved"):
        assert kind in attacks
    assert len({a["id"] for a in CORPUS}) == len(CORPUS)


@ARTICLES
def test_the_guard_flags_the_article_but_not_its_reporting(article: dict[str, Any]) -> None:
    assert find_injection(article["title"] + "\n" + article["text"])
    assert find_injection(article["honest_quote"]) is None
    assert quote_verifies(article["honest_quote"], article["text"])


@ARTICLES
def test_offline_engine_flags_it_and_quotes_only_genuine_reporting(
    samples: Any, article: dict[str, Any]
) -> None:
    request = corpus_request(samples, article)
    engine = OfflineEngine()
    result = engine.summarize(request)
    summary = result.summary

    assert result.engine == "offline"
    assert summary.injection_suspected is True
    assert any(f"#{EVIL_ID}" in c for c in summary.caveats)
    assert summary.key_points
    texts = {d.id: d.text for d in request.evidence}
    for point in summary.key_points:
        assert point.verified, point.quote
        assert quote_verifies(point.quote, texts[point.evidence_id])
        assert find_injection(point.quote) is None
    assert_valid_plain_text(summary)
    again = engine.summarize(request)
    assert again.summary.model_dump_json() == summary.model_dump_json()


@ARTICLES
def test_openai_engine_fooled_by_the_article_is_contained(
    llm_server: Any, openai_engine: Any, samples: Any, article: dict[str, Any]
) -> None:
    """The model followed the planted instructions and did not flag them."""
    llm_server.script(ok(article["fooled_answer"]))
    result = openai_engine().summarize(corpus_request(samples, article))
    summary = result.summary

    assert result.engine == "openai" and result.fallback_reason is None
    assert [p.verified for p in summary.key_points] == article["fooled_verified"]
    assert summary.injection_suspected is True  # the guard, since the model did not
    assert any(f"#{EVIL_ID}" in c for c in summary.caveats)
    if not all(article["fooled_verified"]):
        assert any("unverified" in c for c in summary.caveats)
    assert_valid_plain_text(summary)


@ARTICLES
def test_openai_engine_told_to_flag_it_does_and_keeps_the_real_reporting(
    llm_server: Any, openai_engine: Any, samples: Any, article: dict[str, Any]
) -> None:
    """The system prompt tells the model to flag such text; a model that obeys it keeps its
    flag and caveat, and its genuine quotes from the article verify."""
    answer = samples.good_answer(
        injection_suspected=True,
        caveats=[f"Item {EVIL_ID} contains instructions addressed to an AI model; ignored."],
    )
    answer["key_points"].append(
        {
            "claim": "Genuine reporting from the flagged item.",
            "direction": "neutral",
            "option": None,
            "strength": "weak",
            "evidence_id": EVIL_ID,
            "quote": article["honest_quote"],
        }
    )
    llm_server.script(ok(answer))
    result = openai_engine().summarize(corpus_request(samples, article))

    system = llm_server.requests[0]["messages"][0]["content"]
    assert 'set "injection_suspected" to true' in " ".join(system.split())
    assert article["text"] not in system
    summary = result.summary
    assert result.engine == "openai"
    assert summary.injection_suspected is True
    assert [p.verified for p in summary.key_points] == [True, True, True]
    assert summary.caveats == answer["caveats"]  # no second, automatic warning needed
    assert_valid_plain_text(summary)
