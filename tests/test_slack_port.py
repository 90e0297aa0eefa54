"""SlackPort against the loopback Web API: messages, pacing, reconciliation and error mapping."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import time as clock_time

import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import card_blocks, header_blocks
from bot.slack.port import METADATA_EVENT, SlackPort, slack_client
from config.settings import SlackSettings
from digest.delivery.deliverer import Deliverer
from digest.models import ChannelRef, Digest, MessageRef, ThreadRef
from digest.delivery.ports import ChatError, ChatPermissionError, ChatReplyLost
from digest.store import open_store
from tests.engine_fixtures import WEEK, Clock, delivered_digest, make_engine
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_fixtures import NOW, port_for, week

C1 = ChannelRef("slack", "T0TEAM", "C1")
C2 = ChannelRef("slack", "T0TEAM", "C2")


@pytest.fixture
def slack():
    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture
def engine_world(tmp_path, slack):
    """A store and engine over 6 papers, a Deliverer posting through a SlackPort."""
    with ArxivFeedServer(week(6)) as arxiv:
        store = open_store(f"sqlite:///{tmp_path / 'port.db'}")
        port = port_for(slack)
        deliverer = Deliverer(make_engine(arxiv.url, store, clock=Clock(NOW)), store, {"slack": port})
        yield store, deliverer, port
        store.close()


def subscribe(store, channel=C1, max_papers=5):
    return store.add_subscription(
        channel, "synthetic data", weekday=0, at=clock_time(9), tz="UTC", language="en",
        max_papers=max_papers, created_by="U1",
    )


def keys(slack, channel="C1"):
    return [m["metadata"]["event_payload"]["key"] for m in slack.messages(channel) if "metadata" in m]


def test_slack_client_points_at_the_configured_api_and_retries_only_429():
    client = slack_client(SlackSettings(bot_token="xoxb-1", api_url="http://127.0.0.1:9/api"))
    assert client.base_url == "http://127.0.0.1:9/api/" and client.token == "xoxb-1"
    assert [type(h) for h in client.retry_handlers] == [AsyncRateLimitErrorRetryHandler]


async def test_a_digest_is_posted_as_block_kit_messages_carrying_their_keys(engine_world, slack):
    store, deliverer, _ = engine_world
    sub = subscribe(store, max_papers=3)
    run = await deliverer.run(sub, WEEK, "k1")
    assert run.state == "done"
    messages = slack.messages("C1")
    assert keys(slack) == ["k1#0", "k1#1", "k1#2", "k1#3"]
    assert all(m["metadata"]["event_type"] == METADATA_EVENT for m in messages)
    rows = store.deliveries("k1")
    assert [m["ts"] for m in messages] == [r.message_id for r in rows]
    digest = delivered_digest(store, "k1")
    assert (messages[0]["blocks"], messages[0]["text"]) == header_blocks(digest)
    assert (messages[1]["blocks"], messages[1]["text"]) == card_blocks(digest.cards[0], "synthetic data", "en", "UTC")
    card_call = slack.calls_to("chat.postMessage")[1]
    assert card_call.params["unfurl_links"] is False and card_call.params["unfurl_media"] is False


async def test_find_posted_looks_through_recent_history_by_key(slack):
    port = port_for(slack, messages_per_second=2000)
    digest = Digest("t", WEEK, "en", ())
    for i in range(3):
        await port.post_header(C1, digest, f"run#{i}")
    await port.reply(ThreadRef(C1, slack.messages("C1")[0]["ts"]), "a reply carries no key")
    found = await port.find_posted(C1, "run#1")
    assert found == MessageRef(C1, slack.messages("C1")[1]["ts"])
    assert await port.find_posted(C1, "run#9") is None
    assert await port.find_posted(C2, "run#1") is None
    # Only the last 200 messages are searched: older ones are past any retry.
    for i in range(200):
        await port.post_header(C1, digest, f"later#{i}")
    assert await port.find_posted(C1, "run#2") is None
    assert await port.find_posted(C1, "later#0") is not None
    history = slack.calls_to("conversations.history")[-1].params
    assert history["include_all_metadata"] in (True, "1", "true")


async def test_reply_goes_in_the_thread_and_can_never_ping(slack):
    port = port_for(slack)
    card = await port.post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    thread = ThreadRef(C1, card.message_id)  # a Slack thread is its parent message: nothing to open
    assert [c.method for c in slack.calls] == ["chat.postMessage"]
    await port.reply(thread, "Hey <!channel> <!here> <@U123> & <https://evil.example|click>")
    reply = slack.messages("C1")[-1]
    assert reply["thread_ts"] == card.message_id
    assert reply["text"] == "Hey &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &amp; &lt;https://evil.example|click&gt;"
    await port.reply(thread, "word " * 20000)
    assert len(slack.messages("C1")[-1]["text"]) <= 40000


async def test_edit_replaces_a_reply_escaped_and_maps_errors(slack):
    port = port_for(slack)
    card = await port.post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    placeholder = await port.reply(ThreadRef(C1, card.message_id), "Reading the paper…")
    assert await port.edit(placeholder, "It uses <!channel> & <https://evil.example|click>") == placeholder
    reply = slack.messages("C1")[-1]
    assert (reply["ts"], reply["thread_ts"]) == (placeholder.message_id, card.message_id) and "edited" in reply
    assert reply["text"] == "It uses &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"
    with pytest.raises(ChatError) as gone:
        await port.edit(MessageRef(C1, "1.000001"), "x")
    assert type(gone.value) is ChatError and "message_not_found" in str(gone.value)
    slack.script([("drop_reply",), ("status", 503)], method="chat.update")
    for _ in range(2):
        with pytest.raises(ChatError) as lost:
            await port.edit(placeholder, "again")
        assert type(lost.value) is ChatError  # not ChatReplyLost: an edit creates no message to look for
    slack.script([("error", "not_in_channel")], method="chat.update")
    with pytest.raises(ChatPermissionError):
        await port.edit(placeholder, "again")
    assert len(slack.messages("C1")) == 2 and slack.messages("C1")[-1]["text"] == "again"  # the dropped reply's edit


async def test_posts_to_a_channel_are_paced_and_other_channels_carry_on(slack):
    port = port_for(slack, messages_per_second=5)  # 0.21 s apart
    digest = Digest("t", WEEK, "en", ())

    async def three(channel):
        for i in range(3):
            await port.post_header(channel, digest, f"{channel.channel_id}#{i}")

    started = time.monotonic()
    await asyncio.gather(three(C1), three(C2))
    wall = time.monotonic() - started
    for channel in ("C1", "C2"):
        times = [c.time for c in slack.calls_to("chat.postMessage") if c.params["channel"] == channel]
        assert all(b - a >= 0.2 for a, b in zip(times, times[1:]))
    assert wall < 0.8  # 2 gaps of 0.21 s, the channels side by side (not 5 gaps in a row)
    assert keys(slack, "C1") == ["C1#0", "C1#1", "C1#2"]


async def test_a_429_is_waited_out_and_the_message_posted_once(slack):
    port = port_for(slack)
    slack.script([("ratelimited", 0)], channel="C1")
    ref = await port.post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert keys(slack) == ["k#0"] and ref.message_id == slack.messages("C1")[0]["ts"]


@pytest.mark.parametrize(
    "error", ["not_in_channel", "channel_not_found", "is_archived", "missing_scope", "restricted_action"]
)
async def test_permission_errors(slack, error):
    slack.script([("error", error)])
    with pytest.raises(ChatPermissionError) as refused:
        await port_for(slack).post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    assert "C1" in str(refused.value) and slack.token not in str(refused.value)


@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive", "msg_too_long"])
async def test_token_and_other_errors_are_plain_chat_errors(slack, error):
    """A dead token is the deployment's problem: retried later, not every channel paused."""
    slack.script([("error", error)])
    with pytest.raises(ChatError) as failed:
        await port_for(slack).post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    assert type(failed.value) is ChatError and error in str(failed.value)


