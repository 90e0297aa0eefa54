"""Discord's wire objects as the API sends them, for the loopback fake and the tests.

Shapes follow Discord's documentation (and ``discord/types/``): users, members,
guilds, channels, messages and the interaction payloads a gateway delivers.
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime, timezone
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
ALL_PERMISSIONS = (1 << 51) - 1
# What a member without Manage Channels (1 << 4) has: everything else, for simplicity.
MEMBER_PERMISSIONS = ALL_PERMISSIONS & ~(1 << 4) & ~(1 << 3)  # no Manage Channels, no Administrator
TEXT, PUBLIC_THREAD = 0, 11
EPHEMERAL = 1 << 6


class Snowflakes:
    """Increasing snowflake ids, time-based like Discord's (created_at reads right)."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            return str((ms << 22) | (next(self._counter) % (1 << 22)))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(person: dict[str, Any], *, permissions: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user": person,
        "roles": [],
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)  # as interactions send it: resolved in the channel
    return data


def text_channel(channel_id: str, guild_id: str, name: str) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": TEXT,
        "guild_id": guild_id,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "default_auto_archive_duration": 1440,
    }


def thread_channel(thread_id: str, parent: dict[str, Any], name: str, owner_id: str) -> dict[str, Any]:
    return {
        "id": thread_id,
        "type": PUBLIC_THREAD,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "name": name,
        "owner_id": owner_id,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 10080,
            "archive_timestamp": now_iso(),
            "locked": False,
            "create_timestamp": now_iso(),
        },
    }


def guild(guild_id: str, channels: list[dict[str, Any]], bot_member: dict[str, Any]) -> dict[str, Any]:
    everyone = {
        "id": guild_id,
        "name": "@everyone",
        "permissions": str(ALL_PERMISSIONS),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    return {
        "id": guild_id,
        "name": "Fake Guild",
        "icon": None,
        "owner_id": "1",
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": 2,
        "channels": channels,
        "threads": [],
        "members": [bot_member],
        "voice_states": [],
        "presences": [],
        "unavailable": False,
        "large": False,
        "joined_at": now_iso(),
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "afk_timeout": 300,
        "system_channel_flags": 0,
    }


def message(
    message_id: str,
    channel_id: str,
    guild_id: str | None,
    author: dict[str, Any],
    *,
    content: str = "",
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    mentions: list[dict[str, Any]] | None = None,
    flags: int = 0,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds or [],
        "components": components or [],
        "pinned": False,
        "type": 0,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
    return data


def interaction(
    interaction_id: str,
    kind: int,
    data: dict[str, Any],
    *,
    application_id: str,
    guild_id: str,
    channel: dict[str, Any],
    person: dict[str, Any],
    permissions: int,
    token: str,
    app_permissions: int = ALL_PERMISSIONS,
    card: dict[str, Any] | None = None,
    locale: str = "en-US",
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: 2 command, 3 component, 4 autocomplete; ``locale``:
    the invoker's client language (https://discord.com/developers/docs/reference#locales)."""
    payload: dict[str, Any] = {
        "id": interaction_id,
        "application_id": application_id,
        "type": kind,
        "data": data,
        "guild_id": guild_id,
        "channel_id": channel["id"],
        "channel": channel,
        "member": member(person, permissions=permissions),
        "token": token,
        "version": 1,
        "app_permissions": str(app_permissions),
        "locale": locale,
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": guild_id},
        "context": 0,
        "attachment_size_limit": 8 * 1024 * 1024,
    }
    if card is not None:
        payload["message"] = card
    return payload


def option(name: str, value: Any, *, focused: bool = False) -> dict[str, Any]:
    """A typed option: booleans as type 5, integers as type 4, everything else as a string (type 3)."""
    kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
    data: dict[str, Any] = {"name": name, "type": kind, "value": value}
    if focused:
        data["focused"] = True
    return data
