"""The one settings model: embedded defaults < user TOML file < environment.

Environment variables are ``DIGEST_<SECTION>_<KEY>`` (``DIGEST_LLM_MODEL``,
``DIGEST_ARXIV_API_URL``, ``DIGEST_DATABASE_URL``), plus the OpenAI client's own
``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``. ``DIGEST_CONFIG_FILE`` names an optional
TOML file laid out like ``config/default.toml``. ``config/load.py`` loads them, refusing
unknown keys and variables; ``config/values.py`` holds the checks of single values.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.chat import DiscordSettings, SlackSettings
from config.sections import BudgetSettings, ChannelSettings, QASettings, QueueSettings, SiteSettings, _Section
from config.values import ARXIV_MIN_INTERVAL, HttpUrl, database_url, is_arxiv

# Defined in config/sections.py and config/chat.py.
__all__ = ["BudgetSettings", "ChannelSettings", "DiscordSettings", "QASettings", "SiteSettings", "SlackSettings"]

DEFAULT_FILE = Path(__file__).with_name("default.toml")
# The readers' languages: those digest/i18n.py has tables for, in its order (listed
# here, not imported, so that config/ depends on nothing of ours; a test keeps them equal).
LANGUAGES = ("ja", "en", "zh", "ko", "de", "fr", "es")


class ConfigError(Exception):
    """Settings that cannot work; the message names each key, its value and what is allowed."""


class LLMSettings(_Section):
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    base_url: HttpUrl | None = None
    concurrency: int = Field(4, ge=1, le=64)
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0, le=10)
    deadline: float = Field(180.0, gt=0, description="seconds one card or answer may take, retries and re-asks included")
    response_format: Literal["auto", "json_schema", "json_object", "prompt"] = "auto"

    @field_validator("base_url", mode="before")
    @classmethod
    def _unset_if_empty(cls, value: Any) -> Any:
        return value or None

    @property
    def configured(self) -> bool:
        """An LLM is in use when a key or a server URL is given (local servers need no key)."""
        return self.api_key is not None or bool(self.base_url)


class ArxivSettings(_Section):
    api_url: HttpUrl = "https://export.arxiv.org/api/query"
    page_size: int = Field(100, ge=1, le=2000)
    max_candidates: int = Field(300, ge=1, le=10000)
    retries: int = Field(4, ge=0, le=10)
    backoff: float = Field(3.0, ge=0, description="first retry wait in seconds, doubled each try")
    timeout: float = Field(30.0, gt=0)
    cache_hours: float = Field(24.0, ge=0)
    # Full texts for thread Q&A: <url><id>v<n> (DIGEST_ARXIV_HTML_URL, DIGEST_ARXIV_PDF_URL).
    html_url: HttpUrl = "https://arxiv.org/html/"
    pdf_url: HttpUrl = "https://arxiv.org/pdf/"
    # The harvest (digest/arxiv/harvest.py): the RSS/Atom listing's base, OAI-PMH, and how
    # many days back a catch-up reaches (DIGEST_ARXIV_LISTING_URL, DIGEST_ARXIV_OAI_URL).
    listing_url: HttpUrl = "https://rss.arxiv.org"
    oai_url: HttpUrl = "https://oaipmh.arxiv.org/oai"
    harvest_horizon_days: int = Field(
        30, ge=14, le=365,
        description="days of announcements a catch-up harvests; at least 14: a weekly digest's window (7 days and a 3-day overlap) must lie within it",
    )
    # After the URLs: its lower bound depends on whether they are arXiv's.
    min_interval: float = Field(ARXIV_MIN_INTERVAL, ge=0, description="seconds between requests, process-wide")

    @field_validator("min_interval")
    @classmethod
    def _arxiv_terms(cls, value: float, info: ValidationInfo) -> float:
        urls = [info.data.get(name, "") for name in ("api_url", "html_url", "pdf_url", "listing_url", "oai_url")]
        if value < ARXIV_MIN_INTERVAL and any(is_arxiv(url) for url in urls):
            raise ValueError(
                f"must be at least {ARXIV_MIN_INTERVAL:g} seconds while an arXiv URL points at arxiv.org "
                "(arXiv's terms of use, https://info.arxiv.org/help/api/tou.html); "
                "lower only for a mirror or a test server"
            )
        return value


class DatabaseSettings(_Section):
    url: str = "sqlite:///digest.db"

    @field_validator("url")
    @classmethod
    def _usable_url(cls, value: str) -> str:
        return database_url(value)


class DefaultsSettings(_Section):
    language: str = "ja"
    max_papers: int = Field(10, ge=1, le=100)
    bullets: int = Field(4, ge=1, le=10)
    # How much a channel's 👍/👎 shift its ranking (digest.text.feedback.WEIGHT; 0: never).
    feedback_weight: float = Field(1.0, ge=0, le=10)
    timezone: str = "Asia/Tokyo"
    output_dir: str = "out"
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"  # of new subscriptions
    time: str = Field("09:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # of new subscriptions

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Asia/Tokyo or UTC") from None
        return value


class SchedulerSettings(_Section):
    grace_hours: float = Field(24.0, ge=0, description="a schedule missed while down still fires this late")
    retry_minutes: float = Field(5.0, gt=0, description="first retry of a failed digest, doubled each time")
    max_attempts: int = Field(6, ge=1, le=50)
    lease_seconds: float = Field(15.0, gt=0, description="how often a follower tries to take the lead")
    heartbeat_seconds: float = Field(
        5.0, gt=0, description="a process's heartbeat; one silent for 3 beats has its digests finished by another"
    )


STANDARD_ENV = {
    "llm": (("api_key", "OPENAI_API_KEY"), ("base_url", "OPENAI_BASE_URL")),
    "slack": (
        ("bot_token", "SLACK_BOT_TOKEN"),
        ("app_token", "SLACK_APP_TOKEN"),
        ("signing_secret", "SLACK_SIGNING_SECRET"),
        ("http_port", "DIGEST_HTTP_PORT"),
        ("client_id", "SLACK_CLIENT_ID"),
        ("client_secret", "SLACK_CLIENT_SECRET"),
    ),
    "discord": (("token", "DISCORD_TOKEN"), ("shard_count", "DISCORD_SHARD_COUNT"), ("shard_ids", "DISCORD_SHARD_IDS")),
}


class _StandardEnv(PydanticBaseSettingsSource):
    """Reads the variables the SDKs' own docs name (OPENAI_API_KEY, SLACK_BOT_TOKEN, ...)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for section, pairs in STANDARD_ENV.items():
            values = {key: os.environ[var] for key, var in pairs if os.environ.get(var)}
            if values:
                found[section] = values
        return found


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DIGEST_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        # VAR= (a .env line uncommented as written) means unset, as docker compose and
        # python-dotenv users expect; _StandardEnv reads the other names the same way.
        env_ignore_empty=True,
        extra="forbid",
    )

    llm: LLMSettings = LLMSettings()
    arxiv: ArxivSettings = ArxivSettings()
    database: DatabaseSettings = DatabaseSettings()
    defaults: DefaultsSettings = DefaultsSettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    qa: QASettings = QASettings()
    channels: ChannelSettings = ChannelSettings()
    site: SiteSettings = SiteSettings()
    budget: BudgetSettings = BudgetSettings()
    queue: QueueSettings = QueueSettings()

    def conflict(self) -> str | None:
        """A problem between sections (each valid alone), or None: the queue needs PostgreSQL."""
        if self.queue.enabled and not self.database.url.startswith("postgresql"):
            return (
                "queue.enabled = true (DIGEST_QUEUE_ENABLED) needs PostgreSQL: the job queue lives in the "
                "database every process shares; set DIGEST_DATABASE_URL=postgresql+psycopg://... or turn the queue off"
            )
        return None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = [DEFAULT_FILE]
        if user_file := os.environ.get("DIGEST_CONFIG_FILE"):
            if Path(user_file).is_dir():
                raise FileNotFoundError(f"DIGEST_CONFIG_FILE={user_file} is a folder: name the TOML file in it")
            if not Path(user_file).is_file():
                raise FileNotFoundError(f"DIGEST_CONFIG_FILE={user_file}: no such file")
            files.append(Path(user_file))
        return (
            init_settings,
            env_settings,
            _StandardEnv(settings_cls),
            TomlConfigSettingsSource(settings_cls, toml_file=files, deep_merge=True),
        )
