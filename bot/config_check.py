"""`digest-bot config check [--online]`: the effective settings, checked, secrets masked.

Without ``--online`` nothing is contacted: the settings are validated (``config/load.py``:
each bad value with its key, value and what is allowed; each misspelt key with the
closest valid one; Slack's HTTP mode without a signing secret, as ``run`` refuses it; exit 2) and printed as JSON with every secret and URL credential
masked. With ``--online`` each service the settings name is asked once, all at the same
time, within ``--timeout`` seconds, and answers with one line each (exit 1 when one does
not answer or refuses the credentials): the database (a connection; a SQLite file not
created yet is fine when its folder is writable), the LLM server (``GET /models``), the
Slack Web API (``auth.test``), the Discord API (``GET /users/@me``; with
``discord.shard_count`` set, also ``GET /gateway/bot``: the count Discord recommends), the
arXiv API (one query of one result).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import requests
import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot.app import load_settings
from config.report import mask_secrets, masked_url
from config.settings import ConfigError, Settings
from digest.arxiv.http import USER_AGENT
from digest.store import StoreUnavailable
from digest.store.engines import connect_or_explain

config_app = typer.Typer(no_args_is_help=True, help="Inspect the configuration.")
err = Console(stderr=True)

Check = Callable[[Settings, float], str]  # returns what answered; raises _Failed with why not


class _Failed(Exception):
    """A service that did not answer, or refused the credentials: the one line why."""


@config_app.command("check")
def config_check(
    online: Annotated[bool, typer.Option("--online", help="Also ask the database and each configured service whether they answer.")] = False,
    timeout: Annotated[float, typer.Option(min=0.1, max=60, help="Seconds each online check may take.")] = 5.0,
) -> None:
    """Validate the effective configuration and print it, secrets masked."""
    settings = load_settings()
    if problem := settings.slack.problem():  # what `run` refuses at start (SlackStartupError), said alike
        raise ConfigError(problem)
    values = settings.model_dump(mode="json")  # SecretStr dumps as '**********'
    for section in values.values():  # any URL may carry a password or a token in its query
        for key, value in section.items():
            if isinstance(value, str) and "://" in value:
                section[key] = masked_url(value)
    if settings.llm.configured:
        mode = f"LLM {settings.llm.model} at {masked_url(settings.llm.base_url) if settings.llm.base_url else 'OpenAI'}"
    else:
        mode = "no LLM configured: cards will be extractive"
    typer.echo(json.dumps(values, indent=2, ensure_ascii=False))
    if (folder := _missing_sqlite_folder(settings)) is not None:  # known without contacting anything
        err.print(f"[bold red]error:[/] DIGEST_DATABASE_URL={escape(masked_url(settings.database.url))}: the folder "
                  f"{escape(str(folder))} does not exist; create it or name another", soft_wrap=True)
        raise typer.Exit(1)
    err.print(f"[green]configuration is valid[/] ({escape(mode)})", soft_wrap=True)
    if online and not _answers(settings, timeout):
        raise typer.Exit(1)


def _missing_sqlite_folder(settings: Settings) -> Path | None:
    """The folder a SQLite database file would go in, when it does not exist; else None."""
    parsed = make_url(settings.database.url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    folder = Path(parsed.database).parent
    return None if folder.is_dir() else folder


def _answers(settings: Settings, timeout: float) -> bool:
    """Runs every check that applies at once; prints one line each; True when all pass."""
    checks: list[tuple[str, Check]] = [("database", _database)]
    if settings.llm.configured:
        checks.append(("LLM server", _llm))
    if settings.slack.enabled:
        checks.append(("Slack API", _slack))
    if settings.discord.enabled:
        checks.append(("Discord API", _discord))
    checks.append(("arXiv API", _arxiv))
    with ThreadPoolExecutor(len(checks)) as pool:
        futures = [(name, pool.submit(check, settings, timeout)) for name, check in checks]
    passed = True
    for name, future in futures:
        try:
            line = f"[green]ok[/]     {name}: {escape(future.result())}"
        except _Failed as problem:
            passed = False
            line = f"[red]FAILED[/] {name}: {escape(mask_secrets(str(problem)))}"
        err.print(line, soft_wrap=True, highlight=False)
    return passed


def _database(settings: Settings, timeout: float) -> str:
    url = settings.database.url
    parsed = make_url(url)
    shown = masked_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return f"{shown} (in memory)"
        path = Path(parsed.database)
        if not path.exists():  # not created here: a check changes nothing
            folder = path.parent
            if folder.is_dir() and os.access(folder, os.W_OK):
                return f"{shown} (not created yet; its folder is writable)"
            raise _Failed(f"{shown}: the folder {folder} does not exist or may not be written")
        try:
            with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout) as conn:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as problem:
            raise _Failed(f"{shown}: {problem}") from None
        return shown
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": max(1, round(timeout))})
    try:
        connect_or_explain(engine, url)
    except StoreUnavailable as problem:
        raise _Failed(str(problem)) from None
    finally:
        engine.dispose()
    return shown


def _get(method: str, url: str, timeout: float, **kwargs: object) -> requests.Response:
    try:
        return requests.request(method, url, timeout=timeout, **kwargs)  # type: ignore[arg-type]
    except requests.RequestException as problem:
        raise _Failed(f"{masked_url(url)}: no answer ({type(problem).__name__})") from None


def _llm(settings: Settings, timeout: float) -> str:
    s = settings.llm
    url = (s.base_url or "https://api.openai.com/v1").rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {s.api_key.get_secret_value()}"} if s.api_key else {}
    answer = _get("GET", url, timeout, headers=headers)
    if answer.status_code in (401, 403):
        raise _Failed(f"{masked_url(url)} refuses the key (HTTP {answer.status_code}): check OPENAI_API_KEY")
    if answer.status_code == 404:
        raise _Failed(f"{masked_url(url)}: HTTP 404; check OPENAI_BASE_URL, which usually ends in /v1")
    if answer.status_code != 200:
        raise _Failed(f"{masked_url(url)}: HTTP {answer.status_code}")
    try:
        models = [str(model.get("id")) for model in answer.json().get("data", [])]
    except (ValueError, AttributeError):
        return f"{masked_url(url)} (its model list is not readable)"
    if models and s.model not in models:
        listed = ", ".join(models[:5]) + (", ..." if len(models) > 5 else "")
        raise _Failed(f"{masked_url(url)} answers but does not list the model {s.model!r} (DIGEST_LLM_MODEL); it lists {listed}")
    return f"{masked_url(url)} (model {s.model})"


def _slack(settings: Settings, timeout: float) -> str:
    s = settings.slack
    url = s.api_url.rstrip("/") + "/auth.test"
    token = s.bot_token.get_secret_value() if s.bot_token else ""  # OAuth install: none of its own
    answer = _get("POST", url, timeout, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        body = answer.json()
    except ValueError:
        raise _Failed(f"{masked_url(url)}: HTTP {answer.status_code}, not Slack's Web API (DIGEST_SLACK_API_URL)") from None
    if s.oauth:  # Slack's answer to no token at all says that the Web API is there
        if body.get("error") != "not_authed":
            raise _Failed(
                f"{masked_url(url)} answers {body.get('error')!r} to a call without a token, not not_authed: "
                "not Slack's Web API (DIGEST_SLACK_API_URL)"
            )
        return f"{masked_url(url)} (OAuth install: each workspace's token comes with its installation)"
    if not body.get("ok"):
        raise _Failed(f"{masked_url(url)} refuses the token: {body.get('error')} (check SLACK_BOT_TOKEN)")
    return f"{masked_url(url)} (team {body.get('team')}, bot user {body.get('user')})"


def _discord(settings: Settings, timeout: float) -> str:
    s = settings.discord
    assert s.token is not None
    url = s.api_url.rstrip("/") + "/users/@me"
    answer = _get("GET", url, timeout, headers={"Authorization": f"Bot {s.token.get_secret_value()}"})
    if answer.status_code == 401:
        raise _Failed(f"{masked_url(url)} refuses the token (HTTP 401): check DISCORD_TOKEN")
    if answer.status_code != 200:
        raise _Failed(f"{masked_url(url)}: HTTP {answer.status_code} (DIGEST_DISCORD_API_URL)")
    line = f"{masked_url(url)} (as {answer.json().get('username')})"
    if s.shard_count is None:
        return line
    from bot.discord.shards import described  # here: the package imports discord.py, slow for every command

    # The count is fixed by hand: say how it compares with what Discord recommends now.
    gateway = _get("GET", s.api_url.rstrip("/") + "/gateway/bot", timeout, headers={"Authorization": f"Bot {s.token.get_secret_value()}"})
    try:
        recommended = gateway.json().get("shards") if gateway.status_code == 200 else None
    except (ValueError, AttributeError):
        recommended = None
    below = f"; raise DISCORD_SHARD_COUNT to at least {recommended} on every process" if (recommended or 0) > s.shard_count else ""
    return f"{line}; {described(s)}, Discord recommends {recommended or '(no answer)'}{below}"


def _arxiv(settings: Settings, timeout: float) -> str:
    url = settings.arxiv.api_url
    params = {"search_query": "all:electron", "max_results": "1"}
    answer = _get("GET", url, timeout, params=params, headers={"User-Agent": USER_AGENT})
    if answer.status_code != 200 or b"<feed" not in answer.content:
        raise _Failed(f"{masked_url(url)}: HTTP {answer.status_code}, not an Atom feed (DIGEST_ARXIV_API_URL)")
    return masked_url(url)
