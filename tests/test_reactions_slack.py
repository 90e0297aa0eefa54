"""👍/👎 on Slack cards through bolt's real dispatcher: stored once per person and card, the
next digest ranked by them, ``learn=off`` restoring the topic's own order, the list's count."""

from __future__ import annotations

import asyncio
import json
from datetime import time

import pytest

from tests.engine_fixtures import WEEK
from tests.fakes.slack_requests import event_callback, new_ts, redelivered, slash_command
from tests.slack_fixtures import CHANNEL, SECRET, world

SPEECH, IMAGES = "speech recognition", "image segmentation"
# Two sub-themes of one topic, alternating: the topic's ranking cannot tell them apart.
TITLES = {i: f"Synthetic data for {SPEECH if i % 2 == 0 else IMAGES}: study {i}" for i in range(12)}


@pytest.fixture
def w(tmp_path):
    with world(tmp_path, 12, titles=TITLES) as built:
        yield built


def reaction(kind: str, emoji: str, ts: str, *, user: str = "U0ALICE", event_id: str | None = None):
    event = {
        "type": kind, "user": user, "reaction": emoji, "item_user": "U0BOT", "event_ts": new_ts(),
        "item": {"type": "message", "channel": CHANNEL.channel_id, "ts": ts},
    }
    return event_callback(SECRET, event, event_id=event_id)


def counted(w) -> int:
    return w.store.reaction_counts([CHANNEL]).get(CHANNEL, 0)


def cards(w, key: str) -> list[tuple[str, str]]:
    """(message ts, title) of the run's cards, in order (the header left out)."""
    rows = w.store.deliveries(key)
    papers = {p.arxiv_id: p.title for p in w.store.get_papers((d.arxiv_id, d.version) for d in rows).values()}
    return [(d.message_id, papers[d.arxiv_id]) for d in rows if d.arxiv_id in papers]


async def command(w, text: str) -> str:
    request = slash_command(SECRET, text, user_id="U1", channel_id="C0CHAN", response_url=w.slack.response_url("r"))
    response = await w.dispatch(request)
    assert response.status == 200
    return json.loads(response.body).get("text", "") if response.body else ""


async def react_to_first_digest(w):
    """The first digest (4 cards, both themes), 👍 on its speech cards and 👎 on its image
    ones from two members, through signed events; returns the subscription."""
    sub = w.store.add_subscription(
        CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC", language="en", max_papers=4, created_by="U1"
    )
    assert (await w.deliverer.run(sub, WEEK, "k1")).state == "done"
    first = cards(w, "k1")
    assert {SPEECH in t for _, t in first} == {True, False}  # both themes, so there is something to learn
    for user in ("U0ALICE", "U0BOB"):
        for ts, title in first:
            await w.dispatch(reaction("reaction_added", "+1" if SPEECH in title else "thumbsdown", ts, user=user))
    await w.slack.until(lambda: counted(w) == 2 * len(first))
    return sub


async def test_reactions_are_held_once_per_person_and_card_and_a_redelivery_counts_once(w):
    sub = w.store.add_subscription(
        CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC", language="en", max_papers=2, created_by="U1"
    )
    await w.deliverer.run(sub, WEEK, "k1")
    [header, *_] = [d.message_id for d in w.store.deliveries("k1")]
    (card, _), _ = cards(w, "k1")
    added = reaction("reaction_added", "+1::skin-tone-3", card, event_id="EvAdd")
    assert (await w.dispatch(added)).status == 200
    await w.slack.until(lambda: counted(w) == 1)
    await w.dispatch(reaction("reaction_added", "thumbsup", card))  # the same member again: still one
    await w.dispatch(reaction("reaction_added", "tada", card))  # another emoji: not a vote
    await w.dispatch(reaction("reaction_added", "+1", header))  # the header is not a card
    await asyncio.sleep(0.3)
    assert counted(w) == 1
    await w.dispatch(reaction("reaction_removed", "+1", card, event_id="EvRemove"))
    await w.slack.until(lambda: counted(w) == 0)
    # Slack retries the add it thinks went unanswered: it must not bring the removed 👍 back.
    assert (await w.dispatch(redelivered(added, SECRET, attempt=1))).status == 200
    await asyncio.sleep(0.3)
    assert counted(w) == 0 and w.store.claim_event("slack", "EvAdd") is False


async def test_the_next_digest_leans_towards_what_the_channel_liked(w):
    sub = await react_to_first_digest(w)
    plain = [s.paper.title for s in (await w.deliverer.engine.select("synthetic data", WEEK, max_papers=None)).ranked]
    held = {t for _, t in cards(w, "k1")}
    await w.deliverer.plan(sub, WEEK, "k2")
    learnt = [t for _, t in cards(w, "k2")]
    assert all(SPEECH in t for t in learnt) and len(learnt) == 4
    assert learnt != [t for t in plain if t not in held][:4]  # the topic alone would have mixed them
    listed = await command(w, "list")
    assert "Learns from reactions: 8 👍/👎 in this channel so far." in listed


async def test_learn_off_restores_the_topic_s_own_order_and_the_list_says_so(w):
    sub = await react_to_first_digest(w)
    reply = await command(w, f"edit {sub.id} learn=off")
    assert "no longer uses this channel's 👍/👎" in reply
    assert w.store.get_subscription(sub.id).learn is False
    plain = [s.paper.title for s in (await w.deliverer.engine.select("synthetic data", WEEK, max_papers=None)).ranked]
    held = {t for _, t in cards(w, "k1")}
    await w.deliverer.plan(w.store.get_subscription(sub.id), WEEK, "k2")
    assert [t for _, t in cards(w, "k2")] == [t for t in plain if t not in held][:4]
    assert "Not learning from reactions" in await command(w, "list")
    assert "`learn=maybe` is not a choice" in await command(w, f"edit {sub.id} learn=maybe")
