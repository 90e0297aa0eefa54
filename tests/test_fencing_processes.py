"""Run ownership and fencing across two real `digest-bot run` processes on PostgreSQL.

Each test is one trial of ``bench/fencing.py`` (which runs 20 of the cut and terminate
scenarios): two bot processes forked as ``tests/test_crash.py`` forks them, on a fresh
schema of the test server, Slack pointed at the loopback fake, heartbeat 0.5 s (an owner
is gone after 1.5 s of silence), lease and sweep 0.2 s. Every trial checks, at the fake,
that each idempotency key was posted once (no duplicate), every ledger row was posted
(no gap), in order, and that the run ended ``done``.
"""

from __future__ import annotations

import pytest

from bench import fencing

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(pg_admin: object) -> None:
    """Skips (or fails under DIGEST_REQUIRE_POSTGRES=1) when the server is not there."""


def check(result: fencing.Trial) -> None:
    assert result.interrupted, f"the fault did not stop the owner mid-digest: {result}"
    assert (result.duplicates, result.gaps) == (0, 0), result.detail
    assert result.done and result.in_order, result.detail


def test_a_live_owner_keeps_its_run_and_a_killed_one_is_finished_within_the_stale_window(postgres, tmp_path):
    """The process that is not leading owns an /arxiv now digest; its 4th post is held
    for longer than the stale window while the leader sweeps every 0.2 s: the run is not
    taken over. Then it is SIGKILLed (the held post stored, its reply lost)."""
    result = fencing.trial("kill-follower", 4, "lost", logs=tmp_path)
    assert not result.taken_over_while_alive, result
    check(result)
    assert result.finished_by == "bot-a"
    assert result.seconds_to_take_over is not None
    assert result.seconds_to_take_over <= fencing.STALE + fencing.LEASE + 0.5, result  # slack: a loaded CI machine


def test_a_killed_leaders_digest_is_finished_by_the_other_process(postgres, tmp_path):
    """The leader owns the scheduled digest and is SIGKILLed at its 6th post (never stored);
    the other takes the lease at once, and the run once the dead owner's beats are stale."""
    result = fencing.trial("kill-leader", 6, "drop", logs=tmp_path)
    check(result)
    assert result.finished_by == "bot-b"
    assert result.seconds_to_take_over is not None
    assert result.seconds_to_take_over <= fencing.STALE + fencing.LEASE + 0.5, result


@pytest.mark.parametrize("k", [2, 4, 6])
def test_cutting_every_connection_of_the_leader_mid_digest_posts_each_card_once(postgres, tmp_path, k):
    check(fencing.trial("cut", k, logs=tmp_path, seed=k))


@pytest.mark.parametrize("k", [3, 5])
def test_terminating_the_leaders_lease_session_mid_digest_posts_each_card_once(postgres, tmp_path, k):
    check(fencing.trial("terminate", k, logs=tmp_path, seed=k))


def test_cutting_the_leaders_connections_at_the_runs_ending_still_ends_it(postgres, tmp_path):
    check(fencing.trial("cut-at-finish", fencing.CARDS + 1, logs=tmp_path))


def test_a_post_in_flight_when_the_lease_ends_is_not_posted_twice(postgres, tmp_path):
    check(fencing.trial("terminate-slow-post", 4, logs=tmp_path))
