"""Every user-facing sentence of the ``/arxiv`` commands: ``digest.i18n.Catalog`` tables.

``MESSAGES`` are the errors of ``bot.commands.parse`` (``str.format`` templates), each
saying what was wrong and how to write it, and the ``help`` text (``{languages}``,
``{low}`` and ``{high}`` are filled in by ``help_text``); ``REPLIES`` are the handlers'
answers. Slack and Discord both render these, so they use only markup both read
sensibly: `code` and *stars* (bold in Slack, italic in Discord). What only one platform
shows lives in ``bot/slack/texts.py`` and ``bot/discord/texts.py``.

The texts themselves are in ``bot/lang/<language>.py``, one module per reader language
(``MESSAGES`` and ``REPLIES`` there); every language has every key (``tests/test_i18n.py``).
"""

from __future__ import annotations

from bot.lang import tables
from digest.i18n import Catalog

MESSAGES = Catalog(tables("MESSAGES"))
REPLIES = Catalog(tables("REPLIES"))
