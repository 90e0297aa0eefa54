"""Keeping an answered thread question for the site (``Store.keep_answer``), without who asked.

``bot/threads.py ask`` calls ``keep`` once the answer is there, for both platforms. What
is kept: the paper (id and version), the channel (so that only channels that publish
show theirs, ``/arxiv publish``), the question and the answer as the thread reads them,
the section citations, and when. Never the asker: the user id is not passed here, and
the mentions a text may hold (``<@U0123ABCD>``, ``<@!1234…>``, Slack's unwrapped
``@U0123ABCD``) are replaced by "@…", so no user id reaches the page. A name typed as
plain words is the reader's own text and stays.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Protocol

from digest.models import ChannelRef, Paper
from digest.qa.question import Answer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2_000  # a question longer than this was cut before it was answered anyway
# Slack <@U…|name>, <!here>, <#C…|name>; Discord <@123…>, <@!123…>, <@&123…>, <#123…>.
_MARKUP = re.compile(r"<[@!#][^<>\s]{0,80}>")
# A mention unwrapped to "@U0123ABCD" (Slack user ids start with U or W) or a bare Discord snowflake.
_BARE = re.compile(r"@(?:[UW][A-Z0-9]{6,}|\d{15,21})\b")


class AnswerStore(Protocol):
    def keep_answer(
        self, channel: ChannelRef, arxiv_id: str, version: int, question: str, answer: str,
        citations: tuple[str, ...], at: datetime,
    ) -> None: ...


def anonymous(text: str) -> str:
    """``text`` with every user, role or channel mention replaced by "@…" / "#…"."""
    text = _MARKUP.sub(lambda m: "#…" if m.group(0).startswith("<#") else "@…", text)
    return _BARE.sub("@…", text)


def kept_text(answer: Answer) -> str:
    """The answer as its thread reads it: the text, the quotes under their sections, the notes."""
    lines = [answer.text, *(f"[{q.section}] {q.text}" for q in answer.quotes), *answer.notes]
    return "\n".join(line for line in lines if line.strip())


def worth_keeping(answer: Answer) -> bool:
    """An answer about the paper: not a rate-limit notice, nor the reply to an empty question."""
    return answer.source != "limited" and (answer.source != "passages" or bool(answer.quotes))


def keep(store: AnswerStore, channel: ChannelRef, paper: Paper, question: str, answer: Answer) -> bool:
    """Keep ``question`` and ``answer`` about ``paper`` asked in ``channel`` (blocking: run it off
    the event loop); True when kept. A store failure is logged, never raised: the reader's
    answer goes out whether or not the site can show it later."""
    if not worth_keeping(answer):
        return False
    asked = anonymous(" ".join(question.split())[:MAX_QUESTION_CHARS])
    try:
        store.keep_answer(channel, paper.arxiv_id, paper.version, asked, anonymous(kept_text(answer)),
                          answer.citations, datetime.now(timezone.utc))  # fmt: skip
    except Exception:  # the store's own errors, whatever the backend: logged with their cause
        log.warning("the answer about %s was posted but not kept for the site", paper.versioned_id, exc_info=True)
        return False
    return True
