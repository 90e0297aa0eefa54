"""Rate limits kept by several processes together (digest/ratelimit/pacing.py, digest/store/pacing.py).

The arithmetic of a slot (``next_slot``) and its SQL; then three processes at once
(``tests/pacing_worker.py``, the real SlackPort, Discord client and arXiv gate) sharing
one PostgreSQL schema, against fakes that answer 429 as the services do when a limit is
exceeded, and record when each request arrived. The fakes' limits are 10-25% looser than
the paced intervals: the room a request's trip from one process to the service may
take (the bot's Discord pacing keeps the same margin, 47.5 of 50 a second).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from digest.ratelimit.pacing import LocalPacer, next_slot
from digest.ratelimit import Spacing
from digest.store import SharedPacer, open_store
from tests.fakes.arxiv import ArxivFeedServer, synthetic_week
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlackAPI
from tests.pg_schema import fresh_schema

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 3


# -- the arithmetic ------------------------------------------------------------------


def test_next_slot_spaces_callers_an_interval_apart_and_forgets_idle_time():
    assert next_slot(None, 10.0, 2.0) == (10.0, 12.0)  # the first caller goes at once
    assert next_slot(12.0, 10.5, 2.0) == (12.0, 14.0)  # the next waits for its slot
    assert next_slot(14.0, 10.6, 2.0) == (14.0, 16.0)  # and the one after, behind it
    # Idle since: no credit is saved up, the caller goes now and the next an interval on.
    assert next_slot(16.0, 30.0, 2.0) == (30.0, 32.0)


def test_local_pacer_gives_one_spacing_per_name():
    pacer = LocalPacer()
    gate = pacer.gate("slack:T:C", 1.0)
    assert isinstance(gate, Spacing) and pacer.gate("slack:T:C", 0.5) is gate and gate.min_interval == 0.5
    assert pacer.gate("slack:T", 1.0) is not gate


@pytest.fixture
def pg_url(pg_admin: Any) -> Any:
    with fresh_schema(pg_admin, "pace") as url:
        open_store(url).close()  # migrated: pacing_slots exists
        yield url


@pytest.mark.postgres
def test_the_sql_reserves_the_slots_next_slot_computes(pg_url: str):
    store = open_store(pg_url)
    pacer, other = SharedPacer(store.engine), SharedPacer(store.engine)  # as two processes
    try:
        gate = pacer.gate("g", 0.2)
        asked = []  # (before, wait, after): the slot is wait after a moment between the two
        for _ in range(4):
            before = time.monotonic()
            wait = gate.reserve()
            asked.append((before, wait, time.monotonic()))
        # Asked back to back: slots 0, 1, 2, 3 intervals after the first.
        (before0, wait0, after0), waits = asked[0], [wait for _, wait, _ in asked]
        assert wait0 == 0.0
        for k, (before, wait, after) in enumerate(asked):
            assert before + wait - after0 - 0.005 <= k * 0.2 <= after + wait - before0 + 0.005, asked
        time.sleep(waits[-1] + 0.25)  # every slot past, and one interval idle
        assert gate.reserve() == 0.0
        assert other.gate("other", 0.2).reserve() == 0.0  # limits are by name
        # A channel within its workspace: one slot free in both. The workspace's next slot
        # is 0.5 s on, so the channel's caller waits for it, and the channel's next caller
        # an interval (0.2 s) after that slot, not after the channel's own last one.
        started = time.monotonic()
        assert other.gate("ws", 0.5).reserve() == 0.0
        channel = other.gate("ws:c", 0.2, within=[("ws", 0.5)])
        first, between = channel.reserve(), time.monotonic()
        second, ended = other.gate("ws:c", 0.2).reserve(), time.monotonic()
        assert 0.5 - (between - started) - 0.005 <= first <= 0.5 + 0.005, (first, between - started)
        assert first + 0.2 - (ended - started) - 0.005 <= second <= first + 0.2 + 0.005, (first, second)
    finally:
        pacer.close()
        other.close()
        store.close()


# -- several processes -----------------------------------------------------------------


def run_processes(jobs: list[dict[str, Any]], timeout: float = 60) -> list[dict[str, Any]]:
    """Start one worker per job, let them all go at once, and return their results."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.pacing_worker", json.dumps(job)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for job in jobs
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, out
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def gaps(times: list[float]) -> list[float]:
    times = sorted(times)
    return [b - a for a, b in zip(times, times[1:])]


