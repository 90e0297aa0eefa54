"""/arxiv through real interactions: typed options onto the shared grammar, every error, acks and defers."""

from __future__ import annotations

import asyncio
from datetime import time

import pytest

from bot.command_text import MESSAGES, REPLIES
from bot.discord.cog import subscribe_text
from bot.discord.texts import say
from tests.discord_fixtures import world
from tests.fakes.discord_payloads import EPHEMERAL, MEMBER_PERMISSIONS


def content(record):
    """What a reply shows: its content, or its embed's description when it is longer than a
    message's content may be (bot/discord/responder.py)."""
    original = record["original"]
    return original.get("content") or "".join(embed.get("description", "") for embed in original.get("embeds") or [])


def ephemeral(record):
    return bool(record["original"]["flags"] & EPHEMERAL)


def test_typed_options_become_the_grammar_s_text():
    assert subscribe_text("LLM  agents", "fri", "17:30", "Europe/Berlin", "en", 5) == (
        "subscribe LLM agents day=fri time=17:30 tz=Europe/Berlin lang=en max=5"
    )
    assert subscribe_text("x", None, "09 00", "America/New York", None, None) == (
        "subscribe x time=0900 tz=America/New_York"  # a stray space cannot leak into the topic
    )


async def test_subscribe_with_typed_options_is_public_and_stored(tmp_path):
    async with world(tmp_path) as w:
        iid = w.discord.slash("subscribe", topic="LLM agents", day="fri", time="17:30", tz="Europe/Berlin",
                              lang="de", max=5)
        record = await w.discord.answered(iid)
        assert not ephemeral(record) and "Subscribed this channel to *LLM agents*" in content(record)
        assert record["callback"]["data"]["allowed_mentions"] == {"parse": []}
        [sub] = w.store.list_subscriptions(w.channel())
        assert (sub.topic, sub.weekday, sub.time, sub.tz, sub.language, sub.max_papers) == (
            "LLM agents", 4, time(17, 30), "Europe/Berlin", "de", 5
        )
        assert sub.created_by == w.discord.person["id"]
        listed = await w.discord.answered(w.discord.slash("list"))
        assert ephemeral(listed) and f"{sub.id}. *LLM agents*" in content(listed)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"topic": "x", "time": "25:00"}, MESSAGES.text("en", "bad_time", value="25:00")),
        ({"topic": "x", "tz": "Asia/Tokio"}, "`tz=Asia/Tokio` is not a time zone I know. Did you mean tz=Asia/Tokyo?"),
        ({"topic": "cat=cs.CL"}, "That topic cannot be searched on arXiv: the topic contains ="),
        ({"topic": "   "}, MESSAGES.text("en", "no_topic")),
        ({"topic": 'unbalanced "quote'}, "That topic cannot be searched on arXiv"),
    ],
)
async def test_bad_subscribe_options_get_an_ephemeral_message_and_change_nothing(tmp_path, options, expected):
    async with world(tmp_path) as w:
        record = await w.discord.answered(w.discord.slash("subscribe", **options))
        assert ephemeral(record) and content(record).startswith(expected)
        assert w.store.list_subscriptions() == []


async def test_every_other_error_is_ephemeral_and_says_how_to_write_it(tmp_path):
    async with world(tmp_path) as w:
        other = w.store.add_subscription(
            w.channel("123"), "elsewhere", weekday=0, at=time(9), tz="UTC", language="en", max_papers=3, created_by="u"
        )
        cases = [
            (("paper",), {"paper": "not-an-id"}, MESSAGES.text("en", "bad_paper", value="not-an-id")),
            (("unsubscribe",), {"id": other.id}, REPLIES.text("en", "not_here", id=other.id)),
            (("now",), {"id": 77}, REPLIES.text("en", "not_here", id=77)),
            (("now",), {}, REPLIES.text("en", "no_subscriptions")),
            (("list",), {}, REPLIES.text("en", "no_subscriptions")),
            (("ask",), {"question": "what?"}, say("en", "ask_outside")),
        ]
        for (sub,), options, expected in cases:
            record = await w.discord.answered(w.discord.slash(sub, **options))
            assert ephemeral(record), sub
            assert content(record) == expected, sub
        assert w.store.get_subscription(other.id) is not None


async def test_subscribing_needs_manage_channels_unless_the_setting_says_otherwise(tmp_path):
    async with world(tmp_path) as w:
        record = await w.discord.answered(w.discord.slash("subscribe", topic="x", permissions=MEMBER_PERMISSIONS))
        assert ephemeral(record) and content(record) == REPLIES.text("en", "not_allowed", action="subscribe")
        assert w.store.list_subscriptions() == []
    async with world(tmp_path, db=tmp_path / "open.db", manage_channels_to_subscribe=False) as w:
        record = await w.discord.answered(w.discord.slash("subscribe", topic="x", permissions=MEMBER_PERMISSIONS))
        assert not ephemeral(record) and len(w.store.list_subscriptions()) == 1


async def test_help_and_autocomplete(tmp_path):
    async with world(tmp_path) as w:
        record = await w.discord.answered(w.discord.slash("help"))
        assert ephemeral(record) and "/arxiv subscribe <topic>" in content(record)
        iid = w.discord.slash("subscribe", topic="x", tz="tokyo", focused="tz")
        choices = (await w.discord.until(lambda: w.discord.interaction(iid).get("choices")))
        assert {"name": "Asia/Tokyo", "value": "Asia/Tokyo"} in choices and len(choices) <= 25
        sub = w.subscribe(topic="diffusion models")
        iid = w.discord.slash("unsubscribe", id="", focused="id")
        choices = await w.discord.until(lambda: w.discord.interaction(iid).get("choices"))
        assert choices == [{"name": f"{sub.id}. diffusion models", "value": sub.id}]


async def test_now_acknowledges_at_once_then_reports_in_the_same_message(tmp_path):
    async with world(tmp_path, 3) as w:
        w.subscribe(max_papers=3)
        iid = w.discord.slash("now")
        record = await w.discord.answered(iid)
        assert ephemeral(record) and content(record).startswith("Building the digest")

        def finished():
            edits = w.discord.interaction(iid).get("edits") or []
            return edits and edits[-1]["content"].startswith("Posted the digest")

        await w.discord.until(finished)
        assert len(w.discord.messages()) == 4 + 0  # header + 3 cards, the ack was ephemeral
        await w.discord.answered(w.discord.slash("unsubscribe", id=w.store.list_subscriptions()[0].id))
        assert w.store.list_subscriptions() == []


class SlowScheduling:
    async def changed(self) -> None:
        await asyncio.sleep(2.3)  # past the ack budget


async def test_a_slow_command_is_deferred_and_its_public_reply_edits_the_deferral(tmp_path):
    async with world(tmp_path) as w:
        w.handlers.scheduling = SlowScheduling()
        iid = w.discord.slash("subscribe", topic="slow topic")
        await w.discord.until(lambda: w.discord.interaction(iid).get("edits"), timeout=10)
        record = w.discord.interaction(iid)
        assert record["callback"]["type"] == 5 and not record["callback"].get("data", {}).get("flags")
        assert "Subscribed this channel to *slow topic*" in content(record)


def test_subscribe_text_quotes_the_terms_so_their_phrases_stay_whole():
    from bot.commands import parse

    for terms in ("synthetic data", '"synthetic data" OR augmentation', """"a" OR b's"""):
        line = subscribe_text("合成データ", "fri", None, None, None, None, terms)
        assert parse(line).terms == terms and parse(line).topic == "合成データ"
