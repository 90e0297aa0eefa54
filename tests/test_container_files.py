"""Dockerfile, docker-compose.yml, .dockerignore and .env.example, checked without a Docker
daemon: commands, user, variables, build context, and real linters (hadolint, ShellCheck,
the Compose specification's JSON schema). The entrypoint's behaviour:
tests/test_container_entrypoint.py."""

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
from docker.utils.build import exclude_paths
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
SETTINGS = ROOT / "config" / "settings.py"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
SHIM = ROOT / "docker" / "digest-bot"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
BIN = Path(sys.executable).parent
BOT_SERVICES = ("leader", "worker")


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


def setting_names() -> list[set[str]]:
    """Each setting's environment variables: DIGEST_<SECTION>_<KEY> and the SDKs' own
    name where there is one (SLACK_BOT_TOKEN for slack.bot_token), plus DIGEST_CONFIG_FILE."""
    from config.settings import STANDARD_ENV, Settings

    names = []
    for section, field in Settings.model_fields.items():
        for key in getattr(field.annotation, "model_fields", {}):
            standard = {var for name, var in STANDARD_ENV.get(section, ()) if name == key}
            names.append({f"DIGEST_{section}_{key}".upper()} | standard)
    return names + [{"DIGEST_CONFIG_FILE"}]


def entrypoint_variables() -> set[str]:
    """The variables docker/entrypoint.sh reads (not settings: digest-bot ignores them)."""
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", ENTRYPOINT.read_text()))


def compose_spec_check(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema against the Compose specification's own JSON schema (vendored in
    check-jsonschema, the YAML's anchors and merge keys resolved). Docker Compose itself
    (`docker compose config`) is not installable here: the docker CLI has no compose
    plugin, and the PyPI wrapper of its binary clones GitHub when installed."""
    return subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", path],
        capture_output=True, text=True, timeout=60,
    )


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${NAME:-default}` (the only form the compose file uses)."""
    return re.sub(r"\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}", lambda m: env.get(m.group(1)) or m.group(2), value)


def env_example_names() -> list[str]:
    """The variables .env.example lists, set or commented out (`# NAME=value`)."""
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), flags=re.M)


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
    """No USER (the entrypoint starts as root to hand /data over): the entrypoint and the
    `digest-bot` shim drop through setpriv to the uid and gid the Dockerfile gives `digest`."""
    assert last("USER") is None or last("USER").split(":")[0] not in {"root", "0"}
    uid = re.search(r"^uid=(\d+)\b", ENTRYPOINT.read_text(), flags=re.M).group(1)
    assert uid != "0"
    assert re.search(r'setpriv --reuid="\$uid" --regid="\$uid" --clear-groups', ENTRYPOINT.read_text())
    assert f"setpriv --reuid={uid} --regid={uid} --clear-groups" in SHIM.read_text()
    install = " ".join(args for key, args in instructions() if key == "RUN")
    assert re.search(rf"groupadd --gid {uid} digest\b", install)
    assert re.search(rf"useradd\b[^&]*--uid {uid} --gid {uid} digest\b", install)
    assert re.search(r"chown digest:digest /data\b", install)


def test_database_lives_on_the_volume():
    volume = last("VOLUME")
    assert volume == "/data"
    assert 'data="${DATA_DIR:-/data}"' in ENTRYPOINT.read_text()
    env = " ".join(args for key, args in instructions() if key == "ENV")
    url = re.search(r"DIGEST_DATABASE_URL=(\S+)", env)
    assert url and make_url(url.group(1)).database.startswith("/data/")
    for name in re.findall(r"\b([A-Z][A-Z0-9_]+)=", env):
        if name.startswith("DIGEST_"):
            assert name in settings_variables(), f"Dockerfile sets {name}, which settings.py does not read"


def test_entrypoint_runs_the_installed_console_script():
    assert exec_form("ENTRYPOINT") == ["digest-entrypoint", "digest-bot"]
    assert ("COPY", "docker/entrypoint.sh /usr/local/bin/digest-entrypoint") in instructions()
    # `digest-bot` is the shim (first on PATH), which runs pip's console script as digest.
    assert ("COPY", "docker/digest-bot /opt/digest/bin/digest-bot") in instructions()
    assert ("ENV", "PATH=/opt/digest/bin:$PATH") in instructions()
    assert 'program="${BOT_PROGRAM:-/usr/local/bin/digest-bot}"' in SHIM.read_text()
    for script in ("docker/entrypoint.sh", "docker/digest-bot"):
        mode = subprocess.run(["git", "ls-files", "-s", script], cwd=ROOT, capture_output=True, text=True)
        assert mode.stdout.startswith("100755 "), f"git must keep {script} executable (COPY keeps the mode)"
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


