"""Digests through DiscordPort and the real discord.py client: order, rate limits, refusals, lost replies."""

from __future__ import annotations

import pytest

from bot.discord.embeds import card_embed, header_text, ref_line, with_ref
from bot.discord.port import ASK_CUSTOM_ID, nonce_of
from digest.delivery.ports import ChatPermissionError
from tests.discord_fixtures import world
from tests.engine_fixtures import WEEK, delivered_digest


def card_ids(messages):
    return [m["embeds"][0]["footer"]["text"].split(" · ")[0] for m in messages[1:]]


async def test_a_digest_of_12_cards_is_posted_as_embeds_in_order(tmp_path):
    async with world(tmp_path, 12) as w:
        sub = w.subscribe(max_papers=12)
        run = await w.deliverer.run(sub, WEEK, "k1")
        assert run.state == "done"
        messages = w.discord.messages()
        assert len(messages) == 13
        rows = w.store.deliveries("k1")
        assert [m["id"] for m in messages] == [r.message_id for r in rows]
        digest = delivered_digest(w.store, "k1")
        assert messages[0]["content"] == header_text(digest) + ref_line(nonce_of("k1#0"))
        assert messages[0]["embeds"] == []
        for card, message in zip(digest.cards, messages[1:], strict=True):
            expected = with_ref(card_embed(card, "synthetic data", "en", "UTC"), nonce_of(f"k1#{card.rank}"))
            assert message["embeds"] == [expected.to_dict()]
            button = message["components"][0]["components"][0]
            assert (button["custom_id"], button["label"]) == (ASK_CUSTOM_ID, "Ask about this paper")
        assert card_ids(messages) == [f"arXiv:{c.paper.versioned_id}" for c in digest.cards]
        posts = w.discord.calls_to("messages")
        assert [c.body["nonce"] for c in posts] == [nonce_of(f"k1#{i}") for i in range(13)]
        assert all(c.body["enforce_nonce"] is True for c in posts)
        assert all(c.body["allowed_mentions"] == {"parse": []} for c in posts)
        # Posting again is a no-op: the ledger knows every card went out.
        await w.deliverer.run(sub, WEEK, "k1")
        assert len(w.discord.messages()) == 13


async def test_a_429_in_the_middle_of_a_digest_still_posts_every_card_once_in_order(tmp_path):
    async with world(tmp_path, 12) as w:
        sub = w.subscribe(max_papers=12)
        # The header and 4 cards go through; the 5th card is refused by its bucket,
        # then by the global limit, and discord.py waits out both.
        w.discord.script("messages", "ok", count=5)
        w.discord.script("messages", "429", 0.4)
        w.discord.script("messages", "429", 0.2, is_global=True)
        run = await w.deliverer.run(sub, WEEK, "k2")
        assert run.state == "done"
        limited = w.discord.rate_limited()
        assert len(limited) == 2 and limited[1].time - limited[0].time >= 0.4
        messages = w.discord.messages()
        assert len(messages) == 13
        refs = [m["embeds"][0]["footer"]["text"][-16:] if m["embeds"] else m["content"][-16:] for m in messages]
        assert refs == [nonce_of(f"k2#{i}") for i in range(13)]
        assert [m["id"] for m in messages] == [r.message_id for r in w.store.deliveries("k2")]


async def test_missing_permission_pauses_the_subscription_and_stops_writing_there(tmp_path):
    async with world(tmp_path, 3) as w:
        w.discord.forbidden.add(w.discord.channel_id)
        sub = w.subscribe(max_papers=3)
        run = await w.deliverer.run(sub, WEEK, "k3")
        assert run.state == "failed" and "Missing Permissions" in (run.error or "")
        paused = w.store.get_subscription(sub.id)
        assert paused is not None and "Send Messages" in (paused.paused or "")
        assert len(w.discord.calls_to("messages", w.discord.channel_id)) == 1
        # Whatever asks next, the channel is not written to again for a while.
        with pytest.raises(ChatPermissionError):
            await w.service.port.find_posted(w.channel(), "x")
        await w.deliverer.run(sub, WEEK, "k3")
        assert len(w.discord.calls_to("messages", w.discord.channel_id)) == 1 and not w.discord.calls_to("history")
        # The subscriber is told once, in a direct message, why and what to do.
        [told] = await w.discord.until(lambda: w.discord.messages(w.discord.dm_channel_id))
        assert told["content"].startswith("I could not post the digest of **synthetic data** (subscription")
        assert "Missing Permissions" in told["content"] and told["author"]["id"] == w.discord.bot["id"]
        assert len(w.discord.messages(w.discord.dm_channel_id)) == 1


async def test_an_unknown_channel_is_a_permission_error_too(tmp_path):
    async with world(tmp_path, 2) as w:
        sub = w.subscribe("999999999999999999", max_papers=2)
        run = await w.deliverer.run(sub, WEEK, "k4")
        assert run.state == "failed" and "Unknown Channel" in (run.error or "")
        assert w.store.get_subscription(sub.id).paused


async def test_a_lost_reply_is_found_in_the_history_by_its_reference_and_not_posted_twice(tmp_path):
    async with world(tmp_path, 3) as w:
        sub = w.subscribe(max_papers=3)
        w.discord.script("messages", "ok")  # the header goes through
        w.discord.script("messages", "drop_reply")  # card 1 is stored, its answer lost
        run = await w.deliverer.run(sub, WEEK, "k5")
        assert run.state == "failed"
        assert [r.state for r in w.store.deliveries("k5")] == ["sent", "unknown", "pending", "pending"]
        run = await w.deliverer.run(sub, WEEK, "k5")
        assert run.state == "done"
        messages = w.discord.messages()
        assert len(messages) == 4  # history showed card 1 (no nonce there: by its footer)
        assert w.discord.calls_to("history")
        assert w.store.deliveries("k5")[1].message_id == messages[1]["id"]


async def test_discord_py_retries_a_5xx_with_the_same_nonce_and_discord_keeps_one_message(tmp_path):
    async with world(tmp_path, 1) as w:
        sub = w.subscribe(max_papers=1)
        w.discord.script("messages", "status_after_store", 500)
        run = await w.deliverer.run(sub, WEEK, "k6")
        assert run.state == "done"
        assert len(w.discord.calls_to("messages")) == 3  # header, card (500), card again
        assert len(w.discord.messages()) == 2

