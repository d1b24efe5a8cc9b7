"""`make_engine`: offline unless a key or a base URL is configured."""

from tracker.llm.engine import SummaryEngine, make_engine
from tracker.llm.offline import OfflineEngine
from tracker.llm.openai_engine import OpenAIEngine
from tracker.llm.settings import LLMConfig


def test_offline_without_key_or_url() -> None:
    engine = make_engine(LLMConfig())
    assert isinstance(engine, OfflineEngine) and isinstance(engine, SummaryEngine)
    assert engine.name == "offline"


def test_openai_with_a_base_url_and_no_key() -> None:
    settings = LLMConfig(
        openai_base_url="http://127.0.0.1:1/v1",
        llm_model="llama3.1",
        llm_timeout_s=7.5,
        llm_max_retries=1,
    )
    engine = make_engine(settings)
    assert isinstance(engine, OpenAIEngine) and isinstance(engine, SummaryEngine)
    assert engine.model == "llama3.1"
    assert isinstance(engine.fallback, OfflineEngine)
    assert engine.client.timeout == 7.5 and engine.timeout_s == 7.5
    # retries are the engine's own, inside one deadline; the client never retries by itself
    assert engine.max_retries == 1 and engine.client.max_retries == 0
    assert engine.client.api_key == "not-needed"


def test_openai_with_a_key_only() -> None:
    engine = make_engine(LLMConfig(openai_api_key="sk-test"))
    assert isinstance(engine, OpenAIEngine) and engine.server == "api.openai.com"


def test_app_settings_satisfy_the_protocol(monkeypatch) -> None:
    from tracker.config import Settings

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert isinstance(make_engine(Settings(_env_file=None)), OfflineEngine)
    configured = Settings(_env_file=None, openai_base_url="http://localhost:11434/v1")
    assert isinstance(make_engine(configured), OpenAIEngine)
