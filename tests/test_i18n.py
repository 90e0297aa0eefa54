"""Every reader-facing text exists in every reader language, with English's placeholders."""

from __future__ import annotations

from string import Formatter

import pytest

from bot import command_text, manage_text
from bot.discord import texts as discord_texts
from bot.slack import texts as slack_texts
from digest.i18n import _EN, LABELS, LANGUAGE_NAMES, Catalog, label
from digest.qa import text as qa_text

# Every text table, each looked up by Catalog.text.
CATALOGS: dict[str, Catalog] = {
    "digest.i18n.LABELS": LABELS,
    "digest.qa.text.LABELS": qa_text.LABELS,
    "bot.command_text.MESSAGES": command_text.MESSAGES,
    "bot.command_text.REPLIES": command_text.REPLIES,
    "bot.manage_text.TEXTS": manage_text.TEXTS,
    "bot.slack.texts.TEXTS": slack_texts.TEXTS,
    "bot.discord.texts.TEXTS": discord_texts.TEXTS,
}

# "Comment" is arXiv's own field name (the reference digests keep it); "et al." is French and Spanish too.
SAME_EVERYWHERE = {"comment", "et_al"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
@pytest.mark.parametrize("table", sorted(CATALOGS))
def test_every_text_is_there_in_every_language_with_english_placeholders(table, language):
    catalog = CATALOGS[table]
    assert set(catalog.tables.get(language, {})) <= set(catalog.english), "a key English lacks"
    for key, english in catalog.english.items():
        text = catalog.text(language, key)  # translated, or English where a table has no translation
        assert text, (key, language)
        assert placeholders(text) == placeholders(english), (key, language)


def test_english_fills_a_gap_and_values_fill_placeholders():
    assert qa_text.label(None, "not_said") == qa_text.label("en", "not_said") == "The paper does not say."
    assert discord_texts.say("fr", "ask_button") == "Ask about this paper"  # Discord texts: English and Japanese
    assert label("xx", "posted") == "Posted"
    assert label("ja", "count", shown=8, candidates=40) == "40件中8件"
    # Placeholders may share the lookup's own parameter names ("`{key}=` is given twice").
    assert command_text.MESSAGES.text("en", "twice", key="day") == "`day=` is given twice; keep one."
    with pytest.raises(KeyError):
        label("en", "no such key")


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_label_is_translated(language):
    assert set(_EN) - SAME_EVERYWHERE <= set(LABELS.tables[language])


@pytest.mark.parametrize("language", sorted(set(LANGUAGE_NAMES) - {"en"}))
def test_a_failure_notice_is_in_the_subscription_s_language(language):
    text = label(language, "notice_failing", topic="x", what=label(language, "failed:arxiv"), next="2026-12-07 09:00")
    assert text != label("en", "notice_failing", topic="x", what=label("en", "failed:arxiv"), next="2026-12-07 09:00")
    assert "*x*" in text and "2026-12-07 09:00" in text


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_text_of_managing_subscriptions_is_translated(language):
    assert set(manage_text.TEXTS.tables[language]) == set(manage_text.TEXTS.english)
