"""Scheduler leadership against the real PostgreSQL server and real file locks, processes included."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.lease import LeaderElection, LocalLease, PostgresLease, lock_key, make_lease

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# A process that takes a lease, says so, and sleeps until killed.
HOLDER = """
import sys, time
from bot.lease import LocalLease, PostgresLease
lease = PostgresLease(sys.argv[2], sys.argv[3]) if sys.argv[1] == "pg" else LocalLease(sys.argv[2])
assert lease.try_acquire(), "the holder could not take the lease"
print("holding", flush=True)
time.sleep(120)
"""


@pytest.fixture
def admin(pg_admin: object) -> object:
    return pg_admin


@pytest.fixture
def name() -> str:
    # Unique per test: other test runs share the server.
    return f"test/{uuid.uuid4().hex}"


@pytest.fixture
def leases() -> Iterator[list]:
    """Leases made by a test, released afterwards whatever happened."""
    made: list = []
    yield made
    for lease in made:
        lease.release()


def holder_pid(admin, name: str) -> int | None:
    """The server backend holding the advisory lock of ``name``, from pg_locks."""
    key = lock_key(name)
    row = admin.execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
        " AND classid::bigint = %s AND objid::bigint = %s",
        ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
    ).fetchone()
    return row[0] if row else None


def start_holder(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    line = proc.stdout.readline() if ready else ""
    if line.strip() != "holding":
        proc.kill()
        pytest.fail(f"holder process did not take the lease: {line!r} {proc.stderr.read()}")
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()
    proc.stderr.close()


def acquire_within(lease, seconds: float) -> float:
    """Seconds until ``lease`` was taken; fails after ``seconds``."""
    start = time.monotonic()
    while not lease.try_acquire():
        assert time.monotonic() - start < seconds, f"lease not free after {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - start


# --- PostgreSQL -------------------------------------------------------------------------


def test_of_two_leases_one_wins(admin, name, leases):
    a, b = PostgresLease(PG_URL, name), PostgresLease(PG_URL, name)
    leases += [a, b]
    assert a.try_acquire()
    assert not b.try_acquire()
    assert a.try_acquire()  # asking again while holding is a yes, not a second lock
    assert a.still_held() and not b.still_held()
    pid = holder_pid(admin, name)
    row = admin.execute("SELECT application_name FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    assert row == (f"{name} lease",)


def test_release_hands_the_lease_over(admin, name, leases):
    a, b = PostgresLease(PG_URL, name), PostgresLease(PG_URL, name)
    leases += [a, b]
    assert a.try_acquire() and not b.try_acquire()
    a.release()
    a.release()  # twice is harmless
    assert not a.still_held()
    assert b.try_acquire()
    assert not a.try_acquire()
    assert holder_pid(admin, name) is not None


def test_different_names_do_not_exclude_each_other(admin, name, leases):
    a, b = PostgresLease(PG_URL, name), PostgresLease(PG_URL, name + "/other")
    leases += [a, b]
    assert a.try_acquire() and b.try_acquire()


def test_a_killed_leader_process_frees_the_lease_at_once(admin, name, leases):
    proc = start_holder("pg", PG_URL, name)
    try:
        follower = PostgresLease(PG_URL, name)
        leases.append(follower)
        assert not follower.try_acquire()
    finally:
        kill(proc)
    assert acquire_within(follower, 5) < 2


def test_still_held_is_false_once_the_server_ends_the_session(admin, name, leases):
    a, b = PostgresLease(PG_URL, name), PostgresLease(PG_URL, name)
    leases += [a, b]
    assert a.try_acquire()
    pid = holder_pid(admin, name)
    assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    assert not a.still_held()
    assert acquire_within(b, 5) < 2
    assert not a.try_acquire()  # reconnects, finds b leading


def test_url_options_are_kept_beside_the_keepalive_settings(admin, name, leases):
    schema = f"t_{uuid.uuid4().hex}"
    lease = PostgresLease(f"{PG_URL}?options=-csearch_path%3D{schema}", name)
    leases.append(lease)
    assert lease.try_acquire() and lease.still_held()


def test_an_unreachable_server_means_not_leading():
    lease = PostgresLease("postgresql+psycopg://postgres@127.0.0.1:1/test", "test/unreachable")
    assert not lease.try_acquire()
    assert not lease.still_held()
    lease.release()


async def test_election_notices_a_terminated_session(admin, name, leases):
    events: list[str] = []
    lease = PostgresLease(PG_URL, name)
    leases.append(lease)
    election = LeaderElection(lease, lambda: events.append("gain"), lambda: events.append("loss"), interval=0.05)
    assert await election.step()
    admin.execute("SELECT pg_terminate_backend(%s)", (holder_pid(admin, name),))
    assert not await election.step()
    assert events == ["gain", "loss"]
    # The client sees its session end before the dying backend has let the lock go.
    await lock_freed(admin, name)
    assert await election.step()  # nobody else wants it: taken again
    await election.stop()
    assert events == ["gain", "loss", "gain", "loss"]
    await lock_freed(admin, name)  # a closed connection's backend exits after the close returns


async def lock_freed(admin, name: str, seconds: float = 5.0) -> None:
    """Wait until no backend holds the advisory lock of ``name``; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (pid := holder_pid(admin, name)) is not None:
        assert time.monotonic() < deadline, f"backend {pid} still holds the lock of {name} after {seconds} s"
        await asyncio.sleep(0.01)


