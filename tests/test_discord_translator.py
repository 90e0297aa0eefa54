"""The /arxiv slash command synced with its descriptions in every reader language (discord.py's Translator)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.discord.translator import COMMANDS, CatalogTranslator
from tests.discord_fixtures import world

# Discord's locales of our reader languages (https://discord.com/developers/docs/reference#locales).
LOCALES = {"ja": "ja", "zh-CN": "zh", "ko": "ko", "de": "de", "fr": "fr", "es-ES": "es", "es-419": "es"}


def texts(option: dict[str, Any]) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """(English, its localisations, name localisations) of every description and choice, nested."""
    found = [(option["description"], option.get("description_localizations") or {},
              option.get("name_localizations") or {})]  # fmt: skip
    for choice in option.get("choices") or []:
        found.append((choice["name"], choice.get("name_localizations") or {}, {}))
    for inner in option.get("options") or []:
        found += texts(inner)
    return found


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """/arxiv as the bot synced it to the (fake) Discord API."""

    async def sync() -> dict[str, Any]:
        async with world(tmp_path_factory.mktemp("sync")) as w:
            return w.discord._command("arxiv")

    return asyncio.run(sync())


def test_a_japanese_client_sees_japanese_descriptions_and_choices(synced):
    assert synced["description_localizations"]["ja"] == "arXivの週刊ダイジェスト: 論文ごとに1枚のカード"
    subscribe = next(o for o in synced["options"] if o["name"] == "subscribe")
    assert subscribe["description_localizations"]["ja"] == COMMANDS.text("ja", "subscribe")
    day = next(o for o in subscribe["options"] if o["name"] == "day")
    monday = next(c for c in day["choices"] if c["value"] == "mon")
    assert (monday["name"], monday["name_localizations"]["ja"]) == ("Monday", "月曜日")
    assert subscribe["name"] == "subscribe" and not subscribe.get("name_localizations")  # typed as the help says
    assert "en-US" not in synced["description_localizations"]  # English is the text itself


def test_every_description_and_choice_has_a_text_in_every_reader_locale(synced):
    translator = CatalogTranslator()
    for english, localised, names in texts(synced):
        key = translator.key_of(english)
        assert key is not None, f"no DISCORD_COMMANDS key has the English text {english!r}"
        assert localised == {locale: COMMANDS.text(language, key) for locale, language in LOCALES.items()}, english
        assert all(0 < len(text) <= 100 for text in localised.values()), english  # Discord's limit
        assert not names
