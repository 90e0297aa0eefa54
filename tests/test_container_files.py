"""Dockerfile and docker-compose.yml, checked without Docker: commands, user, variables."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer.main
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
SETTINGS = ROOT / "config" / "settings.py"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, args = line.strip().partition(" ")
            pairs.append((keyword.upper(), args.strip()))
    return pairs


def last(keyword: str) -> str | None:
    found = [args for key, args in instructions() if key == keyword]
    return found[-1] if found else None


def exec_form(keyword: str) -> list[str]:
    args = last(keyword)
    assert args is not None, f"the Dockerfile has no {keyword}"
    value = json.loads(args)  # exec form: the process gets SIGTERM itself, no shell between
    assert isinstance(value, list) and all(isinstance(item, str) for item in value)
    return value


def registered_commands() -> set[str]:
    from bot.__main__ import app

    return set(typer.main.get_command(app).commands)


def settings_variables() -> set[str]:
    """Every environment variable config/settings.py reads."""
    from config.settings import Settings

    names = {
        f"DIGEST_{section}_{key}".upper()
        for section, field in Settings.model_fields.items()
        for key in getattr(field.annotation, "model_fields", {})
    }
    # Variables read by name (OPENAI_API_KEY, DIGEST_CONFIG_FILE, the platforms' tokens).
    names |= set(re.findall(r"""["']([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)["']""", SETTINGS.read_text()))
    return names


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment", {})
    if isinstance(env, dict):
        return {key: None if value is None else str(value) for key, value in env.items()}
    return {item.partition("=")[0]: (item.partition("=")[2] if "=" in item else None) for item in env}


# --- Dockerfile ---------------------------------------------------------------------


def test_base_image_and_install():
    assert instructions()[0] == ("FROM", "python:3.11-slim")
    install = " ".join(args for key, args in instructions() if key == "RUN")
    assert "pip install --no-cache-dir '.[postgres]'" in install
    assert "apt-get" not in install  # nothing beyond the wheels: the image stays small


def test_every_package_is_copied():
    copied = {part for key, args in instructions() if key == "COPY" for part in args.split()[:-1]}
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {pattern.rstrip("*") for pattern in packages["include"]} <= copied


def test_runs_as_a_user_that_the_image_creates():
    user = last("USER")
    assert user and user.split(":")[0] not in {"root", "0"}, f"USER {user!r} is root"
    install = " ".join(args for key, args in instructions() if key == "RUN")
    assert re.search(rf"useradd\b[^&]*\b{re.escape(user)}\b", install), f"no useradd for {user}"


def test_database_lives_on_the_volume():
    volume = last("VOLUME")
    assert volume == "/data"
    env = " ".join(args for key, args in instructions() if key == "ENV")
    url = re.search(r"DIGEST_DATABASE_URL=(\S+)", env)
    assert url and make_url(url.group(1)).database.startswith("/data/")
    for name in re.findall(r"\b([A-Z][A-Z0-9_]+)=", env):
        if name.startswith("DIGEST_"):
            assert name in settings_variables(), f"Dockerfile sets {name}, which settings.py does not read"


def test_entrypoint_is_the_installed_console_script():
    assert exec_form("ENTRYPOINT") == ["digest-bot"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["digest-bot"] == "bot.__main__:main"


def test_cmd_names_a_registered_command():
    cmd = exec_form("CMD")
    assert cmd == ["run"]
    commands = registered_commands()
    assert {"demo", "digest", "config"} <= commands
    assert {"run", "status"} <= commands
    assert cmd[0] in commands


def test_no_healthcheck_needs_a_missing_tool():
    check = last("HEALTHCHECK")
    if check is not None:
        assert not re.search(r"\b(curl|wget|nc)\b", check), "python:3.11-slim has no curl, wget or nc"


def test_the_image_command_runs_directly():
    """What the container runs, run here: the console script and its command's --help."""
    script = Path(sys.executable).parent / "digest-bot"
    if not script.exists():
        pytest.skip(f"{script} is not installed (pip install -e .)")
    command = exec_form("CMD")
    shown = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    shown = subprocess.run([script, *command, "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "SIGTERM" in shown.stdout


# --- docker-compose.yml ----------------------------------------------------------------


def test_compose_services():
    services = compose()["services"]
    bot, db = services["bot"], services["db"]
    assert bot["build"] == "."
    assert bot["command"] in (["run"], "run") and bot["command"] in (exec_form("CMD"), exec_form("CMD")[0])
    assert bot["restart"] == "unless-stopped"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert db["image"] == "postgres:16-alpine"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_volumes_are_named_and_declared():
    data = compose()
    declared = set(data["volumes"])
    for service in data["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in declared, f"{source} is not a named volume"
    assert any(m.endswith(":/var/lib/postgresql/data") for m in data["services"]["db"]["volumes"])


def test_compose_database_url_reaches_the_db_service():
    services = compose()["services"]
    url = make_url(environment(services["bot"])["DIGEST_DATABASE_URL"])
    db_env = environment(services["db"])
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port) == ("db", 5432)
    assert url.database == db_env["POSTGRES_DB"] == "digest"
    assert url.password == db_env["POSTGRES_PASSWORD"]


def test_compose_passes_secrets_through_unset_when_unset():
    env = environment(compose()["services"]["bot"])
    for name in ("OPENAI_API_KEY", "SLACK_BOT_TOKEN", "DISCORD_TOKEN"):
        assert name in env and env[name] is None, f"{name} should be passed through from the host"


def test_compose_variables_are_the_ones_settings_reads():
    names = set(environment(compose()["services"]["bot"]))
    assert names - settings_variables() == set(), "compose passes variables that settings.py never reads"