async def test_a_wrong_token_never_shows_in_errors(slack):
    port = SlackPort(slack_client(SlackSettings(bot_token="xoxb-secret-wrong", api_url=slack.base_url)))
    with pytest.raises(ChatError) as failed:
        await port.post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    assert "invalid_auth" in str(failed.value) and "xoxb-secret-wrong" not in str(failed.value)


async def test_lost_replies_and_server_errors_on_a_post_may_have_posted(slack):
    port = port_for(slack)
    digest = Digest("t", WEEK, "en", ())
    slack.script([("drop_reply",), ("status", 503)])
    for key in ("k#0", "k#1"):
        with pytest.raises(ChatReplyLost):
            await port.post_header(C1, digest, key)
    assert keys(slack) == ["k#0"]  # the dropped one exists, the 503 one does not
    slack.script([("status", 500)], method="conversations.history")
    with pytest.raises(ChatError) as reading:
        await port.find_posted(C1, "k#0")
    assert type(reading.value) is ChatError  # a failed read created nothing


async def test_a_hung_reply_times_out_as_lost_and_a_refused_connection_as_not_sent(slack):
    client = AsyncWebClient(
        token=slack.token, base_url=slack.base_url, timeout=0.3, retry_handlers=[AsyncRateLimitErrorRetryHandler()]
    )
    slack.script([("drop_reply", 3)])
    with pytest.raises(ChatReplyLost):
        await SlackPort(client).post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/api/"
    nowhere = SlackPort(slack_client(SlackSettings(bot_token="xoxb-1", api_url=closed)))
    with pytest.raises(ChatError) as refused:
        await nowhere.post_header(C1, Digest("t", WEEK, "en", ()), "k#0")
    assert type(refused.value) is ChatError


