"""Fixtures for the LLM assistants: the app's settings pointed at a loopback server, or at none."""

from collections.abc import Iterator

import pytest

from tracker.config import get_settings
from tracker.testing.fake_llm_server import FakeLLMServer


@pytest.fixture(autouse=True)
def fresh_answer_caches() -> Iterator[None]:
    """Model answers are cached per process by wording; tests reuse wordings."""
    from tracker.llm.assist import CACHES

    yield
    for cache in CACHES:
        cache.clear()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "openai_api_key", None)
    monkeypatch.setattr(settings, "openai_base_url", None)


@pytest.fixture
def model_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    """A started fake server the app's engine talks to (no retries, a short deadline)."""
    settings = get_settings()
    with FakeLLMServer() as server:
        monkeypatch.setattr(settings, "openai_base_url", server.url)
        monkeypatch.setattr(settings, "openai_api_key", None)
        monkeypatch.setattr(settings, "llm_model", "fake-model")
        monkeypatch.setattr(settings, "llm_max_retries", 0)
        monkeypatch.setattr(settings, "llm_timeout_s", 1.5)
        yield server
