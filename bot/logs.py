"""The process's logging, set up in one place: lines an operator can act on, never a secret.

``setup_logging()`` gives the root logger one stderr handler (``LEVEL name: message``)
and ``log_level(level)`` sets how much it says (WARNING for the one-shot commands, INFO
for ``run``), in both cases:

- holding at WARNING the libraries that log a line per HTTP request or per job: httpx
  (``httpx2`` under the openai SDK), the openai SDK, slack_sdk, slack_bolt, aiohttp's
  access log, discord.py's HTTP client, APScheduler, procrastinate (a line per job, and
  "No periodic task found" at every start; its warnings and errors kept);
- dropping the warnings printed on every start that no setting can silence (``DROPPED``:
  discord.py's voice packages, which the bot never uses; bolt's note on the client it is
  given; alembic's dialect lines; discord.py's "logging in");
- masking secrets in every line, tracebacks included (``config.report.mask_secrets``:
  URL passwords, secret query values, Slack/OpenAI/Discord token shapes).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from config.report import mask_secrets

FORMAT = "%(levelname)s %(name)s: %(message)s"
QUIET = ("httpx", "httpx2", "httpcore", "openai", "slack_sdk", "slack_bolt", "aiohttp.access", "discord.http", "apscheduler",
         "procrastinate")
# (logger name prefix, or "" for any; text in the message): lines with no action to take.
DROPPED = (
    ("discord.client", "is not installed, voice will NOT be supported"),  # PyNaCl, davey: voice is unused
    ("discord.client", "logging in using static token"),
    ("discord.ext.commands", "Privileged message content intent is missing"),  # asked for only when set
    ("", "As you gave `client` as well, `token` will be unused"),  # bolt: we give it our configured client
    ("alembic.runtime.migration", "Context impl"),
    ("alembic.runtime.migration", "Will assume"),
)


class _Masking(logging.Formatter):
    """Formats as usual, then masks secrets in the whole text (message and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def _actionable(record: logging.LogRecord) -> bool:
    message = record.getMessage()
    return not any(record.name.startswith(name) and text in message for name, text in DROPPED)


def setup_logging(stream: TextIO | None = None, level: int = logging.WARNING) -> logging.Handler:
    """Route every log line to ``stream`` (stderr) at ``level``; returns the handler.

    Replaces the root logger's handlers: the process's entry point calls it once.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Masking(FORMAT))
    handler.addFilter(_actionable)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    log_level(level)
    return handler


def log_level(level: int) -> None:
    """Our own loggers at ``level``; the per-request libraries at WARNING or above."""
    logging.getLogger().setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
