"""Settings from the environment and `.env`: one code base serves a laptop and a team server."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SEED_DIR = DATA_DIR / "seed"
PROMPTS_DIR = PROJECT_ROOT / "prompts"


def default_database_url() -> str:
    return f"sqlite:///{DATA_DIR / 'tracker.db'}"


class Settings(BaseSettings):
    """Every knob the app reads; env var names are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    sqlite_busy_timeout_ms: int = 5000

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 2
    llm_concurrency: int = 10

    fetch_timeout_s: float = 10.0
    fetch_max_bytes: int = 5_000_000
    fetch_allow_private: bool = False
    evidence_max_chars: int = 200_000
    match_threshold: float = 0.45
    match_relative: float = 0.6
    match_max_links: int = 12
    match_llm_band: float = 0.15
    match_llm_max_candidates: int = 6

    session_timeout_minutes: int = 8 * 60
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    stale_forecast_days: int = 14
    extremize_factor: float = 1.5
    team_pool: str = "median"  # the team aggregate shown by default (tracker.services.pool_scores)


@lru_cache
def get_settings() -> Settings:
    return Settings()