# --- SQLite: the file lock ------------------------------------------------------------


def test_local_lease_excludes_within_a_process(tmp_path, leases):
    a, b = LocalLease(tmp_path / "db.lock"), LocalLease(tmp_path / "db.lock")
    leases += [a, b]
    assert a.try_acquire() and a.try_acquire()
    assert not b.try_acquire()
    a.release()
    assert not a.still_held()
    assert b.try_acquire() and b.still_held()
    assert (tmp_path / "db.lock").read_text() == f"{os.getpid()}\n"


def test_local_lease_excludes_another_process_until_it_dies(tmp_path, leases):
    path = tmp_path / "digest.db.lock"
    proc = start_holder("file", str(path))
    try:
        mine = LocalLease(path)
        leases.append(mine)
        assert not mine.try_acquire()
        assert path.read_text() == f"{proc.pid}\n"
    finally:
        kill(proc)
    assert acquire_within(mine, 2) < 1


def test_a_deleted_lock_file_is_not_held(tmp_path, leases):
    lease = LocalLease(tmp_path / "db.lock")
    leases.append(lease)
    assert lease.try_acquire()
    (tmp_path / "db.lock").unlink()
    assert not lease.still_held()
    assert lease.try_acquire() and lease.still_held()  # locks the new file


def test_in_memory_database_always_leads():
    a, b = LocalLease(None), LocalLease(None)
    assert not a.still_held()
    assert a.try_acquire() and b.try_acquire() and a.still_held()
    a.release()
    assert not a.still_held()


def test_make_lease(tmp_path):
    lease = make_lease(f"sqlite:///{tmp_path / 'digest.db'}")
    assert isinstance(lease, LocalLease) and lease.path == tmp_path / "digest.db.lock"
    assert isinstance(make_lease("sqlite://"), LocalLease) and make_lease("sqlite://").path is None
    assert make_lease("sqlite:///:memory:").path is None
    assert isinstance(make_lease("postgresql+psycopg://u:p@nowhere:5432/db"), PostgresLease)  # no connection yet
    assert isinstance(make_lease("postgresql://u@nowhere/db"), PostgresLease)
    with pytest.raises(ValueError, match="sqlite or postgresql"):
        make_lease("mysql://u@nowhere/db")


# --- LeaderElection -----------------------------------------------------------------


async def test_election_steps(tmp_path):
    events: list[str] = []

    async def gain_b() -> None:
        events.append("b+")

    path = tmp_path / "db.lock"
    a = LeaderElection(LocalLease(path), lambda: events.append("a+"), lambda: events.append("a-"))
    b = LeaderElection(LocalLease(path), gain_b, lambda: events.append("b-"))
    assert a.interval == 15.0
    assert await a.step() and not await b.step()
    assert await a.step()  # still held: no second gain
    await a.stop()
    assert not a.leading
    assert await b.step()
    assert events == ["a+", "a-", "b+"]
    await b.stop()


async def test_a_lost_lease_calls_on_loss(tmp_path):
    events: list[str] = []
    election = LeaderElection(LocalLease(tmp_path / "db.lock"), lambda: events.append("+"), lambda: events.append("-"))
    assert await election.step()
    (tmp_path / "db.lock").unlink()
    assert not await election.step()
    assert events == ["+", "-"]


async def test_a_failing_on_gain_gives_the_lease_back(tmp_path):
    def broken() -> None:
        raise RuntimeError("scheduler would not start")

    path = tmp_path / "db.lock"
    election = LeaderElection(LocalLease(path), broken, lambda: None)
    assert not await election.step()
    assert LocalLease(path).try_acquire()


async def test_running_elections_hand_over_when_the_leader_stops(tmp_path):
    path = tmp_path / "db.lock"
    events: list[str] = []
    first = LeaderElection(LocalLease(path), lambda: events.append("1+"), lambda: events.append("1-"), interval=0.02)
    second = LeaderElection(LocalLease(path), lambda: events.append("2+"), lambda: events.append("2-"), interval=0.02)
    first.start()
    await until(lambda: first.leading)
    second.start()
    await asyncio.sleep(0.1)
    assert not second.leading
    await first.stop()
    await until(lambda: second.leading)
    await second.stop()
    assert events == ["1+", "1-", "2+", "2-"]
    assert LocalLease(path).try_acquire()


async def until(condition, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)
