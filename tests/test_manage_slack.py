"""Managing subscriptions on Slack, through bolt's real dispatcher: signed slash commands,
the fake Web API (users.info says who is an admin). Refusals change nothing."""

from __future__ import annotations

import itertools
import re
from datetime import time

import pytest

from config.settings import ChannelSettings
from tests.test_slack_app import finished
from tests.test_slack_app import run_command as ack_of
from tests.slack_fixtures import CHANNEL, world

_responses = itertools.count()


async def run_command(w, text, **options):
    """The reply: on the ack, or (slower than the ack budget, on a loaded machine) by response_url."""
    response = options.pop("response", None) or f"r{next(_responses)}"
    ack = await ack_of(w, text, response=response, **options)
    if ack:
        return ack
    posts = await w.slack.until(lambda: w.slack.responses(response), timeout=10)
    return posts[-1]


@pytest.fixture
def w(tmp_path):
    with world(tmp_path) as built:
        built.slack.add_user("UADMIN", is_admin=True)
        yield built


async def test_edit_pause_resume_and_list_keep_to_who_may(w):
    await run_command(w, "subscribe synthetic data max=3")
    await run_command(w, "now", response="now")
    assert (await finished(w, "now"))[-1]["text"] == "Posted the digest of *synthetic data*: 3 new paper(s) of 12."
    listing = (await run_command(w, "list"))["text"]
    assert listing.startswith("1. *synthetic data*: Mon 09:00 Asia/Tokyo, 3 papers, English. Active. Last digest: ")
    assert re.search(r"Last digest: \w{3} \d{4}-\d\d-\d\d \d\d:\d\d JST, 3 card\(s\)\. Next: Mon 2024-04-29 09:00 JST\.$",
                     listing)  # fmt: skip
    # /arxiv now: once per 10 minutes in a channel (channels.now_every_minutes), kept in the store.
    limited = await run_command(w, "now", response="again")
    assert limited["text"] == (
        "`/arxiv now` already ran in this channel in the last 10 minutes; it may run again at Thu 2024-04-25 12:10 JST."
    )
    before = w.store.get_subscription(1)
    for text in ("edit 1 max=10", "pause 1", "unsubscribe 1"):  # not theirs, no admin
        refused = await run_command(w, text, user="U0OTHER")
        assert refused["text"] == (
            "Subscription 1 is U0USER's: only they and the workspace's admins may change it. Nothing was changed."
        )
    assert w.store.get_subscription(1) == before
    edited = await run_command(w, "edit 1 day=fri time=17:30 tz=Europe/Berlin max=5")
    assert edited["response_type"] == "in_channel"
    assert edited["text"] == (
        "Changed subscription 1: *synthetic data*, 5 papers every Fri 17:30 Europe/Berlin, in English. "
        "Next digest: Fri 2024-04-26 17:30 CEST."
    )
    sub = w.store.get_subscription(1)
    assert (sub.weekday, sub.time, sub.tz, sub.max_papers, sub.created_by) == (4, time(17, 30), "Europe/Berlin", 5, "U0USER")
    paused = await run_command(w, "pause 1")
    assert paused == {"response_type": "in_channel",
                      "text": "Paused subscription 1 (*synthetic data*): no digests until `/arxiv resume 1`."}  # fmt: skip
    assert w.store.get_subscription(1).paused_by == "U0USER"
    listing = (await run_command(w, "list"))["text"]
    assert ". Paused by U0USER. Last digest: " in listing and listing.endswith("Next: none while paused.")
    again = (await run_command(w, "pause 1"))["text"]
    assert again.startswith("Subscription 1 (*synthetic data*) is already paused (Paused by U0USER)")
    assert (await run_command(w, "resume 1", user="U0OTHER"))["text"].startswith("Subscription 1 is U0USER's")
    assert w.store.get_subscription(1).paused
    resumed = await run_command(w, "resume 1", user="UADMIN")  # a workspace admin may
    assert resumed["text"] == "Resumed subscription 1 (*synthetic data*). Next digest: Fri 2024-04-26 17:30 CEST."
    assert w.store.get_subscription(1).paused is None
    assert (await run_command(w, "resume 1"))["text"].startswith("Subscription 1 (*synthetic data*) is not paused")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("edit", "edit needs a subscription id and what to change"),
        ("edit time=10:00", "edit needs a subscription id and what to change"),
        ("edit 1", "edit needs something to change: one or more of day=, time=, tz=, lang=, max=, topic=, terms=, "
         "learn= and budget="),
        ("edit 1 zone=UTC", "`zone=` is not an option of edit. Did you mean `tz=`?"),
        ("edit 1 fast", "edit takes a subscription id, then key=value options; `fast` is neither."),
        ("edit 1 time=25:00", "`time=25:00` is not a time"),
        ("edit 1 topic=", "topic= needs a topic"),
        ("edit 1 topic=cat:cs.CL AND", "That topic cannot be searched on arXiv"),
        ("edit 7 max=3", "Subscription 7 is not one of this channel's"),
        ("pause", "pause needs a subscription id"),
        ("resume x", "`x` is not a subscription id"),
        ("pause 1 2", "pause takes one subscription id; remove `2`."),
    ],
)
async def test_bad_edits_are_explained_and_change_nothing(w, text, says):
    await run_command(w, "subscribe synthetic data")
    before = w.store.list_subscriptions()
    assert (await run_command(w, text))["text"].startswith(says)
    assert w.store.list_subscriptions() == before


