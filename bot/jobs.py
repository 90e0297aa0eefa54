"""The job queue: digest work that any process takes (procrastinate, on PostgreSQL).

With ``queue.enabled`` the leader's tick only decides what is due: it defers one ``plan``
job per topic group (``Queue.plan``; groups sharing a channel in one job), and the process
taking it plans and delivers those digests (``Work.plan``); recovery (resume, retries,
runs of dead owners, a plan job's runs cut short) defers one ``deliver`` job per run. Every ``digest-bot worker`` process, and every ``digest-bot run`` process, takes
them (``bot/work.py`` runs them). The store stays the only memory: a job carries keys,
ids and instants, never a ledger, and a job lost with its process is done again from the
store (the ledger posts nothing twice, the fence stops a process that was only slow).

procrastinate's locks:
- ``deliver``: ``lock`` = the run's channel, so one channel's digests post one at a time
  across all processes, in the order they were queued; ``queueing_lock`` = the run key,
  so a run waits in the queue at most once; taken before any waiting ``plan`` job.
- ``plan``: ``lock`` = its topic groups (topic, language, window): a group is planned once
  at a time; ``queueing_lock`` = the groups and their run keys (the sweep's catch-up
  defers a batch still waiting only once).

A job left ``doing`` by a process that died (its procrastinate heartbeat stale) would
hold its lock for ever: the leader's sweep fails it (``Queue.unstall``); the run it was
delivering is then owned by a dead process and adopted (``Recovery.adopt_orphans``), a
group it was planning is still owed and fired again (``Tick.catch_up``). A run a live
process no longer delivers (no job for it) is freed by that process (``Work.upkeep``),
then adopted likewise.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from digest.models import ChannelRef, DigestRun, Owed, Window

log = logging.getLogger(__name__)

QUEUE = "digests"  # procrastinate's queue name: the one queue of this bot's jobs
PLAN, DELIVER = "plan", "deliver"
# Deliveries are taken before plans (procrastinate: higher first). Plan jobs mostly wait
# at arXiv's gate; queued first, FIFO gave them every slot until the last topic was
# planned, and no digest posted before (bench/scale_workers.py).
DELIVER_PRIORITY = 1
# A process whose event loop was busy for a second or two (a plan's ranking on a loaded
# machine) is not dead: failing its jobs would only have another process redo them.
MIN_STALL_SECONDS = 5.0
KEEP_HOURS = 7 * 24  # jobs that failed are kept this long, to be looked at


def conninfo(url: str) -> str:
    """libpq's conninfo of a SQLAlchemy PostgreSQL URL (``postgresql+psycopg://...``), its
    query parameters kept: ``options=-csearch_path=<schema>`` puts the queue's tables and
    functions in the store's schema (the migration ``0022_queue`` made them there)."""
    u = make_url(url)
    params: dict[str, Any] = {"host": u.host, "port": u.port, "user": u.username, "password": u.password,
                              "dbname": u.database}  # fmt: skip
    for name, value in u.query.items():
        params[name] = value if isinstance(value, str) else value[-1]
    return make_conninfo(**{name: value for name, value in params.items() if value is not None})


def queue_app(url: str, *, pool_size: int = 10) -> procrastinate.App:
    """The procrastinate app on the store's database, with the ``plan`` and ``deliver``
    tasks (their bodies: ``bot/work.py``, found in the job's context); not opened yet."""
    from bot.work import deliver_job, plan_job  # bot/work.py imports this module: imported when used

    connector = procrastinate.PsycopgConnector(conninfo=conninfo(url), min_size=1, max_size=pool_size)
    app = procrastinate.App(connector=connector)
    app.task(name=PLAN, queue=QUEUE, pass_context=True)(plan_job)
    app.task(name=DELIVER, queue=QUEUE, pass_context=True)(deliver_job)
    return app


def channel_lock(channel: ChannelRef) -> str:
    return f"channel:{channel.platform}:{channel.workspace_id}:{channel.channel_id}"


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def plan_args(group: Sequence[Owed], now: datetime) -> dict[str, Any]:
    """A ``plan`` job's arguments (JSON): the leader's instant and each digest owed, by
    subscription id, window, run key and due instant."""
    return {
        "now": now.isoformat(),
        "owed": [
            {"subscription": o.subscription.id, "start": o.window.start.isoformat(), "end": o.window.end.isoformat(),
             "tz": o.window.tz, "key": o.key, "due": o.due_at.isoformat() if o.due_at else None}
            for o in group
        ],
    }  # fmt: skip


def owed_of(args: dict[str, Any]) -> list[tuple[int, Window, str, datetime | None]]:
    """``plan_args``' digests back: (subscription id, window, run key, due instant)."""
    return [
        (o["subscription"], Window(date.fromisoformat(o["start"]), date.fromisoformat(o["end"]), o["tz"]), o["key"],
         datetime.fromisoformat(o["due"]) if o["due"] else None)
        for o in args["owed"]
    ]  # fmt: skip


