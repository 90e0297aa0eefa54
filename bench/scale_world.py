"""The world ``bench/scale.py`` runs in: topical arXiv, the Slack fake's tally, the two stores.

Each fake is served from a child process (``bench/apart.py``) and hands back, at the
end, only the figures asked of it: for Slack, per channel how many messages arrived and
when (``time.monotonic()``, one clock for every process on Linux), and which papers the
cards named.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bot.demo.arxiv_feed import _WINDOW as WINDOW
from tests.fakes.arxiv import ATOM, ArxivFeedServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.pg_schema import PG_DSN, fresh_schema

_ABS = re.compile(r"arxiv\.org/abs/(\d{4}\.\d{4,5})")


class TopicalArxiv(ArxivFeedServer):
    """The arXiv fake, answering each topic with its own papers (titles carry ``topicNNN``).

    Indexed by topic, so that the fake answers in about the time arXiv's own servers
    take per request, however many topics it holds (its time is not the bot's).
    """

    def __init__(self, entries) -> None:
        super().__init__(entries)
        self._by_topic: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self._entries):
            if tag := re.search(r"topic\d+", entry.findtext(f"{{{ATOM}}}title") or ""):
                self._by_topic[tag.group(0)].append(i)

    def _matching(self, query):
        tag, window = re.search(r"topic\d+", query), WINDOW.search(query)
        chosen = self._by_topic.get(tag.group(0), []) if tag else []
        if window is None:
            return [self._entries[i] for i in chosen]
        first, last = window.group(1).ljust(14, "0"), window.group(2).ljust(14, "9")
        return [self._entries[i] for i in chosen if first <= self._published[i] <= last]


@dataclass(frozen=True)
class SlackTally:
    """What the Slack fake received: messages per channel, post times, papers carded."""

    per_channel: dict[str, int]
    first_post: float  # time.monotonic() of the first chat.postMessage
    last_post: float
    slowest_start: float  # the latest of the channels' first posts
    papers: int  # distinct arXiv ids named by cards


def slack_tally(slack: FakeSlackAPI) -> SlackTally:
    """``slack``'s figures, computed in its own process (the parent gets only these)."""
    posts = slack.calls_to("chat.postMessage")
    per_channel: dict[str, int] = defaultdict(int)
    starts: dict[str, float] = {}
    papers: set[str] = set()
    for call in posts:
        channel = call.params["channel"]
        per_channel[channel] += 1
        starts.setdefault(channel, call.time)
        papers.update(_ABS.findall(json.dumps(call.params.get("blocks") or [])))
    times = [call.time for call in posts] or [0.0]
    return SlackTally(dict(per_channel), min(times), max(times), max(starts.values(), default=0.0), len(papers))


@contextmanager
def store_url(kind: str) -> Iterator[str]:
    """A fresh store's URL: a SQLite file in a temporary folder, or a PostgreSQL schema
    of its own on 127.0.0.1:5432 (user postgres, database ``test``), dropped after, as
    the suite's ``store_url`` fixture does. Raises psycopg's OperationalError when the
    server cannot be reached."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/scale.db"
        return
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as admin, fresh_schema(admin, "bench") as url:
        yield url