async def test_a_dropped_reply_is_reconciled_from_history_not_posted_twice(engine_world, slack):
    store, deliverer, _ = engine_world
    sub = subscribe(store, max_papers=5)
    slack.script([("ok",), ("ok",), ("drop_reply",)])  # the second card's answer is lost
    first = await deliverer.run(sub, WEEK, "k1")
    assert first.state == "failed" and [d.state for d in store.deliveries("k1")][:3] == ["sent", "sent", "unknown"]
    assert keys(slack) == ["k1#0", "k1#1", "k1#2"]
    again = await deliverer.run(sub, WEEK, "k1")  # the scheduler's retry of the same run
    assert again.state == "done"
    assert keys(slack) == [f"k1#{i}" for i in range(6)]  # k1#2 found in history, not re-sent
    rows = store.deliveries("k1")
    assert rows[2].message_id == slack.messages("C1")[2]["ts"]
    assert len(slack.calls_to("conversations.history")) == 1


async def test_not_in_channel_pauses_the_subscription(engine_world, slack):
    store, deliverer, _ = engine_world
    slack.add_channel("C1", is_member=False)
    sub = subscribe(store)
    run = await deliverer.run(sub, WEEK, "k1")
    assert run.state == "failed" and slack.messages("C1") == []
    paused = store.get_subscription(sub.id).paused
    assert paused and "invite it with /invite" in paused


async def test_a_digest_goes_out_over_one_kept_alive_connection_closed_by_aclose(engine_world, slack):
    """slack_sdk opens a session (a connection, against Slack a TLS handshake) per call
    unless given one: the port keeps one, and ``aclose`` closes it."""
    store, deliverer, port = engine_world
    run = await deliverer.run(subscribe(store, max_papers=3), WEEK, "k1")
    assert run.state == "done" and len(keys(slack)) == 4
    assert len(slack.peers) == 1, slack.peers
    await port.aclose()
    assert port.client.session.closed
    await port.post_notice(C1, "again", "k2")  # a closed session is opened again
    assert len(slack.peers) == 2 and keys(slack)[-1] == "k2"
    await port.aclose()
