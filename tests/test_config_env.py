"""The environment as a new user writes it: .env.example's lines uncommented as they stand,
empty values, one setting under its two names, bounds in plain words, and a PostgreSQL
install without the postgres extra. Real variables, the real CLI (typer's runner, or a
child process where a package must be missing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.load import known_variables, load_settings
from config.settings import STANDARD_ENV
from tests.pg_schema import fresh_schema
from tests.test_cli import clean_env, run

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / ".env.example"
STANDARD_NAMES = [var for pairs in STANDARD_ENV.values() for _, var in pairs]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EXTRA_HINT = "pip install -e '.[postgres]'"


def example_lines() -> list[tuple[str, str]]:
    """``(name, value)`` of each ``# NAME=value`` line of .env.example, as written."""
    return re.findall(r"^# ?([A-Z][A-Z0-9_]+)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.M)


@pytest.fixture
def bare(monkeypatch):
    """No variable of any setting in the environment: the defaults."""
    for name in set(known_variables()) | set(STANDARD_NAMES) | {name for name, _ in example_lines()}:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def settings_with(monkeypatch, values: dict[str, str]) -> dict:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    try:
        return load_settings().model_dump()
    finally:
        for name in values:
            monkeypatch.delenv(name)


def test_env_example_uncommented_as_written_changes_nothing(bare):
    """Its promise: every default, or empty; each line alone and all at once."""
    defaults = load_settings().model_dump()
    lines = example_lines()
    assert len(lines) > 60
    for name, value in lines:
        assert settings_with(bare, {name: value}) == defaults, f"uncommenting {name}={value} changed the settings"
    assert settings_with(bare, dict(lines)) == defaults


def test_an_empty_value_is_unset_for_every_setting(bare):
    """`NAME=` reads as unset under either name of every setting, not as a bad value."""
    defaults = load_settings().model_dump()
    names = set(known_variables()) | set(STANDARD_NAMES)
    assert {"DIGEST_QUEUE_CONCURRENCY", "DIGEST_SLACK_WORKSPACE_MESSAGES_PER_MINUTE", "DISCORD_SHARD_COUNT"} <= names
    assert settings_with(bare, dict.fromkeys(names, "")) == defaults


@pytest.mark.parametrize(
    ("standard", "own", "first", "second"),
    [
        ("DIGEST_HTTP_PORT", "DIGEST_SLACK_HTTP_PORT", "3000", "4000"),
        ("DISCORD_SHARD_COUNT", "DIGEST_DISCORD_SHARD_COUNT", "2", "4"),
        ("SLACK_BOT_TOKEN", "DIGEST_SLACK_BOT_TOKEN", "xoxb-1111-FIRSTSECRET", "xoxb-2222-OTHERSECRET"),
    ],
)
@pytest.mark.parametrize("command", [("config", "check"), ("status",)])
def test_one_setting_under_two_names_with_two_values_is_refused(tmp_path, standard, own, first, second, command):
    result = run(clean_env(tmp_path) | {standard: first, own: second}, *command)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{standard} and {own} name the same setting but differ" in result.stderr
    assert "SECRET" not in result.stderr


def test_one_setting_under_two_names_with_one_value_is_fine(tmp_path):
    env = clean_env(tmp_path) | {"DIGEST_HTTP_PORT": "4000", "DIGEST_SLACK_HTTP_PORT": "4000", "DISCORD_SHARD_COUNT": ""}
    result = run(env | {"DIGEST_DISCORD_SHARD_COUNT": "4"}, "config", "check")
    assert result.exit_code == 0, result.output
    assert '"http_port": 4000' in result.stdout and '"shard_count": 4' in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "plain"),
    [
        ("DISCORD_SHARD_COUNT", "0", "discord.shard_count = '0': write a whole number 1 or more"),
        ("DIGEST_QUEUE_CONCURRENCY", "0", "queue.concurrency = '0': write a whole number 1 or more"),
        ("DIGEST_QUEUE_CONCURRENCY", "5000", "queue.concurrency = '5000': write a whole number 1000 or less"),
        ("DIGEST_SLACK_WORKSPACE_MESSAGES_PER_MINUTE", "0",
         "slack.workspace_messages_per_minute = '0': write a number more than 0"),
        ("DIGEST_SLACK_MESSAGES_PER_SECOND", "-1", "slack.messages_per_second = '-1': write a number more than 0"),
        ("DIGEST_BUDGET_NEAR", "2", "budget.near = '2': write a number 1 or less"),
        ("DIGEST_BUDGET_WORKSPACES", '{"T1": -5}', "budget.workspaces.T1 = -5: write a whole number 0 or more"),
    ],
)
def test_bounds_are_said_in_plain_words(tmp_path, name, value, plain):
    result = run(clean_env(tmp_path) | {name: value}, "config", "check")
    assert result.exit_code == 2, result.output
    assert plain in result.stderr and "Input should" not in result.stderr


def without(package: str, code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``code`` run in a child python where ``package`` cannot be imported (as if not installed)."""
    prelude = f"import sys; sys.modules[{package!r}] = None\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)} | env)


CLI = "import runpy; sys.argv = ['digest-bot', {!r}]; runpy.run_module('bot', run_name='__main__')"


@pytest.mark.parametrize("package", ["procrastinate", "psycopg"])
@pytest.mark.parametrize("command", ["config", "status"])
def test_postgresql_without_the_extra_says_how_to_install_it(tmp_path, package, command):
    env = {"DIGEST_DATABASE_URL": PG_URL, "DIGEST_DEFAULTS_OUTPUT_DIR": str(tmp_path)}
    code = CLI.format(command) if command == "status" else CLI.format("config").replace("'config']", "'config', 'check']")
    result = without(package, code, env)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and EXTRA_HINT in result.stderr
    assert package in result.stderr


@pytest.mark.postgres
def test_migration_0022_without_procrastinate_is_one_actionable_line(pg_admin):
    """An old install upgraded without the new extra: the store's own migration says what to
    install (``StoreUnavailable``, no ModuleNotFoundError traceback), and leaves the schema as it was."""
    code = ("from digest.store import StoreUnavailable, open_store\n"
            "try:\n    open_store(sys.argv[1])\nexcept StoreUnavailable as err:\n    print(err); sys.exit(3)\n")
    with fresh_schema(pg_admin, "noextra") as url:
        result = subprocess.run(
            [sys.executable, "-c", "import sys; sys.modules['procrastinate'] = None\n" + code, url],
            capture_output=True, text=True, timeout=120, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
        schema = url.rsplit("%3D", 1)[1]
        tables = pg_admin.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                                  (schema,)).fetchone()[0]
    assert result.returncode == 3, result.stderr
    assert "procrastinate" in result.stdout and EXTRA_HINT in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert tables == 0  # one transaction: the earlier migrations rolled back with it
