"""The ``/arxiv`` slash command in the member's client language: a discord.py ``Translator``.

discord.py turns every description, option description and choice name of a command
into a ``locale_str`` of its English text and, when the commands are synced, asks the
tree's translator for each Discord locale (https://discord.com/developers/docs/interactions/application-commands#localization);
what it answers is sent as ``description_localizations`` and ``name_localizations``, and
a Japanese client then shows the Japanese. The texts are ``COMMANDS`` (``DISCORD_COMMANDS``
of ``bot/lang/*.py``), keyed by what they describe ("subscribe.topic"); the cog keeps
writing its English, and this finds the key by that English text, so a description
with no key stays English (``tests/test_discord_translator.py`` requires every one).
Command and option names are not translated: the help and Slack users type them.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.lang import tables
from bot.locales import language_of
from digest.i18n import Catalog

COMMANDS = Catalog(tables("DISCORD_COMMANDS"))
_NAMES = (Where.command_name, Where.group_name, Where.parameter_name)


class CatalogTranslator(app_commands.Translator):
    """Answers from ``COMMANDS`` for the locales of our reader languages (``ja``,
    ``zh-CN``, ``ko``, ``de``, ``fr``, ``es-ES``, ``es-419``); None (the English as
    written) for English, for the others, and for names."""

    def __init__(self) -> None:
        self._keys = {text: key for key, text in COMMANDS.english.items()}
        if len(self._keys) != len(COMMANDS.english):
            raise ValueError("two DISCORD_COMMANDS keys share an English text: the translator could not tell them apart")

    def key_of(self, english: str) -> str | None:
        return self._keys.get(english)

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        language = language_of(locale)
        key = self._keys.get(string.message)
        if context.location in _NAMES or language in (None, "en") or key is None:
            return None
        return COMMANDS.text(language, key)