def test_hadolint_finds_nothing():
    """hadolint (with ShellCheck on every RUN), failing on any finding, info level included;
    a rule is ignored only by a reasoned `# hadolint ignore=` line in the Dockerfile."""
    linted = subprocess.run([BIN / "hadolint", "--no-color", DOCKERFILE], capture_output=True, text=True, timeout=60)
    assert linted.returncode == 0 and linted.stdout == "", linted.stdout + linted.stderr
    for line in DOCKERFILE.read_text().splitlines():
        if "hadolint ignore=" in line:
            previous = DOCKERFILE.read_text().split(line)[0].rstrip().splitlines()[-1]
            assert previous.startswith("#") and len(previous) > 40, f"{line}: say why on the line above"


def test_hadolint_fails_on_a_finding(tmp_path):
    """The check can fail: the old image's unpinned `pip install` without the ignore line."""
    bad = tmp_path / "Dockerfile"
    bad.write_text(DOCKERFILE.read_text().replace("# hadolint ignore=DL3013\n", ""))
    linted = subprocess.run([BIN / "hadolint", "--no-color", bad], capture_output=True, text=True, timeout=60)
    assert linted.returncode != 0 and "DL3013" in linted.stdout


def test_scripts_pass_shellcheck():
    for script in (ENTRYPOINT, SHIM):
        linted = subprocess.run([BIN / "shellcheck", "--shell=sh", script], capture_output=True, text=True, timeout=60)
        assert linted.returncode == 0, linted.stdout + linted.stderr
        assert script.read_text().startswith("#!/bin/sh\n")  # python:3.11-slim: dash, no bash needed


# --- .dockerignore -------------------------------------------------------------------


def context(root: Path) -> set[str]:
    """What `docker build` sends from ``root``: docker-py's implementation of .dockerignore."""
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return set(exclude_paths(str(root), patterns, dockerfile="Dockerfile"))


