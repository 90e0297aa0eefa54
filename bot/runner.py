"""`digest-bot run`: the long-running bot, composed from the settings.

Opens the store, builds the engine, the chat ports of the enabled platforms, the command
handlers and the weekly scheduler, and runs until SIGTERM or SIGINT (or ``stop``). Every
process serves commands; only the one holding the scheduler lease fires schedules, so
several can share a PostgreSQL database. A stop closes the post gate (the post in flight
finishes and is recorded, no new one starts), stops firing and gives the lease up; the
next start finishes any digest cut short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import text

from bot.app import ConfigError, build_fulltext, build_llm, build_qa_limits, build_source, build_summarizer
from bot.gate import PostGate
from bot.handlers import CommandHandlers
from bot.instances import Instances
from bot.lease import DEFAULT_NAME, LeaderElection, make_lease
from bot.scheduler import DigestScheduler
from config.settings import Settings
from digest.delivery.deliverer import Deliverer
from digest.engine import Engine, utc_now
from digest.delivery.ports import DigestPort
from digest.qa import QAService
from digest.store import Store, open_store

log = logging.getLogger(__name__)

NO_PLATFORM = (
    "no chat platform is configured, so there is nothing to run.\n"
    "  Slack:   set SLACK_BOT_TOKEN (xoxb-...), and SLACK_APP_TOKEN (xapp-...)\n"
    "           for Socket Mode or SLACK_SIGNING_SECRET for HTTP mode\n"
    "           (Slack posts to port DIGEST_HTTP_PORT, default 3000).\n"
    "  Discord: set DISCORD_TOKEN."
)
# Seconds a stop waits for digests in flight to reach their next post (docker-compose
# gives 30 before SIGKILL); after that they are cancelled and resumed on the next start.
DRAIN_SECONDS = 20.0


class Service(Protocol):
    """A platform's inbound side (bolt app, gateway client): started and stopped with the bot."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def lease_name(store: Store) -> str:
    """The lease is per database and schema: bots on other schemas of one server never contend."""
    if store.engine.dialect.name != "postgresql":
        return DEFAULT_NAME  # SQLite: the lock file sits beside the database file anyway
    with store.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{DEFAULT_NAME}/{schema}"


def _on_signals(stop: asyncio.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set ``stop``; returns the undo."""
    loop = asyncio.get_running_loop()
    caught: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
            caught.append(sig)

    def undo() -> None:
        for sig in caught:
            loop.remove_signal_handler(sig)

    return undo


async def run_bot(
    settings: Settings, *, stop: asyncio.Event | None = None, clock: Callable[[], datetime] = utc_now
) -> None:
    """Run the bot until ``stop`` is set or a SIGTERM/SIGINT arrives."""
    if not settings.slack.enabled and not settings.discord.enabled:
        raise ConfigError(NO_PLATFORM)
    stop = stop or asyncio.Event()
    undo_signals = _on_signals(stop)
    store = await asyncio.to_thread(open_store, settings.database.url)
    llm = build_llm(settings)  # one client: cards and thread answers share its limit and format
    engine = Engine(
        source=build_source(settings),
        store=store,
        summarizer=build_summarizer(llm),
        cache_ttl=timedelta(hours=settings.arxiv.cache_hours),
        clock=clock,
    )
    gate = PostGate()
    services: list[Service] = []
    election: LeaderElection | None = None
    scheduler: DigestScheduler | None = None
    instances: Instances | None = None
    try:
        raw_ports: dict[str, DigestPort] = {}
        if settings.slack.enabled:
            from bot.slack.port import SlackPort, slack_client

            raw_ports["slack"] = SlackPort(
                slack_client(settings.slack), messages_per_second=settings.slack.messages_per_second
            )
        ports = gate.wrap(raw_ports)
        s = settings.scheduler
        # This process as a run owner: its heartbeat tells the others it is alive.
        instances = Instances(store, interval=s.heartbeat_seconds)
        await instances.start()
        deliverer = Deliverer(engine, store, ports, bullets=settings.defaults.bullets, owner=instances.id)
        # The leader re-reads the subscriptions as often as followers try the lease: a
        # subscribe handled by another process is picked up as fast as a takeover.
        scheduler = DigestScheduler(store, deliverer, s, clock, sweep_seconds=s.lease_seconds, instances=instances,
                                   cache_hours=settings.arxiv.cache_hours)
        handlers = CommandHandlers(store, deliverer, ports, settings.defaults, scheduler, clock)
        answer = QAService(store, build_fulltext(settings), llm, build_qa_limits(settings))  # thread Q&A, built once
        if settings.slack.enabled:
            from bot.slack.app import SlackService, build_slack_app

            app = build_slack_app(settings.slack, handlers, store, raw_ports["slack"], answer)  # type: ignore[arg-type]
            services.append(SlackService(settings.slack, app))
        if settings.discord.enabled:
            from bot.discord.client import DiscordService

            discord = DiscordService(settings.discord, handlers, store, answer)
            # Its port comes with its client: added to the mapping the Deliverer already holds.
            raw_ports["discord"] = discord.port
            ports.update(gate.wrap({"discord": discord.port}))
            services.append(discord)
        for service in services:
            await service.start()
        lease = make_lease(settings.database.url, name=lease_name(store), interval=s.lease_seconds)
        election = LeaderElection(lease, scheduler.start, scheduler.stop, interval=s.lease_seconds)
        election.start()
        log.info("digest-bot running (%s)", ", ".join(raw_ports))
        await stop.wait()
        log.info("stopping: finishing the posts in flight")
    finally:
        undo_signals()
        for service in reversed(services):  # no new commands first
            with contextlib.suppress(Exception):
                await service.stop()
        gate.close()
        if scheduler is not None:
            await scheduler.drain(DRAIN_SECONDS)
        if election is not None:
            await election.stop()
        if instances is not None:
            with contextlib.suppress(Exception):
                await instances.stop()  # our runs are free to take at once
        await engine.aclose()
        if llm is not None:
            await llm.aclose()
        store.close()
        log.info("stopped")