async def test_the_same_topic_twice_is_refused_naming_the_first_an_overlap_is_not(w):
    await run_command(w, "subscribe synthetic data")
    twin = await run_command(w, 'subscribe "Synthetic  Data" day=fri')
    assert twin["text"] == (
        "This channel already subscribes to *synthetic data* (subscription 1); nothing was changed. "
        "Change that one with `/arxiv edit 1`, or choose another topic."
    )
    assert (await run_command(w, "subscribe synthetic data generation"))["response_type"] == "in_channel"
    assert (await run_command(w, "subscribe synthetic data", channel="C0OTHER"))["response_type"] == "in_channel"
    # An edit may not make a twin either; the subscription itself may keep its topic.
    assert (await run_command(w, 'edit 2 topic="SYNTHETIC data"'))["text"].startswith(
        "This channel already subscribes to *synthetic data* (subscription 1)"
    )
    assert w.store.get_subscription(2).topic == "synthetic data generation"
    assert (await run_command(w, "edit 1 topic=Synthetic Data"))["text"].startswith("Changed subscription 1: *Synthetic Data*")
    assert [s.topic for s in w.store.list_subscriptions(CHANNEL)] == ["Synthetic Data", "synthetic data generation"]


async def test_an_edited_topic_goes_through_the_subscribe_checks(w):
    await run_command(w, "subscribe synthetic data")
    refused = (await run_command(w, "edit 1 topic=合成データ"))["text"]
    assert refused.startswith("*合成データ* is not in English") and w.store.get_subscription(1).topic == "synthetic data"
    edited = (await run_command(w, 'edit 1 topic=合成データ terms="synthetic data"'))["text"]
    assert edited.endswith('Searching arXiv for: `synthetic data`. To change them: `/arxiv edit 1 terms="…"`.')
    sub = w.store.get_subscription(1)
    assert (sub.topic, sub.search_terms) == ("合成データ", "synthetic data")
    assert (await run_command(w, "edit 1 topic=diffusion models"))["text"].startswith("Changed subscription 1")
    assert w.store.get_subscription(1).search_terms is None  # an English topic is searched as written


async def test_a_full_channel_refuses_one_more(w):
    w.handlers.channels = ChannelSettings(max_subscriptions=2)
    for topic in ("synthetic data", "diffusion"):
        assert (await run_command(w, f"subscribe {topic}"))["response_type"] == "in_channel"
    full = (await run_command(w, "subscribe agents"))["text"]
    assert full.startswith("This channel already holds 2 subscriptions, the most it may (2); nothing was subscribed.")
    assert len(w.store.list_subscriptions()) == 2
