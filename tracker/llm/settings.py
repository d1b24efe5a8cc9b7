"""The settings the LLM layer reads, as a Protocol, so it never imports the app's config.

`tracker.config.Settings` satisfies it; so does `LLMConfig` (tests, benchmarks, scripts).
"""

from dataclasses import dataclass
from typing import Protocol


class LLMSettings(Protocol):
    @property
    def openai_api_key(self) -> str | None: ...
    @property
    def openai_base_url(self) -> str | None: ...
    @property
    def llm_model(self) -> str: ...
    @property
    def llm_timeout_s(self) -> float: ...
    @property
    def llm_max_retries(self) -> int: ...
    @property
    def llm_concurrency(self) -> int: ...


@dataclass(frozen=True)
class LLMConfig:
    """Plain settings with the app's defaults."""

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 2
    llm_concurrency: int = 10
