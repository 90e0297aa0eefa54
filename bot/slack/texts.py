"""Every sentence only Slack users see: a ``digest.i18n.Catalog`` (``SLACK`` of ``bot/lang/*.py``).

The command grammar's own messages and the handlers' replies live in
``bot/command_text.py`` and are shared with Discord; these are the Slack adapter's
additions: its failure replies and the placeholder of a slow thread answer (in the
question's language where its script tells: ``digest.qa.text.question_language``), and
why Slack refused a post. Slack renders mrkdwn, and the adapter escapes &, < and > of everything
it sends, so `<topic>` stays literal.
"""

from __future__ import annotations

from bot.lang import tables
from digest.i18n import Catalog

TEXTS = Catalog(tables("SLACK"))
say = TEXTS.text  # say(language, "reading")

# Why Slack refused a post, as a subscription's "paused" reason (`/arxiv list` shows it);
# keyed by Slack's error code (bot.slack.errors.describe_error), English.
SLACK_ERRORS = {
    "not_in_channel": "the bot is not a member of this channel: invite it with /invite @<the bot's name>",
    "channel_not_found": "Slack cannot find this channel for the bot (deleted, or private without the bot)",
    "is_archived": "the channel is archived",
    "missing_scope": "the Slack app lacks the scope {needed}: add it under OAuth & Permissions and reinstall the app",
    "restricted_action": "a workspace admin restricted who may post in this channel",
    "token": "Slack refused the bot token ({error}): check SLACK_BOT_TOKEN (the app's OAuth & Permissions "
    "page) and restart the bot",
    "other": "Slack answered {error}",
    # OAuth install: the workspace removed the app or revoked its token (bot/slack/installs.py).
    "uninstalled": "the app is not installed in this workspace (removed, or its token revoked): "
    "reinstall it from /slack/install, then an admin resumes with /arxiv resume <id>",
}
