"""`digest-bot run`: the long-running bot's lifecycle (start, signals, stop).

``bot/app.py`` builds the bot; this starts it (heartbeat, the platforms' services, the
leader election) and runs until SIGTERM or SIGINT (or ``stop``). Every process serves
commands; only the one holding the scheduler lease fires schedules, so several can
share a PostgreSQL database. A stop ends the services (no new commands), closes the
post gate (the post in flight finishes and is recorded, no new one starts), stops taking
jobs (the queue on: ``bot/work.py``), drains the digests in flight, gives the lease up
and leaves as a run owner; the next start finishes any digest cut short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime

from bot.app import Bot, build_bot
from config.settings import Settings
from digest.engine import utc_now

log = logging.getLogger(__name__)

# Seconds a stop waits for digests in flight to reach their next post (docker-compose
# gives 30 before SIGKILL); after that they are cancelled and resumed on the next start.
DRAIN_SECONDS = 20.0


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
    """Run the bot until ``stop`` is set or a SIGTERM/SIGINT arrives.

    Raises ``ConfigError`` (a ``SlackStartupError`` or ``DiscordStartupError``) when
    the settings cannot work, ``ServiceUnreachable`` when Slack or Discord cannot be
    reached, before anything is posted; "stopped" is logged only after a clean stop, so
    such an error is the last thing a failed start says.
    """
    stop = stop or asyncio.Event()
    undo_signals = _on_signals(stop)
    bot: Bot | None = None
    electing = False
    try:
        bot = await build_bot(settings, clock)
        # This process as a run owner: its heartbeat tells the others it is alive.
        await bot.instances.start()
        if bot.jobs is not None:  # the queue on: this process takes jobs too (bot/work.py)
            await bot.jobs.open()
            bot.jobs.start()
        for service in bot.services:
            await service.start()
        bot.election.start()
        electing = True
        log.info("digest-bot running (%s)", ", ".join(_described(settings, name) for name in bot.ports))
        await stop.wait()
        log.info("stopping: finishing the posts in flight")
    finally:
        undo_signals()
        if bot is not None:
            await _shut_down(bot, electing)
    log.info("stopped")


def _described(settings: Settings, platform: str) -> str:
    """A platform for the start log: Slack with its mode ("slack (OAuth install, HTTP)")."""
    return f"slack ({settings.slack.described})" if platform == "slack" else platform


async def _shut_down(bot: Bot, electing: bool) -> None:
    """The stop order: no new commands, no new posts, posts in flight drained, the lease
    given up, this process gone as a run owner (its runs free to take at once)."""
    for service in reversed(bot.services):
        with contextlib.suppress(Exception):
            await service.stop()
    bot.gate.close()
    if bot.jobs is not None:
        await bot.jobs.stop()  # no new job; a delivery in flight stops at its next post
    await bot.scheduler.drain(DRAIN_SECONDS)
    if electing:
        await bot.election.stop()
    if bot.jobs is not None:
        await bot.jobs.close()
    with contextlib.suppress(Exception):
        await bot.instances.stop()
    await bot.aclose()
