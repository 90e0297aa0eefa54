"""Every reader-facing text exists in every reader language, with English's placeholders and markup."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from string import Formatter

import pytest

import bot
import digest
from bot import command_text, manage_text
from bot.discord import texts as discord_texts
from bot.slack import texts as slack_texts
from config.settings import LANGUAGES
from digest.i18n import LANGUAGE_NAMES, Catalog, label
from digest.qa import text as qa_text


def _catalogs() -> dict[str, Catalog]:
    """Every Catalog defined at the top of a module of bot/ or digest/ (``NAME = Catalog(``),
    found by importing each: a catalogue added later is checked without being listed here."""
    found: dict[str, Catalog] = {}
    for package in (bot, digest):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.endswith("__main__") or ".migrations" in info.name:
                continue  # a program's entry, and Alembic's scripts (run by Alembic only)
            module = importlib.import_module(info.name)
            try:
                source = inspect.getsource(module)
            except OSError:  # an empty __init__.py
                continue
            for name, value in vars(module).items():
                if isinstance(value, Catalog) and f"\n{name} = Catalog(" in source:
                    found[f"{info.name}.{name}"] = value
    return found


CATALOGS = _catalogs()

# Texts that are the same in every language, so a table may leave them to English: "Comment"
# is arXiv's own field name (the reference digests keep it); "et al." is French and Spanish too.
SAME_EVERYWHERE = {("digest.i18n.LABELS", "comment"), ("digest.i18n.LABELS", "et_al")}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def markup(text: str) -> tuple[int, int]:
    """How many `code` spans and *bold* marks a text has: a translation keeps both."""
    return text.count("`"), text.count("*")


def test_the_catalogues_are_found():
    assert {
        "digest.i18n.LABELS", "digest.qa.text.LABELS", "bot.command_text.MESSAGES", "bot.command_text.REPLIES",
        "bot.slack.texts.TEXTS", "bot.discord.texts.TEXTS",
    } <= set(CATALOGS)  # fmt: skip
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("table", sorted(CATALOGS))
def test_every_key_is_written_in_every_language(table, language):
    """No English fallback: a key a language lacks would show English to its readers."""
    catalog = CATALOGS[table]
    own = catalog.tables.get(language, {})
    assert set(own) <= set(catalog.english), f"keys English lacks: {sorted(set(own) - set(catalog.english))}"
    missing = {key for key in catalog.english if key not in own and (table, key) not in SAME_EVERYWHERE}
    assert not missing, f"{table} has no {language} text for {sorted(missing)}"
    for key, english in catalog.english.items():
        text = catalog.text(language, key)
        assert text.strip(), (key, language)
        assert placeholders(text) == placeholders(english), (table, key, language)


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
@pytest.mark.parametrize("table", sorted(CATALOGS))
def test_a_translation_keeps_the_markup_and_is_translated(table, language):
    catalog = CATALOGS[table]
    for key, text in catalog.tables.get(language, {}).items():
        english = catalog.english[key]
        assert markup(text) == markup(english), (table, key, language, text)


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_the_sentences_are_translated_not_copied(language):
    """A text copied from English would pass the key check: sentences must differ."""
    for table in ("bot.command_text.MESSAGES", "bot.command_text.REPLIES", "bot.slack.texts.TEXTS",
                  "bot.discord.texts.TEXTS", "bot.discord.translator.COMMANDS", "digest.qa.text.LABELS"):  # fmt: skip
        catalog = CATALOGS[table]
        copied = [key for key, text in catalog.tables[language].items()
                  if text == catalog.english[key] and len(placeholders(text)) < len(text.split())]  # fmt: skip
        assert not copied, (table, language, copied)


def test_english_fills_in_for_no_language_and_values_fill_placeholders():
    assert qa_text.label(None, "not_said") == qa_text.label("en", "not_said") == "The paper does not say."
    assert qa_text.label("fr", "not_said") == "L'article ne le dit pas."
    assert discord_texts.say("ja", "ask_button") == "この論文について質問"
    assert slack_texts.say("pt", "reading") == "Reading the paper…"  # not a reader language: English
    assert label("xx", "posted") == "Posted"
    assert label("ja", "count", shown=8, candidates=40) == "40件中8件"
    # Placeholders may share the lookup's own parameter names ("`{key}=` is given twice").
    assert command_text.MESSAGES.text("en", "twice", key="day") == "`day=` is given twice; keep one."
    assert command_text.MESSAGES.text("ja", "twice", key="day") == "`day=` が2回指定されています。1つにしてください。"
    with pytest.raises(KeyError):
        label("en", "no such key")


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_a_failure_notice_is_in_the_subscription_s_language(language):
    text = label(language, "notice_failing", topic="x", what=label(language, "failed:arxiv"), next="2026-12-07 09:00")
    assert text != label("en", "notice_failing", topic="x", what=label("en", "failed:arxiv"), next="2026-12-07 09:00")
    assert "*x*" in text and "2026-12-07 09:00" in text


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_text_of_managing_subscriptions_is_translated(language):
    assert set(manage_text.TEXTS.tables[language]) == set(manage_text.TEXTS.english)
