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

    # the HTTP API and notifications (issue 15)
    app_base_url: str = "http://localhost:8501"
    """Where members open the app; links in messages point here."""
    api_base_url: str = "http://127.0.0.1:8000"
    """Where the API is reached from outside (one-click forecast links point here)."""
    api_token_days: int = Field(default=90, ge=1, le=3650)
    api_rate_limit: int = Field(default=120, ge=1)
    """Requests per token per `api_rate_window_s` (an in-process sliding window)."""
    api_rate_window_s: float = Field(default=60.0, gt=0)
    api_max_body_bytes: int = Field(default=1_000_000, ge=1024)
    forecast_link_hours: int = Field(default=72, ge=1)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "forecast-tracker@localhost"
    smtp_security: str = "starttls"
    """starttls, ssl or none (none only for a relay on the same host)."""
    notify_max_attempts: int = Field(default=6, ge=1)
    notify_backoff_s: float = Field(default=60.0, gt=0)
    """The first retry waits this long, each later one twice as long as the one before."""
    notify_timeout_s: float = Field(default=10.0, gt=0)
    notify_interval_s: float = Field(default=30.0, ge=0)
    """How often the API process delivers due messages in the background (0: never; then
    rely on `tracker notify` from cron)."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
