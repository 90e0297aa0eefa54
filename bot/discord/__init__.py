"""The Discord adapter: ``/arxiv`` app commands, paper cards as embeds, questions in card threads.

``DiscordClient`` (client.py) is discord.py's client, built first by the composition
root; ``DiscordPort`` (port.py) wraps it as the DigestPort; ``DiscordService``
(client.py) runs both; ``embeds.py`` renders (pure); ``cog.py`` maps the commands onto
the shared grammar; ``questions.py`` answers in card threads; ``texts.py`` holds the
Discord-only sentences.
"""

from bot.discord.client import DiscordClient, DiscordService, DiscordStartupError
from bot.discord.port import DiscordPort

__all__ = ["DiscordClient", "DiscordPort", "DiscordService", "DiscordStartupError"]
