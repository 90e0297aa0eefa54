"""Rocchio feedback on a topic's ranking (``digest.text.feedback``), and the store's reactions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from digest.text.feedback import rerank
from digest.models import ChannelRef, Paper
from digest.text.ranking import rank

WHEN = datetime(2024, 4, 22, tzinfo=timezone.utc)


def paper(i: int, title: str) -> Paper:
    return Paper(f"2404.{i:05d}", 1, title, (), f"{title}. We study synthetic data.", ("cs.CL",), "cs.CL", None,
                 WHEN, WHEN, f"https://arxiv.org/abs/2404.{i:05d}")  # fmt: skip


SPEECH = [paper(i, f"Synthetic data for speech recognition {i}") for i in range(0, 6, 2)]
IMAGES = [paper(i, f"Synthetic data for image segmentation {i}") for i in range(1, 6, 2)]
CANDIDATES = [p for pair in zip(IMAGES, SPEECH) for p in pair]  # images first at each tie


def test_liked_papers_pull_their_kind_up_and_disliked_push_theirs_down():
    plain = rank(CANDIDATES, ["synthetic data"])
    liked = [paper(90, "Synthetic speech recognition corpora")]
    up = rerank(plain, [(liked[0], 1)])
    assert [s.paper for s in up[:3]] == SPEECH
    down = rerank(plain, [(paper(91, "Image segmentation from synthetic scenes"), -2)])
    assert [s.paper for s in down[:3]] == SPEECH
    assert [s.score for s in up] == sorted((s.score for s in plain), reverse=True)  # scores stay the topic's


@pytest.mark.parametrize("reacted", [[], [(paper(92, "Anything"), 0)]])
def test_without_a_profile_the_topic_s_order_stands(reacted):
    plain = rank(CANDIDATES, ["synthetic data"])
    assert rerank(plain, reacted) == plain and rerank(plain, [(SPEECH[0], 1)], weight=0) == plain


def test_a_reaction_counts_once_per_member_and_card_and_only_its_own_removal_deletes_it(store):
    here, there = ChannelRef("slack", "T", "C1"), ChannelRef("slack", "T", "C2")
    store.react(here, "2404.00001", 1, "U1", 1)
    store.react(here, "2404.00001", 2, "U1", 1)  # the same member again, a newer version
    store.react(here, "2404.00001", 1, "U2", -1)
    store.react(here, "2404.00002", 1, "U2", -1)
    store.react(there, "2404.00001", 1, "U1", 1)
    assert store.reaction_counts([here, there]) == {here: 3, there: 1}
    assert [tuple(r) for r in store.channel_reactions([here])[here]] == [("2404.00001", 2, 0), ("2404.00002", 1, -1)]
    store.react(here, "2404.00001", 1, "U1", -1)  # changed their mind: 👎 replaces 👍
    assert store.unreact(here, "2404.00001", "U1", 1) is False  # taking away the 👍 they no longer hold
    assert store.unreact(here, "2404.00001", "U1", -1) is True
    assert store.reaction_counts([here]) == {here: 2}
    with pytest.raises(ValueError):
        store.react(here, "2404.00001", 1, "U1", 2)
    sub = store.add_subscription(here, "t", weekday=0, at=WHEN.time(), tz="UTC", language="en", max_papers=5,
                                 created_by="U1")  # fmt: skip
    assert sub.learn is True  # the column's default
    assert store.update_subscription(sub.id, learn=False).learn is False
    assert store.get_subscription(sub.id).learn is False
