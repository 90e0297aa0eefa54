"""/arxiv paper: one card delivered through the ledger like a digest's, at most once per
channel, answerable in its thread on Slack and Discord, with no topic and no relevance;
and the handlers' store calls off the event loop (a stalled database never blocks it)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from bot.command_text import REPLIES
from bot.discord.embeds import card_embed
from bot.discord.port import ASK_CUSTOM_ID
from bot.handlers import CommandHandlers, Invocation
from digest.delivery.keys import paper_key
from bot.slack.blocks import card_blocks
from config.settings import DefaultsSettings
from digest.delivery.deliverer import Deliverer
from digest.i18n import label
from digest.models import HEADER, NO_SUBSCRIPTION, PAPER_TOPIC, Card, CardText, Paper
from digest.cards.render import card_markdown
from digest.store import open_store
from tests.engine_fixtures import Clock, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.recording_chat import RecordingChat
from tests.fakes.slack_requests import app_mention, event_callback, slash_command
from tests import discord_fixtures, slack_fixtures

NOW = datetime(2024, 4, 25, 3, 0, tzinfo=timezone.utc)  # Thursday, 12:00 in Tokyo
PAPER = "2404.14361"
WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d JST"  # the channel's zone: Asia/Tokyo, the defaults'


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


def handlers_on(store, arxiv, chat):
    engine = make_engine(arxiv.url, store, clock=Clock(NOW))
    return CommandHandlers(
        store, Deliverer(engine, store, {"recording": chat}), {"recording": chat},
        DefaultsSettings(language="en", timezone="Asia/Tokyo"), clock=Clock(NOW),
    )


def inv(text, channel="C1"):
    return Invocation("recording", "T1", channel, "U1", text)


async def paper(handlers, arxiv_id=PAPER, channel="C1"):
    """What the caller is told once the work after the ack is done ("" when the card is all)."""
    reply = await handlers.handle(inv(f"paper {arxiv_id}", channel))
    assert reply.text.startswith("Fetching arXiv ") and reply.work is not None
    return await reply.work(_ignore)


async def _ignore(text):
    pass


# -- the card is recorded, claimed and delivered once -----------------------------------------


async def test_a_paper_card_is_a_recorded_run_with_one_card_and_no_header(store, arxiv):
    chat = RecordingChat()
    handlers = handlers_on(store, arxiv, chat)
    assert await paper(handlers) == ""
    [posted] = chat.posted(inv("").channel)
    key = paper_key(inv("").channel, PAPER)
    assert (posted.kind, posted.text, posted.key) == ("card", PAPER, f"{key}#1")  # no header message
    run = store.get_run(key)
    assert (run.subscription_id, run.topic, run.state, run.candidates) == (NO_SUBSCRIPTION, PAPER_TOPIC, "done", 1)
    [card] = store.deliveries(key)  # no header row: nothing could ever post one
    assert card.position == 1 and (card.arxiv_id, card.state, card.message_id) == (PAPER, "sent", posted.message_id)
    assert card.text is not None and card.text.language == "en"
    # The thread's parent is found as any card's, and the paper is the channel's now.
    assert store.delivery_of_message(inv("").channel, posted.message_id) == card
    assert store.papers_held(inv("").channel, [PAPER]) == {PAPER}
    assert store.papers_held(inv("", "C2").channel, [PAPER]) == set()


async def test_asked_again_the_caller_is_told_when_it_was_posted_and_nothing_is_posted(store, arxiv):
    chat = RecordingChat()
    handlers = handlers_on(store, arxiv, chat)
    assert await paper(handlers) == ""
    requests = len(arxiv.requests)
    again = await paper(handlers, f"https://arxiv.org/abs/{PAPER}v1")
    assert re.fullmatch(
        rf"arXiv {PAPER} is already in this channel: posted {WHEN} by /arxiv paper\. "
        r"Ask about it in that card's thread\.", again,
    ), again
    assert len(chat.posted(inv("").channel)) == 1 and len(arxiv.requests) == requests  # arXiv not even asked
    # Another channel is another matter: it gets its own card.
    assert await paper(handlers, channel="C2") == ""
    assert [p.text for p in chat.posted(inv("", "C2").channel)] == [PAPER]


async def test_the_same_paper_asked_twice_at_once_is_posted_once(store, arxiv):
    chat = RecordingChat()
    handlers = handlers_on(store, arxiv, chat)
    results = await asyncio.gather(paper(handlers), paper(handlers))
    # The second is told the card is there (or on its way, had it asked mid-post).
    assert sorted(results)[0] == "" and sorted(results)[1].startswith(f"arXiv {PAPER} is already")
    assert len(chat.posted(inv("").channel)) == 1


async def test_two_processes_asked_at_once_post_one_card(store_url, arxiv):
    chat = RecordingChat()
    first, second = open_store(store_url), open_store(store_url)  # each process its own store
    try:
        results = await asyncio.gather(paper(handlers_on(first, arxiv, chat)), paper(handlers_on(second, arxiv, chat)))
        assert len(chat.posted(inv("").channel)) == 1
        told = [r for r in results if r]
        assert len(told) == 1 and told[0].startswith(f"arXiv {PAPER} is already")
        assert [r.arxiv_id for r in first.deliveries(paper_key(inv("").channel, PAPER)) if r.position != HEADER] == [PAPER]
    finally:
        first.close()
        second.close()


async def test_a_paper_a_digest_posted_is_not_posted_again_and_the_digest_is_named(store, arxiv):
    chat = RecordingChat()
    handlers = handlers_on(store, arxiv, chat)
    assert await paper(handlers) == ""  # the digest's top paper, posted on its own first
    await handlers.handle(inv("subscribe synthetic data max=3"))
    reply = await handlers.handle(inv("now"))
    assert (await reply.work(_ignore)).startswith("Posted the digest of *synthetic data*: 3 new paper(s)")
    # The paper card kept the digest from posting its paper again.
    [card, *in_digest] = [p.text for p in chat.posted(inv("").channel) if p.kind == "card"]
    assert card == PAPER and len(in_digest) == 3 and PAPER not in in_digest
    requests = len(arxiv.requests)
    told = await paper(handlers, in_digest[1])
    assert re.fullmatch(
        rf"arXiv {in_digest[1]} is already in this channel: posted {WHEN} in the digest of \*synthetic data\*\. "
        r"Ask about it in that card's thread\.", told,
    ), told
    assert len(chat.posted(inv("").channel)) == 5 and len(arxiv.requests) == requests
    assert store.papers_held(inv("").channel, [PAPER, *in_digest]) == {PAPER, *in_digest}


@pytest.mark.parametrize("fault", ["error", "lost"])
async def test_a_failed_post_is_reported_and_the_same_command_finishes_it_exactly_once(store, arxiv, fault):
    chat = RecordingChat([fault])
    handlers = handlers_on(store, arxiv, chat)
    failed = await paper(handlers)
    assert failed.startswith(f"The card of arXiv {PAPER} could not be posted: ") and "never posted twice" in failed
    key = paper_key(inv("").channel, PAPER)
    assert store.get_run(key).state == "failed"
    assert await paper(handlers) == ""
    # "lost": the first post went out, its reply did not; the retry finds it instead of posting again.
    assert [p.text for p in chat.posted(inv("").channel)] == [PAPER]
    assert chat.lookups == (1 if fault == "lost" else 0)
    assert store.get_run(key).state == "done"
    assert [row.state for row in store.deliveries(key)] == ["sent"]  # the card (a single paper has no header)


async def test_an_unknown_paper_plans_nothing(store, arxiv):
    chat = RecordingChat()
    handlers = handlers_on(store, arxiv, chat)
    assert await paper(handlers, "2404.99999") == REPLIES.text("en", "no_such_paper", id="2404.99999")
    assert store.get_run(paper_key(inv("").channel, "2404.99999")) is None and chat.posted(inv("").channel) == []


# -- a single-paper card shows no topic and no relevance --------------------------------------


def _card(score=0.0):
    paper = Paper(
        PAPER, 1, "Synthetic data for task 0", ("A. Author",), "Abstract.", ("cs.CL",), "cs.CL", None,
        datetime(2024, 4, 22, 17, 0, tzinfo=timezone.utc), datetime(2024, 4, 22, 17, 0, tzinfo=timezone.utc),
        f"https://arxiv.org/abs/{PAPER}v1",
    )
    return Card(paper, CardText("A headline", ("One.", "Two."), "", "en", "llm:m"), 1, score)


@pytest.mark.parametrize("topic", [PAPER_TOPIC, "synthetic data"])
def test_renderers_leave_out_topic_and_relevance_of_a_single_paper_card(topic):
    card = _card(0.0)
    digest_card = bool(topic)
    topic_label, relevance, posted = label("en", "topic"), label("en", "relevance"), label("en", "posted")

    markdown = card_markdown(card, topic, "en", "UTC")
    assert (f"**{topic_label}:**" in markdown, f"**{relevance}:**" in markdown) == (digest_card, digest_card)
    assert f"**{posted}:** 2024-04-22 17:00 UTC" in markdown and "cs.CL" in markdown

    _, fallback = card_blocks(card, topic, "en", "UTC")
    assert (f"*{topic_label}:*" in fallback, f"*{relevance}:*" in fallback) == (digest_card, digest_card)
    assert f"*{posted}:* 2024-04-22 17:00 UTC" in fallback

    names = [field.name for field in card_embed(card, topic, "en", "UTC").fields]
    assert names == ([topic_label, label("en", "categories"), posted, relevance] if digest_card
                     else [label("en", "categories"), posted])  # fmt: skip


# -- answerable in its thread on both platforms -----------------------------------------------


async def test_slack_a_question_in_a_paper_card_thread_is_answered(tmp_path):
    with slack_fixtures.world(tmp_path) as w:
        request = slash_command(
            slack_fixtures.SECRET, "paper 2404.20003", user_id="U0USER", channel_id="C0CHAN",
            response_url=w.slack.response_url("1"),
        )
        assert (await w.dispatch(request)).status == 200
        [card] = await w.slack.until(lambda: w.slack.messages("C0CHAN"), timeout=10)
        assert "Synthetic data for task 2" in card["text"]
        assert f"*{label('en', 'topic')}:*" not in card["text"] and f"*{label('en', 'relevance')}:*" not in card["text"]
        await w.slack.until(lambda: any(r.get("delete_original") for r in w.slack.responses("1")), timeout=10)

        mention = app_mention("which corpus do they train on?", thread_ts=card["ts"], channel="C0CHAN")
        assert (await w.dispatch(event_callback(slack_fixtures.SECRET, mention, event_id="EvPaper"))).status == 200

        def replies():
            return [m for m in w.slack.messages("C0CHAN") if m.get("thread_ts") == card["ts"] and m["ts"] != card["ts"]]

        [answer] = await w.slack.until(replies, timeout=10)
        assert "We train on the public Pile corpus." in answer["text"]


async def test_discord_the_ask_button_and_a_question_in_a_paper_card_thread_are_answered(tmp_path):
    async with discord_fixtures.world(tmp_path) as w:
        iid = w.discord.slash("paper", paper="2404.20003")
        [card] = await w.discord.until(lambda: w.discord.messages(), timeout=10)
        [embed] = card["embeds"]
        names = [field["name"] for field in embed.get("fields", [])]
        assert label("en", "topic") not in names and label("en", "relevance") not in names
        assert label("en", "posted") in names
        await w.discord.until(lambda: w.discord.interaction(iid)["deleted"])  # nothing to add: the card is there

        click = w.discord.click(card, ASK_CUSTOM_ID)
        record = await w.discord.until(lambda: w.discord.interaction(click)["followups"] and w.discord.interaction(click))
        assert record["followups"][0]["content"] == f"Ask away in <#{card['id']}>."  # a card, not "not a card"
        thread = card["id"]
        await w.discord.until(lambda: w.service.client.get_channel(int(thread)))
        w.discord.say(thread, "what data do they train on?", mention_bot=True)
        await w.discord.until(lambda: len(w.discord.messages(thread)) == 3)  # prompt, question, answer
        answer = w.discord.messages(thread)[-1]
        assert answer["author"]["id"] == w.discord.bot["id"] and "Pile" in answer["content"]


# -- the store off the event loop -------------------------------------------------------------


class _Lock:
    """Another connection holding the database's write lock until ``release`` (another
    process's long write on SQLite; a table lock on PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self._sqlite = url.startswith("sqlite")
        if self._sqlite:
            self._conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
            self._conn.execute("BEGIN IMMEDIATE")
        else:
            self._engine = create_engine(url)
            self._conn = self._engine.connect()
            self._conn.execute(text("LOCK TABLE subscriptions IN ACCESS EXCLUSIVE MODE"))

    def release(self) -> None:
        if self._sqlite:
            self._conn.execute("ROLLBACK")
            self._conn.close()
        else:
            self._conn.rollback()
            self._conn.close()
            self._engine.dispose()


async def test_a_stalled_database_never_blocks_the_event_loop(store_url, arxiv):
    store = open_store(store_url)
    try:
        handlers = handlers_on(store, arxiv, RecordingChat())
        for command in ("subscribe synthetic data", "unsubscribe 1"):  # writes wait on SQLite's lock too
            lock = _Lock(store_url)
            threading.Timer(1.0, lock.release).start()
            task = asyncio.ensure_future(handlers.handle(inv(command)))
            gaps, last = [], time.monotonic()
            while not task.done():
                await asyncio.sleep(0.02)
                now = time.monotonic()
                gaps.append(now - last)
                last = now
            reply = await task
            # The loop kept turning while the command waited about a second for the database.
            assert sum(gaps) >= 0.8 and max(gaps) < 0.3, (command, max(gaps))
            assert reply.text.startswith(("Subscribed", "Unsubscribed"))
        assert store.list_subscriptions() == []
    finally:
        store.close()