def test_build_context_leaves_out_what_the_image_must_not_carry(tmp_path):
    for path in (
        ".venv/bin/python", ".git/HEAD", ".pytest_cache/v/cache", "tests/__pycache__/x.pyc", "tests/test_x.py",
        "digest.db", "digest.db-journal", "out/topic.md", "site/index.html", ".env", ".whl/x.whl",
        "digest/__pycache__/x.cpython-311.pyc", "digest/store/cache.db", "bot/run.lock", "docker-compose.yml",
        "pyproject.toml", "README.md", "Dockerfile", "digest/__init__.py", "bot/__init__.py", "config/default.toml",
        "docker/entrypoint.sh", "docker/digest-bot",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    sent = context(tmp_path)
    for excluded in (".venv", ".git", ".pytest_cache", "tests", "digest.db", "digest.db-journal", "out", "site",
                     ".env", ".whl", "digest/__pycache__", "digest/store/cache.db", "bot/run.lock"):
        assert not {path for path in sent if path == excluded or path.startswith(excluded + "/")}, f"{excluded} is sent"
    assert {"pyproject.toml", "README.md", "digest/__init__.py", "bot/__init__.py", "config/default.toml",
            "docker/entrypoint.sh", "docker/digest-bot"} <= sent


def test_build_context_has_everything_the_dockerfile_copies():
    sent = context(ROOT)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    sources = {part for key, args in instructions() if key == "COPY" for part in args.split()[:-1]}
    for source in sources:
        files = [path for path in tracked if path == source or path.startswith(source.rstrip("/") + "/")]
        assert files, f"COPY {source}: nothing tracked there"
        missing = [path for path in files if path not in sent]
        assert not missing, f"COPY {source}: .dockerignore leaves out {missing[:5]}"


# --- docker-compose.yml ----------------------------------------------------------------


def test_compose_file_follows_the_compose_specification():
    checked = compose_spec_check(COMPOSE)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_specification_check_can_fail(tmp_path):
    """A misspelt key in the shared `x-bot` block, merged into both services, is refused."""
    wrong = tmp_path / COMPOSE.name
    wrong.write_text(COMPOSE.read_text().replace("init: true", "inti: true", 1))
    checked = compose_spec_check(wrong)
    assert checked.returncode != 0 and "inti" in checked.stdout + checked.stderr


def test_compose_services():
    services = compose()["services"]
    leader, worker, db = services["leader"], services["worker"], services["db"]
    assert leader["command"] in (["run"], "run") and leader["command"] in (exec_form("CMD"), exec_form("CMD")[0])
    assert "run" in registered_commands()
    # `digest-bot worker` comes with the job queue's branch (issue 17): until then, the name.
    assert worker["command"] == ["worker"] and "worker" in registered_commands()
    for bot in (leader, worker):
        assert bot["build"] == "."
        assert bot["init"] is True  # SIGTERM reaches digest-bot; it finishes the card in flight
        assert bot["depends_on"]["db"]["condition"] == "service_healthy"
        assert environment(bot)["DIGEST_QUEUE_ENABLED"] == "true"
    assert db["image"] == "postgres:16-alpine"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_workers_scale():
    """`--scale worker=N` needs a service with no fixed name and no host port."""
    worker = compose()["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert "DIGEST_HTTP_PORT" not in environment(worker)


def test_restart_policy_parks_a_configuration_error():
    """Restarted after a crash or a reboot, parked on exit 2 (docker/entrypoint.sh)."""
    for name in BOT_SERVICES:
        bot = compose()["services"][name]
        assert bot["restart"] == "unless-stopped"
        assert environment(bot)["ON_CONFIG_ERROR"] == "park"
    assert "ON_CONFIG_ERROR" in entrypoint_variables()
    comment = COMPOSE.read_text().split("x-bot:")[0]
    assert "exit 2" in comment and "park" in comment and "on-failure" in comment


def test_slack_http_port_is_published_and_passed():
    """The leader listens on DIGEST_HTTP_PORT and the host publishes that same port, both
    from one expression (.env's value or the host's, else 3000)."""
    leader = compose()["services"]["leader"]
    port = environment(leader)["DIGEST_HTTP_PORT"]
    assert leader["ports"] == [f"{port}:{port}"]
    assert interpolate(port, {}) == "3000" and interpolate(port, {"DIGEST_HTTP_PORT": "8080"}) == "8080"
    assert "DIGEST_HTTP_PORT" in settings_variables()


def test_every_setting_comes_from_the_dotenv_file():
    """Not a chosen few: the whole `.env` beside the compose file reaches both services, and
    its absence is no error (Compose 2.24's `required: false`)."""
    for name in BOT_SERVICES:
        assert compose()["services"][name]["env_file"] == [{"path": ".env", "required": False}]


def test_compose_volumes_are_named_and_declared():
    data = compose()
    declared = set(data["volumes"])
    for service in data["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in declared, f"{source} is not a named volume"
    assert any(m.endswith(":/var/lib/postgresql/data") for m in data["services"]["db"]["volumes"])
    for name in BOT_SERVICES:
        assert any(m.endswith(":/data") for m in data["services"][name]["volumes"])


def test_compose_database_url_reaches_the_db_service():
    services = compose()["services"]
    db_env = environment(services["db"])
    for name in BOT_SERVICES:
        url = make_url(environment(services[name])["DIGEST_DATABASE_URL"])
        assert url.drivername == "postgresql+psycopg"
        assert (url.host, url.port) == ("db", 5432)
        assert url.database == db_env["POSTGRES_DB"] == "digest"
        assert url.password == db_env["POSTGRES_PASSWORD"]


def test_compose_passes_secrets_through_unset_when_unset():
    for name in BOT_SERVICES:
        env = environment(compose()["services"][name])
        for secret in ("OPENAI_API_KEY", "SLACK_BOT_TOKEN", "DISCORD_TOKEN"):
            assert secret in env and env[secret] is None, f"{secret} should be passed through from the host"


def test_compose_variables_are_the_ones_settings_reads():
    for name in BOT_SERVICES:
        names = set(environment(compose()["services"][name]))
        unread = names - settings_variables() - entrypoint_variables()
        assert unread == set(), f"{name}: compose passes variables that settings.py never reads"


# --- .env.example ----------------------------------------------------------------------


def test_env_example_lists_every_setting():
    listed = set(env_example_names())
    missing = [sorted(names) for names in setting_names() if not names & listed]
    assert not missing, f".env.example lacks {missing}"


def test_env_example_lists_only_settings_once_each():
    names = env_example_names()
    assert len(names) == len(set(names)), "listed twice"
    read = set().union(*setting_names()) | settings_variables()
    assert set(names) - read == set(), ".env.example lists variables no setting reads"


def test_env_example_changes_nothing_as_copied():
    """`cp .env.example .env` keeps every default: each variable is commented out."""
    assert not re.findall(r"^[A-Z][A-Z0-9_]*=", ENV_EXAMPLE.read_text(), flags=re.M)


def test_dotenv_stays_out_of_git_and_images():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, ".env (secrets) is not in .gitignore"
