"""docker/entrypoint.sh run here as the container runs it (as root, as these machines and
CI are): /data handed to uid 10001, the command run as that user, its exit status kept,
SIGTERM passed on, and a configuration error (exit 2) parked instead of restarted. And
docker/digest-bot, what `docker exec ... digest-bot` runs: as digest, not root."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def _readable_by_anyone(name: str) -> Path:
    """A copy of docker/<name> any uid can read and run, as in the image: a checkout in a
    folder only its owner may enter (``mktemp -d``) would hide it from uid 10002."""
    folder = Path(tempfile.mkdtemp(prefix="digest-docker-"))
    folder.chmod(0o755)
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / name
    shutil.copy(Path(__file__).resolve().parents[1] / "docker" / name, copy)
    copy.chmod(0o755)
    return copy


ENTRYPOINT = _readable_by_anyone("entrypoint.sh")
SHIM = _readable_by_anyone("digest-bot")
UID = 10001  # the image's `digest`


@pytest.fixture
def data() -> Iterator[Path]:
    """A root-owned folder as a bind mount arrives (not under pytest's 0700 tmp_path,
    which uid 10001 could not reach)."""
    assert os.geteuid() == 0, "the entrypoint's privilege drop is tested as root, as the container starts"
    folder = Path(tempfile.mkdtemp(prefix="digest-data-", dir="/tmp"))
    (folder / "old.db").write_text("")
    # A stand-in for digest-bot: `bot <command> <status>` says why on stderr and exits so.
    bot = folder / "bot"
    bot.write_text('#!/bin/sh\necho "$1: the settings cannot work" >&2\nexit "$2"\n')
    bot.chmod(0o755)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=True)


def start(data: Path, *command: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ENTRYPOINT), *command], env={"PATH": os.environ["PATH"], "DATA_DIR": str(data), **env},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run(data: Path, *command: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    process = start(data, *command, **env)
    out, err = process.communicate(stdin, timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def stop(process: subprocess.Popen) -> None:
    """After a failed assertion: SIGTERM first, so that the parked shell ends its sleep."""
    if process.poll() is None:
        process.terminate()
        try:
            process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def pgrep(pattern: str) -> list[str]:
    return subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()


def wait_for_line(process: subprocess.Popen, stream: str) -> str:
    line = getattr(process, stream).readline()
    assert line, f"no line on {stream}"
    return line


def test_hands_a_root_owned_data_folder_to_digest_and_runs_as_digest(data):
    done = run(data, "/bin/sh", "-c", 'id -u; id -g; id -G; touch "$DATA_DIR/new.db"; cat')
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == [str(UID), str(UID), str(UID)]  # no supplementary group kept
    for path in (data, data / "old.db", data / "new.db"):
        assert (path.stat().st_uid, path.stat().st_gid) == (UID, UID), path


def test_a_link_in_the_folder_hands_over_nothing_outside_it(data):
    """A symbolic link planted in /data (by whoever could write there) must not make the
    root-run chown give away the file it points at."""
    outside = Path(tempfile.mkstemp(dir="/tmp")[1])
    try:
        (data / "link").symlink_to(outside)
        assert run(data, "/bin/true").returncode == 0
        assert outside.stat().st_uid == 0 and (data / "link").lstat().st_uid == UID
    finally:
        outside.unlink()


def test_stdin_reaches_the_command(data):
    """`docker compose run --rm -T leader subscriptions ...` reads what is piped in."""
    assert run(data, "/bin/cat", stdin="piped\n").stdout == "piped\n"


@pytest.mark.parametrize("status", [0, 1, 3])
def test_exit_status_is_the_commands(data, status):
    """1 (the database or a chat service unreachable) is left to the restart policy."""
    assert run(data, str(data / "bot"), "run", str(status), ON_CONFIG_ERROR="park").returncode == status


def test_sigterm_reaches_the_command_which_finishes(data):
    process = start(data, "/bin/sh", "-c", 'trap "echo finishing; exit 0" TERM; echo ready; while :; do sleep 0.1; done')
    assert wait_for_line(process, "stdout") == "ready\n"
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=10)
    assert out == "finishing\n" and process.returncode == 0


def test_configuration_error_of_a_service_parks(data):
    """`run`/`worker` exiting 2 under ON_CONFIG_ERROR=park: no exit for the restart policy,
    one line saying so; `docker stop` still ends it at once."""
    sleepers = set(pgrep("^sleep 3600$"))
    process = start(data, str(data / "bot"), "run", "2", ON_CONFIG_ERROR="park")
    try:
        parks(process, sleepers)
    finally:
        stop(process)


def parks(process: subprocess.Popen, sleepers: set[str]) -> None:
    assert wait_for_line(process, "stderr") == "run: the settings cannot work\n"
    assert "exited 2, a configuration error" in wait_for_line(process, "stderr")
    time.sleep(1)
    assert process.poll() is None, "the parked container exited: the restart policy would restart it"
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)
    assert process.returncode == 2 and time.monotonic() - started < 5
    time.sleep(0.2)
    assert set(pgrep("^sleep 3600$")) <= sleepers, "the parked sleep outlived the entrypoint"


@pytest.mark.parametrize("command, env", [
    ("status", {"ON_CONFIG_ERROR": "park"}),  # a one-off command: never parked
    ("worker", {}),  # plain `docker run`: no restart policy to fear
])
def test_exit_2_otherwise_exits(data, command, env):
    done = run(data, str(data / "bot"), command, "2", **env)
    assert done.returncode == 2 and "parked" not in done.stderr


def test_another_user_with_an_unwritable_folder_gets_one_line(data):
    """Started as a non-root user (`--user`, runAsUser) on a root-owned folder: no chown
    possible, so one line naming the fix, and exit 2."""
    os.chown(data, 0, 0)
    data.chmod(0o755)
    done = subprocess.run(
        ["setpriv", "--reuid=10002", "--regid=10002", "--clear-groups", str(ENTRYPOINT), "/bin/true"],
        env={"PATH": os.environ["PATH"], "DATA_DIR": str(data)}, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not writable by uid 10002" in done.stderr and f"uid {UID}" in done.stderr


@pytest.mark.parametrize("as_uid, runs_as", [(0, UID), (10002, 10002)])
def test_digest_bot_on_the_path_never_runs_as_root(data, as_uid, runs_as):
    """`docker compose exec leader digest-bot status` runs as root: the shim makes it
    digest, so nothing it writes in /data is root's; another user stays that user."""
    data.chmod(0o755)
    report = data / "report"
    report.write_text('#!/bin/sh\necho "$(id -u) $(id -g) $*"\n')
    report.chmod(0o755)
    prefix = [] if as_uid == 0 else ["setpriv", f"--reuid={as_uid}", f"--regid={as_uid}", "--clear-groups"]
    done = subprocess.run(
        [*prefix, str(SHIM), "status", "--lang", "en"], env={"PATH": os.environ["PATH"], "BOT_PROGRAM": str(report)},
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{runs_as} {runs_as} status --lang en\n"


def test_an_unwritable_folder_parks_a_service(data):
    """The same under compose (ON_CONFIG_ERROR=park, `run`): parked, not restarted."""
    os.chown(data, 0, 0)
    data.chmod(0o755)
    process = subprocess.Popen(
        ["setpriv", "--reuid=10002", "--regid=10002", "--clear-groups", str(ENTRYPOINT), "/bin/true", "run"],
        env={"PATH": os.environ["PATH"], "DATA_DIR": str(data), "ON_CONFIG_ERROR": "park"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert "not writable by uid 10002" in wait_for_line(process, "stderr")
        assert "parked, not restarting" in wait_for_line(process, "stderr")
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
        assert process.returncode == 2
    finally:
        stop(process)
