"""The tables of thread Q&A's full texts (``digest/store/fulltext_store.py``), on the store's ``Base``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from digest.store.tables import ID_LEN, LANG_LEN, Base


class FullTextRow(Base):
    """What thread Q&A got as a paper version's full text (digest/arxiv/fulltext.py)."""

    __tablename__ = "fulltexts"

    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(LANG_LEN))  # "html" | "pdf" | "abstract"
    reason: Mapped[str] = mapped_column(Text)
    passage_count: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column()


class PassageRow(Base):
    """One passage of a stored full text, with its index terms (stemmed words)."""

    __tablename__ = "passages"

    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    terms: Mapped[list[Any]] = mapped_column()
