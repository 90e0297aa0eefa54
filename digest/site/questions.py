"""The ``questions`` hook of ``build_site``: the published thread Q&A, read once per build.

Only the answers of channels that publish when the site is built (``/arxiv publish on``,
``Store.published_answers``); a channel switched off loses them from every page at the
next build. Nothing says who asked, nor in which channel.
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.site.pages import PublishedAnswer, Questions
from digest.store import Store


def published_questions(store: Store) -> Questions:
    """arXiv id (no version) -> its published questions and answers, oldest first (all versions')."""
    by_paper: dict[str, list[PublishedAnswer]] = {}
    for kept in store.published_answers():
        by_paper.setdefault(kept.arxiv_id, []).append(PublishedAnswer(kept.question, kept.answer, kept.citations))

    def questions(arxiv_id: str) -> Sequence[PublishedAnswer]:
        return tuple(by_paper.get(arxiv_id, ()))

    return questions
