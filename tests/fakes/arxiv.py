"""The loopback arXiv API for tests, plus a builder of Atom entries from paper metadata."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from bot.demo.arxiv_feed import (
    ARXIV,
    ATOM,
    ArxivFeedServer,
    Request,
    build_feed,
    error_feed,
    load_entries,
)

__all__ = [
    "WEEK",
    "ArxivFeedServer",
    "Request",
    "atom_entries",
    "atom_entry",
    "build_feed",
    "error_feed",
    "load_entries",
]

# Eight real papers of 19-25 April 2024 (ids, titles, authors, categories, times and
# comments as arXiv lists them; abstracts are short paraphrases).
WEEK = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv" / "week.xml"


def atom_entry(
    *,
    id: str,  # noqa: A002 (the Atom element's name)
    title: str,
    authors: Sequence[str],
    abstract: str,
    categories: Sequence[str],
    published: str,
    version: int = 1,
    updated: str | None = None,
    comment: str | None = None,
) -> bytes:
    """One ``<entry>`` laid out as arXiv's API lays it out; the first category is primary."""
    A = f"{{{ATOM}}}"
    X = f"{{{ARXIV}}}"
    entry = etree.Element(f"{A}entry", nsmap={None: ATOM, "arxiv": ARXIV})  # type: ignore[dict-item]

    def sub(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(entry, tag, **attrs)
        element.text = text
        return element

    sub(f"{A}id", f"http://arxiv.org/abs/{id}v{version}")
    sub(f"{A}title", title)
    sub(f"{A}updated", updated or published)
    sub(f"{A}link", href=f"https://arxiv.org/abs/{id}v{version}", rel="alternate", type="text/html")
    sub(f"{A}link", href=f"https://arxiv.org/pdf/{id}v{version}", rel="related", type="application/pdf", title="pdf")
    sub(f"{A}summary", abstract)
    for term in categories:
        sub(f"{A}category", term=term, scheme="http://arxiv.org/schemas/atom")
    sub(f"{A}published", published)
    if comment is not None:
        sub(f"{X}comment", comment)
    sub(f"{X}primary_category", term=categories[0])
    for name in authors:
        author = sub(f"{A}author")
        etree.SubElement(author, f"{A}name").text = name
    return etree.tostring(entry)


def atom_entries(papers: Iterable[Mapping[str, Any]]) -> list[bytes]:
    return [atom_entry(**paper) for paper in papers]


def synthetic_week(n: int, *, titles: Mapping[int, str] | None = None) -> list[bytes]:
    """``n`` made-up papers of 19-25 April 2024 about synthetic data, ids 2404.20001 on."""
    return atom_entries(
        {
            "id": f"2404.{20001 + i}",
            "title": (titles or {}).get(i, f"Synthetic data for task {i}: a study"),
            "authors": ["A. Author", "B. Author"],
            "abstract": f"We propose method {i} that generates synthetic data for task {i}. "
            f"It improves accuracy by {i + 1} points on three benchmarks. "
            "We train on the public Pile corpus. Code is released.",
            "categories": ["cs.CL"],
            "published": f"2024-04-{19 + i % 7:02d}T12:00:00Z",
        }
        for i in range(n)
    )
