"""Signed Slack request builders: slack_sdk's verifier and bolt's dispatch accept or reject them."""

import pytest
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import (
    app_mention,
    event_callback,
    message_event,
    redelivered,
    signature,
    slash_command,
    stale,
    tampered,
    unsigned,
    url_verification,
    wrong_secret,
)

SECRET = "test-signing-secret"
VERIFIER = SignatureVerifier(SECRET)


def valid(request):
    return VERIFIER.is_valid_request(request.body, request.headers)


def test_signature_matches_slacks_documented_example():
    # From Slack's "Verifying requests from Slack" walkthrough.
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_slash_command_is_signed_form_with_every_field():
    request = slash_command(SECRET, "subscribe a & b <x>", response_url="http://127.0.0.1:1/response/7")
    assert valid(request)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = request.payload
    assert fields["command"] == "/arxiv"
    assert fields["text"] == "subscribe a &amp; b &lt;x&gt;"  # Slack escapes what users type
    assert fields["response_url"] == "http://127.0.0.1:1/response/7"
    for key in ("user_id", "channel_id", "team_id", "trigger_id"):
        assert fields[key]
    assert slash_command(SECRET, "a & b", escaped=False).payload["text"] == "a & b"


def test_events_are_signed_json_callbacks():
    mention = event_callback(SECRET, app_mention("what is new?", thread_ts="1714000000.000100"), event_id="Ev1")
    assert valid(mention)
    body = mention.payload
    assert (body["type"], body["event_id"]) == ("event_callback", "Ev1")
    assert body["event"]["type"] == "app_mention"
    assert body["event"]["text"] == "<@U0BOT> what is new?"
    assert body["event"]["thread_ts"] == "1714000000.000100"
    reply = event_callback(SECRET, message_event("and the dataset?", thread_ts="1714000000.000100"))
    assert valid(reply) and reply.payload["event"]["thread_ts"] == "1714000000.000100"
    own = message_event("answer", user=None, bot_id="B0BOT")
    assert "user" not in own and own["bot_id"] == "B0BOT"
    assert event_callback(SECRET, own).payload["event_id"] != reply.payload["event_id"]
    assert valid(url_verification(SECRET))


def test_redelivery_keeps_the_body_and_adds_retry_headers():
    first = event_callback(SECRET, app_mention("q"))
    again = redelivered(first, SECRET, attempt=2)
    assert valid(again) and again.body == first.body
    assert again.headers["X-Slack-Retry-Num"] == "2"
    assert again.headers["X-Slack-Retry-Reason"] == "http_timeout"


@pytest.mark.parametrize(
    "build", [lambda: slash_command(SECRET, "list"), lambda: event_callback(SECRET, app_mention("q"))]
)
def test_tampered_stale_unsigned_and_foreign_requests_fail_verification(build):
    request = build()
    assert valid(request)
    assert not valid(tampered(request))
    assert not valid(stale(request, SECRET))
    assert not valid(unsigned(request))
    assert not valid(wrong_secret(request))
    assert valid(stale(request, SECRET, age=60))  # within Slack's five minutes


async def test_bolt_dispatch_acks_signed_requests_and_rejects_the_rest():
    with FakeSlackAPI() as slack:
        app = AsyncApp(
            signing_secret=SECRET,
            client=AsyncWebClient(token=slack.token, base_url=slack.base_url),
            process_before_response=True,
        )
        seen = []

        @app.command("/arxiv")
        async def arxiv(ack, command):
            seen.append(command["text"])
            await ack("ok")

        async def dispatch(request):
            return await app.async_dispatch(AsyncBoltRequest(body=request.body, headers=request.headers))

        command = slash_command(SECRET, "help", response_url=slack.response_url())
        response = await dispatch(command)
        assert response.status == 200 and seen == ["help"]
        for bad in (tampered(command), stale(command, SECRET), unsigned(command), wrong_secret(command)):
            assert (await dispatch(bad)).status == 401
        assert seen == ["help"]
        assert [c.method for c in slack.calls] == ["auth.test"]  # bolt checked its token once