def most_within(times: list[float], span: float) -> int:
    """The most arrivals in any ``span`` seconds (a window starting at an arrival)."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + span) for i, start in enumerate(times))


CHANNEL_INTERVAL = 0.4  # the per-channel limit, scaled down from Slack's 1 s
WORKSPACE_PER_MINUTE = 300.0  # one post per 0.2 s in the workspace


def slack_jobs(slack: FakeSlackAPI, url: str, *, local: bool = False) -> list[dict[str, Any]]:
    # Each process posts to the channel all share and to one of its own: 18 posts, bound
    # as much by the shared channel (9 x 0.4 s) as by the workspace (18 x 0.2 s).
    return [
        {
            "kind": "slack", "id": p, "db": url, "local": local, "token": slack.token, "api_url": slack.base_url,
            "team": slack.team_id, "channels": ["C0SHARED", f"C{p}OWN"], "posts": 3,
            "messages_per_second": 1 / CHANNEL_INTERVAL, "workspace_messages_per_minute": WORKSPACE_PER_MINUTE,
        }
        for p in range(PROCESSES)
    ]


def slack_fake() -> FakeSlackAPI:
    # 1 post per 0.25 s per channel, 6 per 0.9 s per workspace: about a third looser than
    # paced (0.4 s; 4.5 in 0.9 s), for the posts' arrival jitter when the suite's other
    # process loads the machine (a 10 % margin once saw three 429s in CI). Processes
    # pacing each on its own still send three times the paced rate (the control below).
    return FakeSlackAPI(rate_limit=1, window=0.25, team_rate_limit=6, team_window=0.9)


@pytest.mark.postgres
def test_slack_processes_together_keep_the_channel_and_workspace_limits(pg_url: str):
    with slack_fake() as slack:
        run_processes(slack_jobs(slack, pg_url))
        posts = slack.calls_to("chat.postMessage")
        assert [c.status for c in posts if c.status != 200] == []  # no 429, from either limit
        assert len(slack.posted) == PROCESSES * 2 * 3
        by_channel: dict[str, list[float]] = defaultdict(list)
        for post in slack.posted:
            by_channel[post.channel].append(post.time)
        shared = gaps(by_channel["C0SHARED"])
        assert len(shared) == PROCESSES * 3 - 1 and min(shared) >= CHANNEL_INTERVAL * 0.625, shared
        workspace = gaps([post.time for post in slack.posted])
        # 300 a minute: 4.5 in 0.9 s, GCRA one more at an end, jitter one more at most.
        assert most_within([post.time for post in slack.posted], 0.9) <= 6
        # Paced, not throttled: first to last post takes about its floor, 17 workspace intervals.
        floor = (len(slack.posted) - 1) * 60 / WORKSPACE_PER_MINUTE
        assert floor * 0.9 <= sum(workspace) <= floor * 1.5, (sum(workspace), floor)


@pytest.mark.postgres
def test_without_the_shared_pacer_the_same_processes_are_rate_limited(pg_url: str):
    """The control: each process pacing on its own, as before, is refused by the fake."""
    with slack_fake() as slack:
        run_processes(slack_jobs(slack, pg_url, local=True))
        assert any(c.status == 429 for c in slack.calls_to("chat.postMessage"))


@pytest.mark.postgres
def test_discord_processes_together_keep_the_global_limit(pg_url: str):
    rate = 8.0  # requests per second paced, all processes together; the fake allows 10
    with FakeDiscord(global_limit=10) as discord_api:
        channels = [discord_api.add_channel(f"c{k}") for k in range(PROCESSES * 2)]
        jobs = [
            {
                "kind": "discord", "id": p, "db": pg_url, "token": discord_api.token,
                "api_url": discord_api.api_url, "guild": str(discord_api.guild_id),
                "channels": channels[2 * p: 2 * p + 2], "posts": 4, "requests_per_second": rate,
            }
            for p in range(PROCESSES)
        ]
        run_processes(jobs)
        assert discord_api.rate_limited() == []
        sent = [c for c in discord_api.calls if c.route == "messages" and c.method == "POST"]
        assert len(sent) == PROCESSES * 2 * 4
        # Slots leave 1/8 s apart; a process the machine starves may send one late, so
        # arrivals are counted per second, as Discord counts them: 8, or 9 with one late.
        paced = [c.time for c in discord_api.calls if c.route not in ("callback", "followup")]
        assert most_within(paced, 1.0) <= rate + 1, gaps(paced)
        assert sum(gaps(paced)) >= (len(paced) - 1) / rate * 0.9  # 3 processes, 8 a second in all


@pytest.mark.postgres
def test_arxiv_processes_together_keep_its_spacing_and_interactive_goes_first(pg_url: str):
    interval = 0.25
    with ArxivFeedServer(synthetic_week(2)) as arxiv:
        jobs = [
            {"kind": "arxiv", "id": p, "db": pg_url, "url": arxiv.url, "min_interval": interval, "bulk": 4,
             "interactive": p == 0}
            for p in range(PROCESSES)
        ]
        run_processes(jobs)
        requests_ = arxiv.requests
        assert len(requests_) == PROCESSES * 4 + 1
        # Slots an interval apart on the database's clock; arrivals a little earlier or
        # later as each process is scheduled (never together, as unshared gates send them).
        spacing = gaps([r.time for r in requests_])
        assert min(spacing) >= interval * 0.6 and sum(spacing) >= (len(requests_) - 1) * interval * 0.95, spacing
        # Within its process the interactive request went ahead of the bulk ones queued
        # before it: at most the one already at the shared gate was served first.
        mine = [r.params["n"] for r in sorted(requests_, key=lambda r: r.time) if r.params.get("p") == "0"]
        assert mine.index("4") <= 1, mine


# -- one process, no database (SQLite): the in-process gates -----------------------------


async def test_slack_port_alone_keeps_its_workspace_limit_across_channels_in_process():
    from bot.slack.port import SlackPort, slack_client
    from config.settings import SlackSettings
    from digest.models import ChannelRef

    with FakeSlackAPI(rate_limit=1, window=0.3, team_rate_limit=5, team_window=0.9) as slack:
        settings = SlackSettings(bot_token=slack.token, api_url=slack.base_url)
        port = SlackPort(slack_client(settings), messages_per_second=1 / CHANNEL_INTERVAL,
                         workspace_messages_per_minute=WORKSPACE_PER_MINUTE)  # fmt: skip

        async def channel(name: str) -> None:
            for i in range(3):
                await port.post_notice(ChannelRef("slack", slack.team_id, name), f"{i}", f"{name}-{i}")

        await asyncio.gather(*(channel(f"C{k}") for k in range(4)))
        assert [c.status for c in slack.calls_to("chat.postMessage")] == [200] * 12
        workspace = gaps([post.time for post in slack.posted])
        assert min(workspace) >= 60 / WORKSPACE_PER_MINUTE * 0.75, workspace


def test_with_the_database_unreachable_a_process_still_keeps_the_limit_alone(caplog):
    from digest.store.engines import create_store_engine

    pacer = SharedPacer(create_store_engine("postgresql+psycopg://postgres:s3cretpw@127.0.0.1:1/test"))
    try:
        gate = pacer.gate("slack:T:C", 0.2)
        gate.wait()
        started = time.monotonic()
        gate.wait()
        assert time.monotonic() - started >= 0.2 - 0.005  # the local gate's half and the rest
    finally:
        pacer.close()
    assert "shared pacing slack:T:C: OperationalError; pacing this process only" in caplog.text
    assert "s3cretpw" not in caplog.text
