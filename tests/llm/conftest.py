"""Fixtures for the LLM layer: a real loopback OpenAI-compatible server and sample evidence.

The `openai` client (httpx2) cannot be mocked with respx, so it talks over HTTP to
`FakeLLMServer` on 127.0.0.1; each test scripts the replies it needs and counts the calls.
"""

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tracker.llm.openai_engine import OpenAIEngine
from tracker.llm.schema import EvidenceDoc, QuestionBrief, SummaryRequest
from tracker.llm.settings import LLMConfig
from tracker.testing.fake_llm_server import FakeLLMServer

T0 = datetime(2026, 2, 1, tzinfo=UTC)

ARTICLE_TALKS = (
    "Talks between Washington and Tehran stalled on Tuesday in Muscat. "
    "U.S. officials said a strike on Iranian nuclear facilities remained on the table. "
    "A second carrier group is heading to the Gulf, the Pentagon said.\n"
    "Iran's foreign minister called the deployment “reckless” and said Iran would respond."
)
ARTICLE_ANALYSIS = (
    "Most analysts consider a US strike on Iran's nuclear sites unlikely before the summer. "
    "Diplomats say a new round of talks could start in March. "
    "Oil prices rose 2% on the news."
)


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    """A started fake server with an empty script (unscripted calls get HTTP 500)."""
    with FakeLLMServer() as server:
        yield server


@pytest.fixture
def openai_engine(llm_server: FakeLLMServer) -> Callable[..., OpenAIEngine]:
    """Factory: an OpenAIEngine pointed at the fake server; keyword args override settings."""

    def make(**overrides: Any) -> OpenAIEngine:
        settings = {
            "openai_base_url": llm_server.url,
            "llm_model": "fake-model",
            "llm_timeout_s": 5.0,
            "llm_max_retries": 2,
            **overrides,
        }
        return OpenAIEngine(LLMConfig(**settings))

    return make


def make_question(**overrides: Any) -> QuestionBrief:
    """A binary question about the sample articles; keyword args override fields."""
    fields: dict[str, Any] = {
        "id": "us-strike-2026h1",
        "revision": 1,
        "title": "Will the US strike Iranian nuclear facilities before July 2026?",
        "type": "binary",
        "options": ["Yes", "No"],
        "description": "A strike by US forces on nuclear facilities inside Iran.",
        "resolution_criteria": "Yes if credible reports confirm a US strike on an Iranian "
        "nuclear facility between the open and close times.",
        "open_time": T0,
        "close_time": datetime(2026, 7, 1, tzinfo=UTC),
    }
    fields.update(overrides)
    return QuestionBrief(**fields)


def make_doc(doc_id: int, text: str, day: int = 2, **overrides: Any) -> EvidenceDoc:
    fields: dict[str, Any] = {
        "id": doc_id,
        "title": f"Article {doc_id}",
        "outlet": "Wire",
        "url": f"https://example.org/{doc_id}",
        "published_at": datetime(2026, 2, day, tzinfo=UTC),
        "added_at": datetime(2026, 2, day, 12, tzinfo=UTC),
        "text": text,
        "content_hash": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    }
    fields.update(overrides)
    return EvidenceDoc(**fields)


def make_request(
    docs: list[EvidenceDoc] | None = None, since: datetime | None = None, **question: Any
) -> SummaryRequest:
    if docs is None:
        docs = [make_doc(1, ARTICLE_TALKS, day=3), make_doc(2, ARTICLE_ANALYSIS, day=10)]
    return SummaryRequest(question=make_question(**question), evidence=docs, since=since)


def good_answer(**overrides: Any) -> dict[str, Any]:
    """What a well-behaved model returns for `make_request()`."""
    answer: dict[str, Any] = {
        "headline": "Talks stalled while a second US carrier heads to the Gulf.",
        "status_quo": "No strike has happened; without one the question resolves No.",
        "whats_new": "Analysts now call a strike unlikely before summer.",
        "key_points": [
            {
                "claim": "US officials keep the strike option open.",
                "direction": "raises",
                "option": None,
                "strength": "moderate",
                "evidence_id": 1,
                "quote": "U.S. officials said a strike on Iranian nuclear facilities "
                "remained on the table.",
            },
            {
                "claim": "Analysts see a strike before summer as unlikely.",
                "direction": "lowers",
                "option": None,
                "strength": "moderate",
                "evidence_id": 2,
                "quote": "Most analysts consider a US strike on Iran’s nuclear sites unlikely",
            },
        ],
        "overall_direction": "mixed",
        "caveats": ["Both items rely on unnamed officials."],
        "injection_suspected": False,
    }
    answer.update(overrides)
    return answer


class Samples:
    """Sample data builders, handed to tests as the `samples` fixture."""

    T0 = T0
    ARTICLE_TALKS = ARTICLE_TALKS
    ARTICLE_ANALYSIS = ARTICLE_ANALYSIS
    question = staticmethod(make_question)
    doc = staticmethod(make_doc)
    request = staticmethod(make_request)
    good_answer = staticmethod(good_answer)


@pytest.fixture
def samples() -> type[Samples]:
    return Samples
