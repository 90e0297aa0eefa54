"""`kill -9` at 20 points of a digest, then a restart: every card posted exactly once, in order.

The bot is a separate process running ``run_bot`` (as `digest-bot run` does) with its
Slack port pointed at the fake Web API here; the only thing the test controls in it is
a fixed clock, past the subscription's due instant. The fake decides where the kill
lands, without any hook in the bot: it holds the k-th ``chat.postMessage`` either
before storing it (the bot dies with the message unsent) or after storing it with the
answer never sent (the bot dies not knowing it was posted), and the test SIGKILLs the
bot while it waits. A second bot process then finishes the digest. Processes are
forked from a server that has the bot imported already, so each starts in milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from bot.runner import run_bot
from digest.delivery.keys import run_key
from config.settings import Settings
from digest.models import ChannelRef
from digest.store import open_store
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import deliver, slash_command
from tests.scheduler_fixtures import first_due, papers, subscribe

CARDS = 10  # a header and ten cards: eleven posts
DUE = first_due()
KILL_POINTS = [(kind, k) for k in range(1, CARDS + 1) for kind in ("before_stored", "after_stored")]
FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload([__name__])  # the forkserver imports the bot once


def bot_process(database_url: str, arxiv_url: str, slack_url: str, token: str, port: int, offset: float = 30) -> None:
    """The child: `digest-bot run` with settings pointing at the fakes, its clock ``offset``
    seconds past the due time (before it, when negative: nothing scheduled is owed)."""
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(
        database={"url": database_url},
        # The listing and OAI-PMH answer 404 here: the harvest fails at once and the
        # per-topic search serves every digest, from the API fake's papers.
        arxiv={"api_url": arxiv_url, "listing_url": f"{arxiv_url}/listing", "oai_url": f"{arxiv_url}/oai",
               "html_url": f"{arxiv_url}/html/", "pdf_url": f"{arxiv_url}/pdf/", "min_interval": 0},
        slack={"bot_token": token, "api_url": slack_url, "signing_secret": "s", "http_port": port,
               "messages_per_second": 500, "workspace_messages_per_minute": 30000},
        scheduler={"lease_seconds": 0.2},
    )  # fmt: skip
    asyncio.run(run_bot(settings, clock=lambda: DUE + timedelta(seconds=offset)))


class HoldingSlack(FakeSlackAPI):
    """The fake Web API, except that the ``hold_before``-th post is held before it is
    stored, until the fake closes, and then dropped without an answer."""

    def __init__(self, hold_before: int | None) -> None:
        super().__init__()
        self.hold_before, self.posts, self.holding = hold_before, 0, threading.Event()

    def serve(self, request) -> None:
        if urlsplit(request.path).path == "/api/chat.postMessage":
            with self.lock:
                self.posts += 1
                hold = self.posts == self.hold_before
            if hold:
                self.holding.set()
                self._closing.wait(60)
                request.close_connection = True
                return
        super().serve(request)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def arxiv():
    with ArxivFeedServer(papers(DUE - timedelta(days=6), 7, per_day=2)) as server:
        yield server


@pytest.mark.parametrize(("kind", "k"), KILL_POINTS, ids=[f"{kind}-post{k}" for kind, k in KILL_POINTS])
def test_a_bot_killed_mid_digest_resumes_to_exactly_once_in_order(arxiv, tmp_path, kind, k):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    store = open_store(url)
    sub = subscribe(store, ChannelRef("slack", "T0TEAM", "C1"), max_papers=CARDS)
    key = run_key(sub.id, DUE)

    def start(slack: FakeSlackAPI) -> multiprocessing.process.BaseProcess:
        proc = FORKS.Process(target=bot_process, args=(url, arxiv.url, slack.base_url, slack.token, free_port()))
        proc.start()
        return proc

    with HoldingSlack(k if kind == "before_stored" else None) as slack:
        if kind == "after_stored":
            slack.script([("ok",)] * (k - 1) + [("drop_reply", 60)])
        first = start(slack)
        try:
            if kind == "before_stored":
                wait_for(slack.holding.is_set, 30, f"post {k} to arrive")
            else:
                wait_for(lambda: len(slack.calls_to("chat.postMessage")) >= k, 30, f"post {k} to be stored")
        finally:
            first.kill()  # SIGKILL
            first.join(10)
        assert len(slack.messages("C1")) == (k - 1 if kind == "before_stored" else k)
        rows = store.deliveries(key)
        assert [r.state for r in rows[: k - 1]] == ["sent"] * (k - 1) and rows[k - 1].state == "sending"

        second = start(slack)
        try:
            wait_for(lambda: (run := store.get_run(key)) is not None and run.state == "done", 30, "the resumed run")
        finally:
            second.terminate()  # SIGTERM: a clean stop
            second.join(30)
        assert second.exitcode == 0
        posted = [m["metadata"]["event_payload"]["key"] for m in slack.messages("C1")]
    expected = [f"{key}#{n}" for n in range(CARDS + 1)]
    duplicates = len(posted) - len(set(posted))
    gaps = len(set(expected) - set(posted))
    assert (duplicates, gaps) == (0, 0)
    assert posted == expected  # in order
    assert [r.message_id for r in store.deliveries(key)] == [m["ts"] for m in slack.messages("C1")]
    store.close()


def test_an_arxiv_now_digest_killed_mid_way_is_finished_within_seconds_of_a_restart(arxiv, tmp_path):
    """A real `digest-bot run` gets `/arxiv now` over HTTP and is SIGKILLed at its 4th post;
    the restarted process sees the owner's pid is gone and finishes the digest at once."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    store = open_store(url)
    subscribe(store, ChannelRef("slack", "T0TEAM", "C1"), max_papers=CARDS)
    port = free_port()

    def start(slack: FakeSlackAPI) -> multiprocessing.process.BaseProcess:
        # A day before the weekly due instant: only the /arxiv now digest is posted.
        proc = FORKS.Process(target=bot_process, args=(url, arxiv.url, slack.base_url, slack.token, port, -86400))
        proc.start()
        return proc

    with HoldingSlack(4) as slack:
        first = start(slack)
        try:
            command = slash_command("s", "now", channel_id="C1", response_url=slack.response_url("now"))
            wait_for(lambda: deliver(port, command) == 200, 30, "the bot to take the command")
            wait_for(slack.holding.is_set, 30, "post 4 to arrive")
        finally:
            first.kill()  # SIGKILL, three posts in
            first.join(10)
        [run] = store.runs(states=("delivering",))
        assert len(slack.messages("C1")) == 3 and run.owner is not None
        restarted = time.monotonic()
        second = start(slack)
        try:
            wait_for(lambda: store.get_run(run.key).state == "done", 30, "the digest to be finished")
            took = time.monotonic() - restarted
        finally:
            second.terminate()
            second.join(30)
        posted = [m["metadata"]["event_payload"]["key"] for m in slack.messages("C1")]
    expected = [f"{run.key}#{n}" for n in range(len(store.deliveries(run.key)))]
    assert posted == expected and len(expected) > 4  # the rest, once each, in order
    assert took < 30, f"finished {took:.1f} s after the restart"
    store.close()
