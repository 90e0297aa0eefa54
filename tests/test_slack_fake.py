"""The loopback Slack Web API fake, driven by the real slack_sdk AsyncWebClient."""

import asyncio
import json
import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack_api import FakeSlackAPI

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*", "verbatim": True}}]


@pytest.fixture
def slack():
    with FakeSlackAPI() as fake:
        yield fake


def client(fake, **options):
    options.setdefault("retry_handlers", [])  # each test chooses its retries
    return AsyncWebClient(token=fake.token, base_url=fake.base_url, timeout=5, **options)


async def test_auth_test_and_token_checks(slack):
    answer = await client(slack).auth_test()
    assert answer["user_id"] == "U0BOT" and answer["bot_id"] == "B0BOT"
    with pytest.raises(SlackApiError) as wrong:
        await AsyncWebClient(token="xoxb-wrong", base_url=slack.base_url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        await AsyncWebClient(base_url=slack.base_url).auth_test()
    assert missing.value.response["error"] == "not_authed"
    assert [c.method for c in slack.calls] == ["auth.test"] * 3
    assert all("token" not in c.params for c in slack.calls)


async def test_post_message_stores_text_blocks_and_metadata(slack):
    metadata = {"event_type": "paper_card", "event_payload": {"arxiv_id": "2404.14361"}}
    answer = await client(slack).chat_postMessage(channel="C1", text="fallback", blocks=BLOCKS, metadata=metadata)
    assert answer["ok"] and answer["channel"] == "C1" and answer["ts"]
    [message] = slack.messages("C1")
    assert message["ts"] == answer["ts"]
    assert (message["text"], message["blocks"], message["metadata"]) == ("fallback", BLOCKS, metadata)
    assert message["bot_id"] == "B0BOT" and "thread_ts" not in message
    [call] = slack.calls_to("chat.postMessage")
    assert call.params["channel"] == "C1" and call.status == 200


async def test_form_encoded_posts_are_decoded_too(slack):
    form = {"channel": "C1", "text": "form", "blocks": json.dumps(BLOCKS)}
    answer = await client(slack).api_call("chat.postMessage", data=form)
    assert answer["ok"]
    assert slack.messages("C1")[0]["blocks"] == BLOCKS


async def test_history_is_newest_first_with_window_paging_and_metadata(slack):
    web = client(slack)
    sent = []
    for i in range(5):
        answer = await web.chat_postMessage(
            channel="C1", text=f"m{i}", metadata={"event_type": "t", "event_payload": {"i": i}}
        )
        sent.append(answer["ts"])
    await web.chat_postMessage(channel="C2", text="elsewhere")

    history = await web.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["m4", "m3", "m2", "m1", "m0"]
    assert all("metadata" not in m for m in history["messages"])
    with_meta = await web.conversations_history(channel="C1", include_all_metadata=True, limit=1)
    assert with_meta["messages"][0]["metadata"]["event_payload"] == {"i": 4}

    window = await web.conversations_history(channel="C1", oldest=sent[1], latest=sent[4])
    assert [m["text"] for m in window["messages"]] == ["m3", "m2"]
    inclusive = await web.conversations_history(channel="C1", oldest=sent[1], latest=sent[4], inclusive=True)
    assert [m["text"] for m in inclusive["messages"]] == ["m4", "m3", "m2", "m1"]

    first = await web.conversations_history(channel="C1", limit=2)
    assert first["has_more"] and [m["text"] for m in first["messages"]] == ["m4", "m3"]
    cursor = first["response_metadata"]["next_cursor"]
    second = await web.conversations_history(channel="C1", limit=2, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    assert [m["text"] for m in slack.messages("C1")] == ["m0", "m1", "m2", "m3", "m4"]


async def test_thread_replies_stay_out_of_history_and_come_back_from_replies(slack):
    web = client(slack)
    parent = (await web.chat_postMessage(channel="C1", text="card"))["ts"]
    await web.chat_postMessage(channel="C1", text="q1", thread_ts=parent)
    await web.chat_postMessage(channel="C1", text="a1", thread_ts=parent)
    await web.chat_postMessage(channel="C1", text="after")

    history = await web.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["after", "card"]
    card = history["messages"][1]
    assert card["thread_ts"] == parent and card["reply_count"] == 2
    replies = await web.conversations_replies(channel="C1", ts=parent)
    assert [m["text"] for m in replies["messages"]] == ["card", "q1", "a1"]
    assert all(m["thread_ts"] == parent for m in replies["messages"])
    with pytest.raises(SlackApiError) as missing:
        await web.conversations_replies(channel="C1", ts="1.000001")
    assert missing.value.response["error"] == "thread_not_found"


async def test_update_ephemeral_info_and_users(slack):
    web = client(slack)
    ts = (await web.chat_postMessage(channel="C1", text="Working…"))["ts"]
    await web.chat_update(channel="C1", ts=ts, text="Done", blocks=BLOCKS)
    [message] = slack.messages("C1")
    assert (message["text"], message["blocks"]) == ("Done", BLOCKS) and "edited" in message
    with pytest.raises(SlackApiError) as gone:
        await web.chat_update(channel="C1", ts="1.000001", text="x")
    assert gone.value.response["error"] == "message_not_found"
    with pytest.raises(SlackApiError) as empty, pytest.warns(UserWarning, match="`text` argument is missing"):
        await web.chat_update(channel="C1", ts=ts, text="")
    assert empty.value.response["error"] == "no_text" and slack.messages("C1")[0]["text"] == "Done"

    answer = await web.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert answer["message_ts"]
    assert slack.ephemerals("C1")[0]["user"] == "U1" and slack.messages("C1") == [message]

    slack.add_channel("C9", name="papers", is_private=True)
    info = (await web.conversations_info(channel="C9"))["channel"]
    assert (info["id"], info["name"], info["is_private"], info["is_member"]) == ("C9", "papers", True, True)

    slack.add_user("UADMIN", is_admin=True, tz="Asia/Tokyo")
    slack.add_user("UPLAIN")
    assert (await web.users_info(user="UADMIN"))["user"]["is_admin"] is True
    assert (await web.users_info(user="UPLAIN"))["user"]["is_admin"] is False
    with pytest.raises(SlackApiError) as nobody:
        await web.users_info(user="UNKNOWN")
    assert nobody.value.response["error"] == "user_not_found"


async def test_response_url_records_what_is_posted(slack):
    url = slack.response_url("abc")
    response = await AsyncWebhookClient(url).send(text="Subscribed", response_type="ephemeral")
    assert response.status_code == 200
    assert slack.responses("abc") == [{"text": "Subscribed", "response_type": "ephemeral"}]
    assert slack.calls_to("response_url")[0].params["id"] == "abc"


async def test_rate_limit_answers_429_with_retry_after_per_channel():
    with FakeSlackAPI(rate_limit=2) as slack:
        web = client(slack)
        await web.chat_postMessage(channel="C1", text="1")
        await web.chat_postMessage(channel="C1", text="2")
        with pytest.raises(SlackApiError) as limited:
            await web.chat_postMessage(channel="C1", text="3")
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] in ("1", ["1"])
        assert limited.value.response["error"] == "ratelimited"
        await web.chat_postMessage(channel="C2", text="other channels carry on")
        assert [m["text"] for m in slack.messages("C1")] == ["1", "2"]
        assert [c.status for c in slack.calls_to("chat.postMessage")] == [200, 200, 429, 200]


async def test_rate_limit_per_workspace_answers_429_across_channels_and_records_arrivals():
    with FakeSlackAPI(team_rate_limit=2, team_window=60) as slack:
        web = client(slack)
        await web.chat_postMessage(channel="C1", text="1")
        await web.chat_postMessage(channel="C2", text="2")
        with pytest.raises(SlackApiError) as limited:
            await web.chat_postMessage(channel="C3", text="3")  # a third channel: still the workspace's
        assert limited.value.response.status_code == 429
        assert 59 <= int(limited.value.response.headers["Retry-After"]) <= 60  # whole seconds, as Slack sends
        assert [(p.team, p.channel) for p in slack.posted] == [("T0TEAM", "C1"), ("T0TEAM", "C2")]
        assert slack.posted[0].time <= slack.posted[1].time


async def test_slack_sdk_retry_handler_waits_out_a_scripted_429(slack):
    slack.script([("ratelimited", 0)], channel="C1")
    web = client(slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    answer = await web.chat_postMessage(channel="C1", text="card")
    assert answer["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert len(slack.messages("C1")) == 1


async def test_scripted_errors_and_statuses(slack):
    slack.script([("ok",), ("status", 500), ("error", "channel_not_found"), ("error", "not_in_channel")])
    web = client(slack)
    await web.chat_postMessage(channel="C1", text="fine")
    with pytest.raises(SlackApiError) as server:
        await web.chat_postMessage(channel="C1", text="x")
    assert server.value.response.status_code == 500
    for error in ("channel_not_found", "not_in_channel"):
        with pytest.raises(SlackApiError) as failed:
            await web.chat_postMessage(channel="C1", text="x")
        assert failed.value.response["error"] == error
    await web.chat_postMessage(channel="C1", text="fine again")
    assert [m["text"] for m in slack.messages("C1")] == ["fine", "fine again"]


async def test_faults_can_target_one_channel_and_other_methods(slack):
    slack.script([("error", "ratelimited")], method="conversations.history", channel="C2")
    web = client(slack)
    await web.conversations_history(channel="C1")
    with pytest.raises(SlackApiError):
        await web.conversations_history(channel="C2")
    slack.add_channel("C3", is_member=False)
    with pytest.raises(SlackApiError) as outside:
        await web.chat_postMessage(channel="C3", text="x")
    assert outside.value.response["error"] == "not_in_channel"


async def test_a_dropped_reply_still_stores_the_message(slack):
    slack.script([("drop_reply",)])
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client(slack).chat_postMessage(channel="C1", text="card 1")
    assert [m["text"] for m in slack.messages("C1")] == ["card 1"]
    assert slack.calls_to("chat.postMessage")[0].status == 0
    # The sender can reconcile: the message is in the channel's history.
    history = await client(slack).conversations_history(channel="C1")
    assert history["messages"][0]["text"] == "card 1"


async def test_slack_sdk_default_retry_posts_twice_after_a_dropped_reply(slack):
    """Why reconciliation is needed: the default connection-error retry re-sends."""
    slack.script([("drop_reply",)])
    await AsyncWebClient(token=slack.token, base_url=slack.base_url).chat_postMessage(channel="C1", text="card")
    assert [m["text"] for m in slack.messages("C1")] == ["card", "card"]


async def test_a_hung_reply_times_out_the_client_after_storing(slack):
    slack.script([("drop_reply", 5)])
    web = AsyncWebClient(token=slack.token, base_url=slack.base_url, timeout=0.2, retry_handlers=[])
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await web.chat_postMessage(channel="C1", text="card")
    assert time.monotonic() - started < 2
    assert len(slack.messages("C1")) == 1


async def test_until_polls_for_background_effects(slack):
    async def later():
        await asyncio.sleep(0.05)
        await client(slack).chat_postMessage(channel="C1", text="late")

    task = asyncio.create_task(later())
    [message] = await slack.until(lambda: slack.messages("C1"), timeout=2)
    assert message["text"] == "late"
    await task
    with pytest.raises(AssertionError):
        await slack.until(lambda: slack.messages("C2"), timeout=0.05)
