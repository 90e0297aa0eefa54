"""What a chat adapter hands the platform-free handlers (``Invocation``) and gets back (``Reply``).

Both adapters turn their payloads into an ``Invocation``; ``bot.ack.answer_command``
shows the ``Reply`` within the platform's deadline, then runs its ``work``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from digest.models import ChannelRef

Update = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Invocation:
    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    text: str  # what follows /arxiv
    may_subscribe: bool = True  # the adapter's verdict by its settings: may this user subscribe here?
    # A workspace admin or owner (Slack, or a user of slack.allowed_users) or a member
    # with Manage Channels (Discord): may manage any subscription of the channel, not
    # only their own.
    is_admin: bool = False
    # The invoker's language (one of config.settings.LANGUAGES) when the platform tells it
    # (Discord's interaction.locale, a Slack user's locale); None: the channel's (``replying_in``).
    language: str | None = None

    @property
    def channel(self) -> ChannelRef:
        return ChannelRef(self.platform, self.workspace_id, self.channel_id)


@dataclass(frozen=True)
class Reply:
    text: str
    ephemeral: bool = True  # only the caller sees it
    work: Callable[[Update], Awaitable[str]] | None = None  # runs after the ack
