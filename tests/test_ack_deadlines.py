"""Platform deadlines never wait on the database; ``bot.ack`` acknowledges in time.

Another process holds the SQLite database's write lock (``BEGIN IMMEDIATE``, open for
``HOLD`` seconds), as a long migration, a backup or a stuck writer would. Meanwhile
Slack sends a signed ``/arxiv subscribe`` and a question in a card's thread over real
HTTP, and Discord delivers ``/arxiv subscribe`` and ``/arxiv ask`` over the gateway:
each must be acknowledged within the platform's 3 seconds, and the work must be done
(and the reply delivered) once the lock is released.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time as clock_time
from pathlib import Path

import aiohttp

from bot.ack import answer_command, within
from bot.discord.port import ASK_CUSTOM_ID
from bot.handlers import Reply
from bot.slack.app import SlackService
from tests.discord_fixtures import world as discord_world
from tests.engine_fixtures import WEEK
from tests.fakes.slack_requests import app_mention, event_callback, slash_command
from tests.slack_fixtures import CHANNEL, SECRET
from tests.slack_fixtures import world as slack_world

HOLD = 10.0  # seconds the other process keeps the write lock
DEADLINE = 3.0  # seconds Slack and Discord wait for an acknowledgement

_LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@contextmanager
def write_lock_held(db: Path, seconds: float = HOLD) -> Iterator[subprocess.Popen[str]]:
    """Another process holds ``db``'s write lock for ``seconds`` from when this enters."""
    locker = subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        yield locker
    finally:
        locker.wait(timeout=seconds + 10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def timed_post(port: int, request) -> tuple[float, int, str]:
    """Seconds until Slack would have its answer, the HTTP status and the body."""
    async with aiohttp.ClientSession() as session:
        started = time.monotonic()
        url = f"http://127.0.0.1:{port}/slack/events"
        async with session.post(url, data=request.body.encode(), headers=request.headers) as response:
            body = await response.text()
            return time.monotonic() - started, response.status, body


async def test_slack_acks_in_time_while_another_process_holds_the_write_lock(tmp_path):
    port = free_port()
    with slack_world(tmp_path, http_port=port) as w:
        service = SlackService(w.settings, w.app)
        await service.start()
        try:
            sub = w.store.add_subscription(
                CHANNEL, "diffusion", weekday=0, at=clock_time(9), tz="UTC", language="en", max_papers=2,
                created_by="U1",
            )
            assert (await w.deliverer.run(sub, WEEK, "k1")).state == "done"
            card = w.store.deliveries("k1")[1].message_id
            command = slash_command(SECRET, "subscribe synthetic data", response_url=w.slack.response_url("cmd"))
            question = event_callback(SECRET, app_mention("which corpus?", thread_ts=card), event_id="EvLocked")
            with write_lock_held(tmp_path / "slack.db") as locker:
                locked_at = time.monotonic()
                (command_ack, status, body), (event_ack, event_status, _) = await asyncio.gather(
                    timed_post(port, command), timed_post(port, question)
                )
                print(f"\nSlack acks with the write lock held: /arxiv subscribe {command_ack:.2f} s, "
                      f"thread question {event_ack:.2f} s")
                assert status == 200 and event_status == 200
                assert command_ack < DEADLINE and event_ack < DEADLINE
                assert body == ""  # nothing to ride on the ack: the reply goes to the response_url
                assert locker.poll() is None and len(w.store.list_subscriptions()) == 1  # still locked, not made yet
            [reply] = await w.slack.until(lambda: w.slack.responses("cmd"), timeout=HOLD + 10)
            assert time.monotonic() - locked_at >= HOLD - 1  # made once the lock went
            assert reply["text"].startswith("Subscribed this channel to *synthetic data*")
            assert reply["response_type"] == "in_channel"
            assert [s.topic for s in w.store.list_subscriptions()] == ["diffusion", "synthetic data"]

            def answers():
                return [m for m in w.slack.messages("C0CHAN") if m.get("thread_ts") == card and m["ts"] != card]

            [answer] = await w.slack.until(answers, timeout=10)
            assert "Pile" in json.dumps(answer["text"])
            assert w.store.claim_event("slack", "EvLocked") is False  # claimed once, after the lock
        finally:
            await service.stop()


async def test_discord_interactions_are_deferred_in_time_while_another_process_holds_the_write_lock(tmp_path):
    async with discord_world(tmp_path) as w:
        run = await w.deliverer.run(w.subscribe(max_papers=2), WEEK, "k1")
        assert run.state == "done"
        card = w.discord.messages()[1]
        iid = w.discord.click(card, ASK_CUSTOM_ID)  # opens the card's thread, where /arxiv ask is used
        await w.discord.until(lambda: w.discord.interaction(iid)["followups"])
        await w.discord.until(lambda: w.service.client.get_channel(int(card["id"])))
        with write_lock_held(tmp_path / "discord.db") as locker:
            sent = time.monotonic()
            subscribe = w.discord.slash("subscribe", topic="LLM agents")
            ask = w.discord.slash("ask", question="which corpus do they train on?", channel_id=card["id"])

            def callbacks():
                calls = {c.path.split("/")[2]: c for c in w.discord.calls_to("callback")}
                return calls if subscribe in calls and ask in calls else None

            calls = await w.discord.until(callbacks, timeout=DEADLINE + 2)
            subscribe_ack, ask_ack = calls[subscribe].time - sent, calls[ask].time - sent
            print(f"\nDiscord callbacks with the write lock held: /arxiv subscribe {subscribe_ack:.2f} s, "
                  f"/arxiv ask {ask_ack:.2f} s")
            assert subscribe_ack < DEADLINE and ask_ack < DEADLINE
            assert calls[subscribe].body["type"] == 5 and calls[ask].body["type"] == 5  # deferred: "thinking…"
            assert locker.poll() is None and len(w.store.list_subscriptions()) == 1
        done = await w.discord.answered(subscribe, timeout=HOLD + 10)
        assert "Subscribed this channel to *LLM agents*" in done["original"]["content"]
        answered = await w.discord.answered(ask, timeout=10)
        assert answered["followups"][0]["content"].startswith("> which corpus do they train on?\n")
        assert len(w.store.list_subscriptions()) == 2



class Recorded:
    """A platform's side of ``bot.ack``: what it was asked to show, with the time asked."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.calls: list[tuple] = []

    def _note(self, *call: object) -> None:
        self.calls.append((*call, time.monotonic() - self.started))

    def shown(self) -> list[tuple]:
        return [call[:-1] for call in self.calls]

    async def defer(self) -> None:
        self._note("defer")

    async def reply(self, text: str, *, ephemeral: bool, deferred: bool) -> None:
        self._note("reply", text, ephemeral, deferred)

    async def start(self, text: str, *, deferred: bool) -> None:
        self._note("start", text, deferred)

    async def progress(self, text: str) -> None:
        self._note("progress", text)

    async def finish(self, text: str) -> None:
        self._note("finish", text)


async def reply_after(seconds: float, reply: Reply) -> Reply:
    await asyncio.sleep(seconds)
    return reply


async def test_a_reply_ready_within_the_budget_rides_on_the_acknowledgement():
    shown = Recorded()
    await answer_command(reply_after(0, Reply("listed", ephemeral=False)), shown, budget=0.5, failed="x", what="t")
    assert shown.shown() == [("reply", "listed", False, False)]


async def test_a_late_reply_is_deferred_at_the_budget_and_shown_when_ready():
    shown = Recorded()
    await answer_command(reply_after(1.0, Reply("subscribed")), shown, budget=0.2, failed="x", what="t")
    assert shown.shown() == [("defer",), ("reply", "subscribed", True, True)]
    deferred_at, replied_at = (call[-1] for call in shown.calls)
    assert 0.2 <= deferred_at < 1.0 <= replied_at  # deferred while the reply was still being made


async def test_work_after_the_ack_updates_one_progress_message_and_ends_with_its_result():
    async def work(update):
        await update("1 of 2")
        await update("2 of 2")
        return "done"

    async def fails(update):
        raise RuntimeError("arXiv fell over")

    shown = Recorded()
    await answer_command(reply_after(0, Reply("working", work=work)), shown, budget=0.5, failed="x", what="t")
    assert shown.shown() == [
        ("start", "working", False), ("progress", "1 of 2"), ("progress", "2 of 2"), ("finish", "done")
    ]
    late = Recorded()
    await answer_command(reply_after(0.3, Reply("working", work=fails)), late, budget=0.1, failed="sorry", what="t")
    assert late.shown() == [("defer",), ("start", "working", True), ("finish", "sorry")]


async def test_within_defers_only_a_late_result():
    deferred: list[float] = []

    async def defer() -> None:
        deferred.append(time.monotonic())

    assert await within(reply_after(0, Reply("a")), 0.2, defer) == (Reply("a"), False) and not deferred
    assert await within(reply_after(0.3, Reply("b")), 0.1, defer) == (Reply("b"), True) and len(deferred) == 1
