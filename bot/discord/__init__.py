"""The Discord adapter: ``/arxiv`` app commands, paper cards as embeds, questions in card threads.

``DiscordService`` (client.py) runs it; ``DiscordPort`` (port.py) is its DigestPort;
``embeds.py`` renders (pure); ``cog.py`` maps the commands onto the shared grammar;
``questions.py`` answers in card threads; ``texts.py`` holds the Discord-only sentences.
"""

from bot.discord.client import DiscordService, DiscordStartupError
from bot.discord.port import DiscordPort

__all__ = ["DiscordPort", "DiscordService", "DiscordStartupError"]
