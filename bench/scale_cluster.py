"""The world ``bench/scale_workers.py`` runs in: an LLM server of fixed capacity, the Slack
fake's tally per workspace, and ``digest-bot worker`` processes.

- ``ServedLLM``: the OpenAI fake serving at most ``capacity`` requests at once; the rest
  queue at the server (their wait is not the model's latency). A real model server has
  a fixed number of slots: more workers asking at once do not make the model faster.
- ``cluster_tally``: what the Slack fake received (``bench.scale_world.slack_tally``) and,
  per workspace, its messages and the most that arrived within any one (scaled) minute.
- ``Workers``: N ``digest-bot worker`` processes (the CLI's ``run_worker``, settings from
  the environment), started and ready, their CPU read before they are stopped.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.scale_world import SlackTally, slack_tally
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_api import FakeSlackAPI

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")


class ServedLLM(FakeOpenAI):
    """The OpenAI fake with ``capacity`` slots: each request holds one for its latency."""

    def __init__(self, *, capacity: int, **options: Any) -> None:
        super().__init__(**options)
        self.capacity = capacity
        self._slots: asyncio.Semaphore | None = None  # made in the server's own loop

    async def _answer(self, request, body):  # type: ignore[no-untyped-def]
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.capacity)
        async with self._slots:
            return await super()._answer(request, body)


def workspace_of(channel: str, workspaces: int, topics: int) -> str:
    """The workspace of the bench's channel ``C<n>``, whose topic is ``n mod topics``: the
    channels of each topic spread over all ``workspaces`` (``T<(n div topics) mod
    workspaces>``), as a hosted service's subscribers of one topic would be. (``n mod
    workspaces`` put every channel of a topic in one workspace when ``workspaces``
    divides ``topics``: each topic's posts queued behind one workspace's limit.)"""
    return f"T{int(channel[1:]) // topics % workspaces:03d}"


@dataclass(frozen=True)
class ClusterTally:
    slack: SlackTally
    per_workspace: dict[str, int]  # messages per workspace
    worst_minute: int  # the most messages one workspace got within any ``minute`` seconds


def cluster_tally(slack: FakeSlackAPI, workspaces: int, topics: int, minute: float) -> ClusterTally:
    """``slack``'s figures with the workspaces', computed in the fake's own process."""
    times: dict[str, list[float]] = defaultdict(list)
    for call in slack.calls_to("chat.postMessage"):
        times[workspace_of(call.params["channel"], workspaces, topics)].append(call.time)
    worst = 0
    for arrivals in times.values():
        arrivals.sort()
        for i, t in enumerate(arrivals):
            worst = max(worst, bisect_right(arrivals, t + minute - 1e-9) - i)  # within [t, t + minute)
    return ClusterTally(slack_tally(slack), {w: len(a) for w, a in times.items()}, worst)


CHILD = """
import asyncio, cProfile, logging, os, sys, time
from datetime import datetime
from bot.app import load_settings
from bot.worker import run_worker

now = datetime.fromisoformat(sys.argv[1])
logging.basicConfig(level=logging.WARNING, format="%(created).3f %(process)d %(name)s: %(message)s")
logging.getLogger("bot.worker").setLevel(logging.INFO)  # its "taking jobs" line: ready
logging.getLogger("procrastinate.worker").setLevel(logging.INFO)  # each job's end: who did what
from digest.llm import language
language._identifier()  # loaded at a worker's first card, once: a tick of a worker long up has it
profile = cProfile.Profile(time.process_time) if sys.argv[2] else None  # CPU, not waits
if profile:
    profile.enable()
asyncio.run(run_worker(load_settings(), clock=lambda: now))
if profile:
    profile.disable()
    profile.dump_stats(f"{sys.argv[2]}/worker-{os.getpid()}.prof")
"""
READY = "digest-bot worker taking jobs"


class Workers:
    """``n`` ``digest-bot worker`` processes with ``env``, their clock fixed at ``now``."""

    def __init__(self, n: int, env: dict[str, str], now: str, logs: Path, profile: str = "") -> None:
        """``profile``: a folder for each worker's cProfile stats (it runs slower)."""
        self.logs = [logs / f"worker-{i}.log" for i in range(n)]
        self.procs = [
            subprocess.Popen([sys.executable, "-c", CHILD, now, profile], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=log.open("w"))  # fmt: skip
            for log in self.logs
        ]

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not all(READY in log.read_text() for log in self.logs):
            if any(p.poll() is not None for p in self.procs) or time.monotonic() > deadline:
                raise RuntimeError(f"a worker did not start:\n{self.tail()}")
            time.sleep(0.1)

    def cpu(self) -> list[float]:
        """Each worker's CPU seconds so far (user + system, from /proc)."""
        seconds = []
        for p in self.procs:
            fields = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds.append((int(fields[11]) + int(fields[12])) / CLK_TCK)
        return seconds

    def stop(self) -> list[int]:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        codes = []
        for p in self.procs:
            try:
                codes.append(p.wait(40))
            except subprocess.TimeoutExpired:
                p.kill()
                codes.append(p.wait(10))
        return codes

    def jobs_done(self) -> list[dict[str, int]]:
        """Per worker, its jobs ended in success by task (``plan``, ``deliver``), from its log."""
        done = []
        for log in self.logs:
            ended = [line for line in log.read_text().splitlines() if "ended with status: Success" in line]
            done.append({task: sum(f"Job {task}[" in line for line in ended) for task in ("plan", "deliver")})
        return done

    def problems(self, most: int = 20) -> list[str]:
        """The workers' log lines at WARNING and above, and jobs that did not succeed."""
        found = []
        for log in self.logs:
            for line in log.read_text().splitlines():
                if ("ended with status" in line and "Success" not in line) or " procrastinate" not in line:
                    if READY not in line and "stopping" not in line and "stopped" not in line:
                        found.append(f"{log.name}: {line}")
        return found[:most]

    def tail(self, lines: int = 15) -> str:
        return "\n".join(f"--- {log.name} ---\n" + "\n".join(log.read_text().splitlines()[-lines:]) for log in self.logs)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return (total - idle) / CLK_TCK, total / CLK_TCK
