"""What every ``digest-bot`` command shares: its error line and its ``--lang`` check.

Errors go to standard error as one line (``soft_wrap``: a path or a command in it is not
broken across lines, so it can be copied), the message escaped for rich's markup.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from config.settings import LANGUAGES

err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as the command's error; the ``typer.Exit`` to raise with ``code``."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def language_option(value: str | None) -> str | None:
    """A ``--lang`` callback: one of ``config.settings.LANGUAGES``, or None (the default)."""
    if value is not None and value not in LANGUAGES:
        raise typer.BadParameter(f"{value!r} is not supported; use one of {', '.join(LANGUAGES)}")
    return value
