"""The table of related papers' stored vectors (``digest/store/related_store.py``), on the store's ``Base``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from digest.store.tables import ID_LEN, MODEL_LEN, Base


class PaperVectorRow(Base):
    """A paper's text embedding by one model, computed once (digest/related/vectors.py).

    One row per paper and model, whichever version was embedded first: a new version
    rarely changes what a paper is about, and a vector is never recomputed.
    """

    __tablename__ = "paper_vectors"

    arxiv_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    model: Mapped[str] = mapped_column(String(MODEL_LEN), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian float32, L2-normalised
    created_at: Mapped[datetime] = mapped_column()
