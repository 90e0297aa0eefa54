"""The chat platforms' settings: Slack (one workspace's token, or OAuth installs) and Discord (shards)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode

from config.sections import _Section
from config.values import MAX_SHARDS, HttpUrl, shard_ids

# The bot scopes the Slack app needs (README's manifest says why each).
SLACK_SCOPES = ("commands", "chat:write", "app_mentions:read", "channels:history", "groups:history", "users:read",
                "reactions:read")
REQUIRED_SCOPES = ("commands", "chat:write")  # /arxiv and posting: without them the bot does nothing
# Slack's scope names (api.slack.com/scopes): a bare word (commands) or resource:action,
# with dots, dashes and underscores inside (chat:write.public, admin.teams:read).
_SCOPE = re.compile(r"[a-z][a-z_.-]*(:[a-z][a-z_.-]*)?")
_SCOPES_ALLOWED = ("must be Slack bot scopes, comma-separated (commands,chat:write,app_mentions:read) or a JSON "
                   "list, including commands and chat:write; unset or empty: the manifest's seven")
NO_SIGNING_SECRET = (
    "SLACK_SIGNING_SECRET is not set. Without SLACK_APP_TOKEN the Slack app runs in HTTP mode, "
    "which checks every request from Slack with it: copy the Signing Secret from "
    "https://api.slack.com/apps > your app > Basic Information > App Credentials, "
    "or set SLACK_APP_TOKEN to use Socket Mode instead."
)


class SlackSettings(_Section):
    bot_token: SecretStr | None = None  # SLACK_BOT_TOKEN (xoxb-...): enables the Slack app
    app_token: SecretStr | None = None  # SLACK_APP_TOKEN (xapp-...): Socket Mode, no public URL
    signing_secret: SecretStr | None = None  # SLACK_SIGNING_SECRET: required in HTTP mode
    api_url: HttpUrl = "https://slack.com/api/"
    http_port: int = Field(3000, ge=1, le=65535)
    admins_only: bool = False  # subscribe/unsubscribe: workspace admins and `allowed_users` only
    # NoDecode: a value that is not JSON is the validator's error (key, value, what is
    # allowed), not pydantic-settings' parse error naming only the section.
    allowed_users: Annotated[list[str], NoDecode] = []
    answer_all_replies: bool = False  # answer any reply in a card's thread (needs history scopes)
    messages_per_second: float = Field(1.0, gt=0, description="per channel, Slack's posting limit")
    # Slack keeps a workspace-wide posting limit without publishing it (api.slack.com/docs/rate-limits);
    # 300 stays under the one published estimate found, the 525 a minute Moveworks keeps to.
    workspace_messages_per_minute: float = Field(300.0, gt=0, description="per workspace, every channel and process")
    # An answer slower than this gets a "Reading the paper…" reply first, edited into the answer.
    placeholder_after: float = Field(1.5, ge=0, description="seconds before a thread answer shows a placeholder")
    # OAuth install (any number of workspaces, each its own token in the database): both set.
    client_id: str | None = None  # SLACK_CLIENT_ID
    client_secret: SecretStr | None = Field(None, validate_default=True)  # SLACK_CLIENT_SECRET
    scopes: Annotated[list[str], NoDecode] = list(SLACK_SCOPES)  # bot scopes an install asks for

    @field_validator("allowed_users", mode="before")
    @classmethod
    def _json_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ValueError('must be a JSON list of Slack user ids, e.g. ["U012AB3CD", "U045EF6GH"]') from None
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _scope_list(cls, value: Any) -> Any:
        """Slack's own comma-separated form or a JSON list; blank (``DIGEST_SLACK_SCOPES=``
        left in a .env file) means unset: the default scopes."""
        if not isinstance(value, str):
            return value
        if not value.strip():
            return list(SLACK_SCOPES)
        if not value.lstrip().startswith("["):
            return [scope.strip() for scope in value.split(",") if scope.strip()]
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(_SCOPES_ALLOWED) from None

    @field_validator("scopes")
    @classmethod
    def _slack_scopes(cls, value: list[str]) -> list[str]:
        bad = [scope for scope in value if not _SCOPE.fullmatch(scope)]
        missing = [scope for scope in REQUIRED_SCOPES if scope not in value]
        if bad or missing:
            why = f"{', '.join(map(repr, bad))} not a scope name" if bad else f"{' and '.join(missing)} missing"
            raise ValueError(f"{_SCOPES_ALLOWED} ({why})")
        return value

    @field_validator("client_secret")
    @classmethod
    def _both_or_neither(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if (value is None) != (info.data.get("client_id") is None):
            raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (OAuth install): set both or neither")
        if value is not None and info.data.get("bot_token") is not None:
            raise ValueError("OAuth install (SLACK_CLIENT_ID/SECRET) takes each workspace's token from its "
                             "installation: unset SLACK_BOT_TOKEN, or unset both for one workspace's own app")
        return value

    @property
    def oauth(self) -> bool:
        """Installed by OAuth in any number of workspaces, rather than one workspace's bot token."""
        return self.client_secret is not None

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None or self.oauth

    @property
    def described(self) -> str:
        """Where the tokens come from and how events arrive, for the start log."""
        tokens = "OAuth install" if self.oauth else "one workspace's token"
        return f"{tokens}, {'Socket Mode' if self.app_token is not None else 'HTTP'}"

    def problem(self) -> str | None:
        """What stops the app from starting that no single value shows, or None: HTTP mode
        (no ``app_token``) verifies Slack's requests with the signing secret, so needs one."""
        if self.enabled and self.app_token is None and not (self.signing_secret and self.signing_secret.get_secret_value()):
            return NO_SIGNING_SECRET
        return None


class DiscordSettings(_Section):
    token: SecretStr | None = None  # DISCORD_TOKEN: enables the Discord bot
    api_url: HttpUrl = "https://discord.com/api/v10"
    guild_id: str | None = None  # sync commands to this guild only (fast while developing)
    manage_channels_to_subscribe: bool = True
    message_content: bool = False  # answer any message in a card's thread (privileged intent)
    # Sharding across processes (bot/discord/shards.py); both unset: one process runs every
    # shard Discord recommends. After shard_count: shard_ids is checked against it.
    shard_count: int | None = Field(None, ge=1, le=MAX_SHARDS, description="shards of all processes together")
    shard_ids: Annotated[list[int] | None, NoDecode] = None  # this process's: "0-3", "0,2"; unset: all

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, value: Any) -> list[int] | None:
        return shard_ids(value)

    @field_validator("shard_ids")
    @classmethod
    def _within_count(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is None or "shard_count" not in info.data:  # a bad shard_count has its own error
            return value
        count = info.data["shard_count"]
        if count is None:
            raise ValueError("needs discord.shard_count (DISCORD_SHARD_COUNT) too: the number of shards of all processes together")
        if value[-1] >= count:
            raise ValueError(f"shard {value[-1]} does not exist: with shard_count {count} the shards are 0-{count - 1}")
        return value

    @field_validator("guild_id")
    @classmethod
    def _snowflake(cls, value: str | None) -> str | None:
        if value and not value.isdigit():  # a Discord id (snowflake) is a number
            raise ValueError("must be a server id, digits only: Developer Mode on, right-click the server > "
                             "Copy Server ID; or leave it unset")
        return value or None

    @property
    def enabled(self) -> bool:
        return self.token is not None
