"""`digest-bot worker`: a process that only takes the queue's jobs (``bot/jobs.py``).

No chat events, no schedule, no lease: it plans topics' digests and delivers them, for
whichever leader deferred them, posting through the platforms' REST APIs (Slack's Web
API; Discord's HTTP client logged in, no gateway). Built from the same builders as
``digest-bot run`` (``bot/app.py``, ``bot/ports.py``): store -> the one LLM client ->
engine -> ports -> post gate -> heartbeat (``Instances``: the runs' owner id) ->
deliverer -> the tick's planning -> the queue's worker.

A stop (SIGTERM, SIGINT or ``stop``): the post gate closes (the post in flight lands
and is recorded, none starts), no new job is taken and the running ones end at their
next post, then the heartbeat leaves, so this process's runs are free to take at once.
A SIGKILL leaves them to the leader's sweep: its jobs are failed once its heartbeat is
stale, its runs adopted (``bot/recovery.py``) and queued again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.app import build_deliverer, build_engine, build_llm, build_store, release
from bot.concurrency import SubscriptionLocks
from bot.gate import PostGate
from bot.instances import Instances
from bot.ports import Ports, build_ports
from bot.retries import Backoff
from bot.runner import _on_signals
from bot.tick import Tick
from bot.work import Jobs, build_jobs
from config.settings import ConfigError, Settings
from digest.engine import Engine, utc_now
from digest.llm.client import LLMClient
from digest.store import Store

log = logging.getLogger(__name__)

NO_QUEUE = (
    "digest-bot worker takes jobs from the queue, which is off: set DIGEST_QUEUE_ENABLED=true "
    "(with DIGEST_DATABASE_URL on PostgreSQL) for it and for every digest-bot run process"
)
# A worker only posts (no events): the one bot token, or the OAuth app's installations; no
# Socket Mode or signing secret, which only `run`'s event connections need.
NO_PLATFORM = (
    "no chat platform is configured, so digest-bot worker has nowhere to post: set SLACK_BOT_TOKEN "
    "(xoxb-...), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth installs), or DISCORD_TOKEN"
)


@dataclass
class Worker:
    """Everything ``digest-bot worker`` runs, built; nothing started yet."""

    store: Store
    llm: LLMClient | None
    engine: Engine
    ports: Ports
    gate: PostGate
    instances: Instances
    jobs: Jobs
    services: list[Any] = field(default_factory=list)  # started before jobs are taken (the tokens tried)

    async def aclose(self) -> None:
        await release(self.store, self.llm, self.engine, self.ports.ports.values())


async def build_worker(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Worker:
    """The worker of ``settings``; ``ConfigError`` with the queue off, on SQLite or
    without a chat platform."""
    if not settings.queue.enabled:
        raise ConfigError(NO_QUEUE)
    if conflict := settings.conflict():
        raise ConfigError(conflict)
    if not settings.slack.enabled and not settings.discord.enabled:
        raise ConfigError(NO_PLATFORM)
    store = await asyncio.to_thread(build_store, settings)
    llm = build_llm(settings)
    if llm is not None:
        llm.usage_sink = store  # tokens per subscription and month, as in `run`
    engine = build_engine(settings, store, llm, clock)
    ports = build_ports(settings, store)
    gate = PostGate()
    s = settings.scheduler
    instances = Instances(store, interval=s.heartbeat_seconds)
    deliverer = build_deliverer(settings, engine, store, gate.wrap(ports.ports), instances.id)
    tick = Tick(store, deliverer, s, clock, SubscriptionLocks(), Backoff(s, clock), asyncio.ensure_future)
    worker = Worker(store, llm, engine, ports, gate, instances, build_jobs(settings, store, deliverer, tick, clock))
    if ports.slack is not None:  # the bot token tried at start, as `run` does
        from bot.slack.rest import SlackRest

        worker.services.append(SlackRest(settings.slack, ports.slack.client))
    if ports.discord_client is not None:
        from bot.discord.rest import DiscordRest

        worker.services.append(DiscordRest(settings.discord, ports.discord_client))
    return worker


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Callable[[], datetime] = utc_now,
    signals: bool = True,
) -> None:
    """Take jobs until ``stop`` is set (or, with ``signals``, a SIGTERM/SIGINT arrives), or
    the queue's worker fails (raised). ``ConfigError`` or ``ServiceUnreachable`` before
    any job is taken when the settings cannot work."""
    stop = stop or asyncio.Event()
    undo_signals = _on_signals(stop) if signals else (lambda: None)
    worker: Worker | None = None
    started: list[Any] = []
    taking: asyncio.Task[None] | None = None
    try:
        worker = await build_worker(settings, clock)
        for service in worker.services:  # the tokens tried before this process counts as a run owner
            await service.start()
            started.append(service)
        await worker.instances.start()
        await worker.jobs.open()
        taking = worker.jobs.start()
        log.info("digest-bot worker taking jobs (%s; %d at once)", ", ".join(worker.ports.ports), worker.jobs.concurrency)
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait([stopping, taking], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if taking.done() and not taking.cancelled() and taking.exception() is not None:
            raise taking.exception()  # type: ignore[misc]
        log.info("stopping: finishing the posts in flight")
    finally:
        undo_signals()
        if worker is not None:
            await _shut_down(worker, started)
    log.info("stopped")


async def _shut_down(worker: Worker, started: list[Any]) -> None:
    """The stop order: no new posts, no new jobs (the running ones end), this process gone
    as a run owner (its runs free to take at once), connections released."""
    worker.gate.close()
    await worker.jobs.stop()
    await worker.jobs.close()
    with contextlib.suppress(Exception):
        await worker.instances.stop()
    for service in reversed(started):
        with contextlib.suppress(Exception):
            await service.stop()
    await worker.aclose()
