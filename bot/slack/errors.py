"""Slack's Web API errors as the port's three kinds (``digest/delivery/ports.py``): a
channel the bot may not post to (``ChatPermissionError``: the subscription paused), a
post whose answer was lost (``ChatReplyLost``: looked for before posting again), and the
rest (``ChatError``: retried later). Messages name the channel and Slack's error code
(https://api.slack.com/methods/chat.postMessage#errors), never the token.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.slack.texts import SLACK_ERRORS
from digest.delivery.ports import ChatError, ChatPermissionError, ChatReplyLost
from digest.models import ChannelRef

# The bot may not post here: retrying will not help, the subscription is paused.
PERMISSION_ERRORS = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "missing_scope",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
# The token itself is refused. That is the deployment's problem, not the channel's:
# a plain ChatError (retried later) rather than pausing every subscription one by one.
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"}
)


def describe_error(error: str, response: Any = None) -> str:
    """Slack's error code as a sentence a channel can act on (a paused subscription shows it)."""
    if error in SLACK_ERRORS:
        needed = response.get("needed") if response is not None else None
        return SLACK_ERRORS[error].format(needed=needed or "this call needs")
    if error.startswith("restricted_action"):
        return SLACK_ERRORS["restricted_action"]
    if error in TOKEN_ERRORS:
        return SLACK_ERRORS["token"].format(error=error)
    return SLACK_ERRORS["other"].format(error=error)


def slack_error(err: Exception) -> str | None:
    """Slack's error code of an API error (``token_revoked``), else None."""
    if isinstance(err, SlackApiError) and isinstance(err.response.data, dict):
        return err.response.data.get("error")
    return None


def failure_of(err: Exception, method: str, channel: ChannelRef, posting: bool) -> ChatError:
    """``err`` as the port's error kinds; ``posting``: the call may have created a message."""
    where = f"Slack {method} in {channel.channel_id}"
    if isinstance(err, SlackApiError):
        status = err.response.status_code
        data = err.response.data if isinstance(err.response.data, dict) else {}
        error = str(data.get("error") or f"HTTP {status}")
        if error in PERMISSION_ERRORS or error.startswith("restricted_action"):
            return ChatPermissionError(f"{where}: {describe_error(error, data)}")
        if status >= 500 and posting:
            # Slack's edge may answer 5xx after the message was stored: look before re-posting.
            return ChatReplyLost(f"{where}: HTTP {status}, the message may have been posted")
        return ChatError(f"{where}: {describe_error(error, data)}")
    if isinstance(err, aiohttp.ClientConnectorError):
        return ChatError(f"{where}: cannot connect ({type(err).__name__})")  # nothing was sent
    if isinstance(err, (aiohttp.ClientError, asyncio.TimeoutError)):
        kind = "timed out" if isinstance(err, asyncio.TimeoutError) else f"connection lost ({type(err).__name__})"
        if posting:
            return ChatReplyLost(f"{where}: {kind}; the message may have been posted")
        return ChatError(f"{where}: {kind}")
    return ChatError(f"{where}: {type(err).__name__}")  # SlackRequestError and the like: no detail, no token
