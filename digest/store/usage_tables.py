"""The tables of LLM token accounting (``digest/store/usage_store.py``), on the store's ``Base``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from digest.store.tables import ID_LEN, LANG_LEN, Base

MONTH_LEN = 7  # "YYYY-MM"


class UsageRow(Base):
    """An account's LLM tokens in one month (UTC): a subscription of a channel, or the
    channel itself (``subscription_id`` 0). Incremented in place by each completion."""

    __tablename__ = "llm_usage"

    month: Mapped[str] = mapped_column(String(MONTH_LEN), primary_key=True)
    platform: Mapped[str] = mapped_column(String(LANG_LEN), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    subscription_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prompt_tokens: Mapped[int] = mapped_column(BigInteger)
    completion_tokens: Mapped[int] = mapped_column(BigInteger)
    calls: Mapped[int] = mapped_column(Integer)  # completions (HTTP requests answered)
    updated_at: Mapped[datetime] = mapped_column()


class BudgetNoticeRow(Base):
    """A subscription's channel was told, this month, that its budget is reached: once."""

    __tablename__ = "budget_notices"

    subscription_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(MONTH_LEN), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column()
