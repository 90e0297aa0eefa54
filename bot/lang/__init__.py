"""The chat adapters' texts, one module per reader language (``bot/lang/ja.py`` ...).

Each module holds that language's tables: ``MESSAGES`` (the command grammar's errors and
the help) and ``REPLIES`` (the handlers' answers), both rendered on Slack and Discord,
``SLACK`` and ``DISCORD`` (what only one platform shows), and ``DISCORD_COMMANDS`` (the
slash commands' names' descriptions). ``bot/command_text.py``, ``bot/slack/texts.py``,
``bot/discord/texts.py`` and ``bot/discord/translator.py`` gather them into
``digest.i18n.Catalog``s; a translator edits one file per language, and
``tests/test_i18n.py`` checks that every file has every key with English's placeholders.

Japanese is the reference language; the others follow its content. Placeholders
(``{topic}``), commands and option names (`/arxiv list`, ``day=``) stay as they are:
users type them.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from config.settings import LANGUAGES

# Examples every language shows as typed.
EXAMPLE = "/arxiv subscribe synthetic data day=mon time=09:00 tz=Asia/Tokyo lang=ja max=10"
IDS = "2404.14361, 2404.14361v2, arXiv:2404.14361, math/0211159"  # the forms of an arXiv id...
LINK = "https://arxiv.org/abs/2404.14361"  # ...and of a link


def modules() -> dict[str, ModuleType]:
    """Every language's module, by code, in ``config.settings.LANGUAGES`` order."""
    return {code: import_module(f"bot.lang.{code}") for code in LANGUAGES}


def tables(name: str) -> dict[str, dict[str, str]]:
    """One table of every language: ``tables("REPLIES")`` -> ``{"ja": {...}, "en": {...}, ...}``."""
    return {code: getattr(module, name) for code, module in modules().items()}
