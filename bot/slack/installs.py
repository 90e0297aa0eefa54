"""Each workspace's bot token: the configured one, or its OAuth installation's from the store.

``FixedToken`` is the single-workspace mode (a team's own app, SLACK_BOT_TOKEN for every
workspace); ``InstalledTokens`` the OAuth mode (the installation's bot token for the
channel's team, cached for ``TTL`` seconds; an uninstall in this process forgets it at
once, one in another process within ``TTL``, meanwhile Slack refuses the revoked token).
``SlackPort`` asks one of them before every Web API call.

``InstallationStore`` and ``StateStore`` are bolt's asynchronous installation and state
stores (``slack_sdk.oauth``'s interfaces) over our ``Store`` (``digest/store/installations.py``),
so that installations and install states live in our database, migrated with it, on
SQLite and PostgreSQL alike. Bot-only: the app asks for no user scopes, so an
installation is its bot (token, bot id, bot user id, scopes).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.slack.texts import SLACK_ERRORS
from digest.delivery.ports import ChatPermissionError
from digest.store import Store
from digest.store.installations import Installed

log = logging.getLogger(__name__)

PLATFORM = "slack"
TTL = 30.0  # seconds a looked-up token is reused: one store read per workspace per TTL, not per post
NOT_INSTALLED = SLACK_ERRORS["uninstalled"]  # the paused subscriptions' reason


class TokenResolver(Protocol):
    async def token_for(self, workspace_id: str) -> str:
        """The bot token for ``workspace_id`` (a Slack team id); ``ChatPermissionError``
        when the app is not installed there (the Deliverer pauses the subscription)."""
        ...

    def forget(self, workspace_id: str) -> None:
        """Drop what is known of ``workspace_id`` (its app was uninstalled)."""
        ...

    def refused(self, workspace_id: str) -> bool:
        """Slack refused ``workspace_id``'s token: True when that means the app is no longer
        installed there (the subscription is paused), False when it is the deployment's
        token to fix (a plain ``ChatError``, retried)."""
        ...


class FixedToken:
    """One workspace's own app: the configured bot token, whatever the workspace."""

    def __init__(self, token: str | None) -> None:
        self._token = token or ""

    async def token_for(self, workspace_id: str) -> str:
        return self._token

    def forget(self, workspace_id: str) -> None:
        pass

    def refused(self, workspace_id: str) -> bool:
        return False  # SLACK_BOT_TOKEN is wrong for every workspace: not one channel's to pause


class InstalledTokens:
    """OAuth install: the bot token of the workspace's installation, from the store."""

    def __init__(self, store: Store, clock: object = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._known: dict[str, tuple[float, str]] = {}

    async def token_for(self, workspace_id: str) -> str:
        now = self._clock()  # type: ignore[operator]
        if (hit := self._known.get(workspace_id)) is not None and now - hit[0] < TTL:
            return hit[1]
        found = await asyncio.to_thread(self._store.installation, PLATFORM, workspace_id)
        if found is None:
            self._known.pop(workspace_id, None)
            raise ChatPermissionError(f"Slack workspace {workspace_id}: {NOT_INSTALLED}")
        self._known[workspace_id] = (now, found.bot_token)
        return found.bot_token

    def forget(self, workspace_id: str) -> None:
        self._known.pop(workspace_id, None)

    def refused(self, workspace_id: str) -> bool:
        self.forget(workspace_id)  # a reinstall's token is read anew
        return True


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class InstallationStore(AsyncInstallationStore):
    """bolt's installation store on our database; bot-only (``installation_store_bot_only``)."""

    def __init__(self, store: Store, tokens: TokenResolver) -> None:
        self._store = store
        self._tokens = tokens

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self._save(installation.to_bot(), installation.user_id)

    async def async_save_bot(self, bot: Bot) -> None:
        await self._save(bot, None)

    async def _save(self, bot: Bot, installed_by: str | None) -> None:
        workspace = bot.team_id or bot.enterprise_id or ""
        installed = Installed(
            platform=PLATFORM, workspace_id=workspace, bot_token=bot.bot_token, enterprise_id=bot.enterprise_id,
            app_id=bot.app_id, bot_id=bot.bot_id, bot_user_id=bot.bot_user_id, scopes=",".join(bot.bot_scopes),
            installed_by=installed_by,
        )
        await asyncio.to_thread(self._store.save_installation, installed, _utc_now())
        self._tokens.forget(workspace)  # a reinstall's new token replaces the cached one
        log.info("Slack app installed in workspace %s (bot user %s)", workspace, bot.bot_user_id)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        workspace = (enterprise_id if is_enterprise_install else team_id) or ""
        found = await asyncio.to_thread(self._store.installation, PLATFORM, workspace)
        if found is None:
            return None
        return Bot(
            app_id=found.app_id, enterprise_id=found.enterprise_id, team_id=found.workspace_id,
            bot_token=found.bot_token, bot_id=found.bot_id or "", bot_user_id=found.bot_user_id or "",
            bot_scopes=found.scopes, is_enterprise_install=bool(is_enterprise_install),
            installed_at=(found.installed_at or _utc_now()).timestamp(),
        )

    async def async_find_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        raise NotImplementedError()  # bot-only: bolt falls back to async_find_bot

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await uninstall(self._store, self._tokens, team_id or enterprise_id or "")

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:  # a user's own token: we hold none
            await uninstall(self._store, self._tokens, team_id or enterprise_id or "")


async def uninstall(store: Store, tokens: TokenResolver, workspace_id: str) -> list[int]:
    """The app removed from ``workspace_id``: its token deleted, its subscriptions paused
    (by the bot, ``NOT_INSTALLED`` their reason); the ids paused."""
    paused = await asyncio.to_thread(store.uninstall, PLATFORM, workspace_id, NOT_INSTALLED)
    tokens.forget(workspace_id)
    log.info("Slack app uninstalled from workspace %s: its token deleted, %d subscription(s) paused",
             workspace_id, len(paused))
    return paused


class StateStore(AsyncOAuthStateStore):
    """bolt's OAuth state store on our database: each state used once, before it expires,
    by whichever process gets the redirect."""

    def __init__(self, store: Store, expiration_seconds: int) -> None:
        self._store = store
        self._lifetime = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(32)
        now = _utc_now()
        await asyncio.to_thread(self._store.issue_state, state, now, now + self._lifetime)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state:
            return False
        return await asyncio.to_thread(self._store.consume_state, state, _utc_now())
