"""Who is asking, on Slack: admin or not, and their language (one ``users.info`` call).

``users.info`` needs the ``users:read`` scope; with ``include_locale=true`` it also
returns the user's ``locale`` (https://api.slack.com/methods/users.info). Answers are
kept for ``TTL`` seconds, so a burst of commands costs one call per person. When the
call fails (most often the scope is missing) the member is treated as not an admin, of
unknown language: refusing is the safe answer, and the reply falls back to the
channel's language.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackClientError

from bot.locales import language_of

log = logging.getLogger(__name__)

TTL = 600.0  # seconds; a promotion to admin or a new locale shows within ten minutes
_SDK_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)


@dataclass(frozen=True)
class Member:
    is_admin: bool  # a workspace admin, owner or primary owner
    language: str | None  # of config.settings.LANGUAGES; None: unknown or not one we write


class Members:
    """``users.info`` lookups, cached per user for ``TTL`` seconds (failures are not cached)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._known: dict[tuple[str, str], tuple[float, Member]] = {}

    async def lookup(self, client: Any, user: str, team: str = "") -> Member:
        """``client``: bolt's ``AsyncWebClient``, carrying the token of the request's team
        (``team``: its id; a user of an Enterprise Grid may be an admin in one team only);
        ``user``: a Slack user id (U...)."""
        now = self._clock()
        if (hit := self._known.get((team, user))) is not None and now - hit[0] < TTL:
            return hit[1]
        try:
            info = (await client.users_info(user=user, include_locale=True))["user"]
        except _SDK_ERRORS as err:
            log.warning("users.info for %s failed (%s); treating them as not an admin", user, type(err).__name__)
            return Member(False, None)
        member = Member(
            is_admin=bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner")),
            language=language_of(info.get("locale")),
        )
        self._known[team, user] = (now, member)
        return member
