"""A digest's "week at a glance" (``digest/cards/overview.py``), stored with its run.

A mixin of ``Store``. Written with the header's ``sending`` mark, in its transaction
(``LedgerMixin.mark_many``): a header marked ``sending`` has its overview stored, so a
run resumed after a crash, or taken over by another process, reads it back and posts the
same sentences without asking the LLM again; a header still ``pending`` has none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from digest.models import Overview
from digest.store.tables import RUN_KEY_LEN, Base


class RunOverviewRow(Base):
    """The overview a run's header shows: its sentences, and who wrote them."""

    __tablename__ = "run_overviews"

    run_key: Mapped[str] = mapped_column(String(RUN_KEY_LEN), primary_key=True)
    sentences: Mapped[list[Any]] = mapped_column(JSON)  # the first stands alone (a notification)
    source: Mapped[str] = mapped_column(Text)  # "llm:<model>" | "themes" | "themes:llm-failed"
    created_at: Mapped[datetime] = mapped_column()


class OverviewStoreMixin:
    _reading: Any
    _writing: Any
    _dialect: str

    def overview_of(self, run_key: str) -> Overview | None:
        """The overview stored with run ``run_key``, if one was written."""
        with self._reading() as session:
            row = session.get(RunOverviewRow, run_key)
            return None if row is None else Overview(tuple(row.sentences), row.source)
