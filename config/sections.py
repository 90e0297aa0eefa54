"""Settings sections of the bot's own features, beside the services' in ``config/settings.py``:
thread Q&A, a channel's limits, the site, LLM budgets, the job queue. ``_Section`` is every section's base.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import NoDecode

from config.values import HttpUrl


class _Section(BaseModel):
    """A section of the settings: an unknown key is a typo to report, not to ignore."""

    model_config = ConfigDict(extra="forbid")


class QASettings(_Section):
    """Thread Q&A (digest/qa/service.py): what one answer may cost, and how often one may ask."""

    passages: int = Field(5, ge=1, le=20, description="passages of the paper given to the LLM per answer")
    max_context_tokens: int = Field(2500, ge=200, le=32000, description="cap on the paper text per answer")
    max_answer_chars: int = Field(1500, ge=200, le=3000)
    per_user_per_hour: int = Field(20, ge=1, le=10000)
    per_thread_per_hour: int = Field(40, ge=1, le=10000)


class ChannelSettings(_Section):
    """What one channel may do (bot/handlers.py): limits a member cannot lift alone."""

    max_subscriptions: int = Field(20, ge=1, le=1000, description="subscriptions one channel may hold")
    now_every_minutes: float = Field(
        10.0, ge=0, description="a channel's /arxiv now runs at most once per this many minutes; 0: no limit"
    )


class SiteSettings(_Section):
    """The static site (``digest-bot site build``) as the public sees it."""

    url: HttpUrl | None = Field(None, description="the site's public base URL: cards and /arxiv related link paper pages there")

    @field_validator("url", mode="before")
    @classmethod
    def _unset_if_empty(cls, value: Any) -> Any:
        return value or None


class BudgetSettings(_Section):
    """Monthly LLM budgets and prices (digest/delivery/budget.py; README "Budgets")."""

    monthly_tokens: int = Field(0, ge=0, description="tokens a subscription may use a month; 0: unlimited")
    # Per workspace (Slack team id, Discord guild id): overrides monthly_tokens there.
    workspaces: Annotated[dict[str, Annotated[int, Field(ge=0)]], NoDecode] = {}
    near: float = Field(0.9, gt=0, le=1, description="fraction of the budget at which cards turn extractive")
    # USD per 1,000 tokens; defaults: gpt-4o-mini's list price, https://openai.com/api/pricing/
    price_prompt_per_1k: float = Field(0.00015, ge=0)
    price_completion_per_1k: float = Field(0.0006, ge=0)

    @field_validator("workspaces", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ValueError('must be a JSON object of workspace ids to tokens, e.g. {"T012AB3CD": 500000}') from None
        return value


class QueueSettings(_Section):
    """The job queue (bot/jobs.py, procrastinate on PostgreSQL): digest work shared by every
    process. Off: everything runs in the leader's process, as on SQLite."""

    enabled: bool = Field(False, description="plan and deliver digests as jobs any process takes; needs PostgreSQL")
    concurrency: int = Field(8, ge=1, le=1000, description="jobs one process runs at once")