def batches(groups: Sequence[Sequence[Owed]]) -> list[list[Owed]]:
    """The topic groups, those sharing a channel joined (transitively): a ``plan`` job's
    digests are delivered in its process, where a channel's digests post one at a time
    (the Deliverer's channel lock), so two topics due at once in one channel never
    interleave their cards across processes."""
    joined: list[list[Owed]] = []
    where: dict[ChannelRef, int] = {}  # a channel's batch, by index into ``joined``
    for group in groups:
        found = sorted({where[o.subscription.channel] for o in group if o.subscription.channel in where})
        into = found[0] if found else len(joined)
        if not found:
            joined.append([])
        for other in found[1:]:  # this group links batches: the later ones move into the first
            joined[into] += joined[other]
            joined[other] = []
        joined[into] += group
        for o in joined[into]:
            where[o.subscription.channel] = into
    return [batch for batch in joined if batch]


class Queue:
    """What the leader (and a ``plan`` job) defers; ``unstall`` for the leader's sweep.

    ``stale_seconds``: a process whose procrastinate heartbeat is older is gone (the
    scheduler's heartbeat times ``STALE_BEATS``, as for run owners; at least
    ``MIN_STALL_SECONDS``).
    """

    def __init__(self, app: procrastinate.App, stale_seconds: float) -> None:
        self.app, self.stale_seconds = app, max(stale_seconds, MIN_STALL_SECONDS)
        self._unstalling = False

    async def plan(self, groups: Sequence[Sequence[Owed]], now: datetime) -> None:
        """One ``plan`` job per batch of topic groups (``batches``: groups sharing a
        channel go together); a batch already waiting is not queued again."""
        for batch in batches(groups):
            lock = "plan:" + _digest(*sorted({str((o.subscription.topic, o.subscription.language, o.window)) for o in batch}))
            waiting = lock + ":" + _digest(*sorted(x.key for x in batch))
            try:
                await self.app.configure_task(PLAN, lock=lock, queueing_lock=waiting).defer_async(**plan_args(batch, now))
            except AlreadyEnqueued:
                log.debug("plan of %s already queued", [x.key for x in batch])

    async def deliver(self, run: DigestRun, *, retry: bool = False) -> None:
        """A ``deliver`` job for ``run`` (``retry``: only if still failed and due when
        taken), behind the jobs of its channel queued before; none if one waits already."""
        task = self.app.configure_task(
            DELIVER, lock=channel_lock(run.channel), queueing_lock=run.key, priority=DELIVER_PRIORITY
        )
        try:
            await task.defer_async(key=run.key, retry=retry)
        except AlreadyEnqueued:
            log.debug("delivery of %s already queued", run.key)

    async def queued(self, keys: Sequence[str]) -> set[str]:
        """Those of the run ``keys`` with a ``deliver`` job waiting or being run."""
        if not keys:
            return set()
        rows = await self.app.connector.execute_query_all_async(
            "SELECT DISTINCT queueing_lock FROM procrastinate_jobs WHERE task_name = %(task)s "
            "AND status IN ('todo', 'doing') AND queueing_lock = ANY(%(keys)s)",
            task=DELIVER, keys=list(keys),
        )
        return {row["queueing_lock"] for row in rows}

    async def prune(self) -> None:
        """Delete jobs that ended a week ago (failed ones too; done ones go at once)."""
        await self.app.job_manager.delete_old_jobs(nb_hours=KEEP_HOURS, queue=QUEUE, include_failed=True,
                                                   include_cancelled=True, include_aborted=True)  # fmt: skip

    async def unstall(self) -> int:
        """Fail the jobs of processes gone (their heartbeat stale), freeing their locks;
        the store re-queues their work. How many."""
        if self._unstalling:  # the last sweep's still at it
            return 0
        self._unstalling = True
        try:
            return await self._unstall()
        finally:
            self._unstalling = False

    async def _unstall(self) -> int:
        manager = self.app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=self.stale_seconds))
        for job in stalled:
            log.warning("job %s %s of a process gone: failed, its work is queued again", job.task_name, job.id)
            try:
                await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            except Exception as err:  # noqa: BLE001 (finished meanwhile: nothing to free)
                log.info("job %s: %s", job.id, err)
        if stalled:
            await manager.prune_stalled_workers(self.stale_seconds)  # their rows, else kept until a worker starts
        return len(stalled)


def job_counts(engine: Any) -> dict[str, int]:
    """The queue's jobs waiting (``todo``) and being run (``doing``), read with the store's
    SQLAlchemy ``engine`` (``digest-bot status``; blocking)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = %(queue)s "
            "AND status IN ('todo', 'doing') GROUP BY status",
            {"queue": QUEUE},
        ).all()
    return {"todo": 0, "doing": 0} | {status: n for status, n in rows}
