"""The four job queues of ``bench/queue_choice.py``, each driven through its own public API.

Every queue runs the same job, ``job(i, sleep_s, span)``: it stamps its start (wall
clock, ``time.time()``) and its process id in shared memory, waits ``sleep_s`` seconds
(the LLM call it stands for: ``asyncio.sleep`` in the asyncio queues, ``time.sleep`` in
the threaded ones) and stamps its end. A job given ``span`` > 1 slots writes its n-th
attempt to slot ``i + n - 1``, so a redelivered job is seen as a second start.

One adapter per queue, with the same shape: ``setup`` (in the bench process) makes the
queue's own namespace and returns a picklable context; ``worker`` runs in a worker
process of its own until killed; ``Producer`` enqueues from the bench process;
``cleanup`` removes the namespace. Per-process concurrency is ``CONCURRENCY`` for all.

Namespaces: procrastinate a PostgreSQL schema ``qbench_<hex>`` (dropped after); arq
Redis db 0, queue ``qbench:<hex>`` and job ids ``qbench<hex>-<i>`` (their keys deleted
after); dramatiq and Celery a RabbitMQ queue ``qbench_<hex>_<queue>`` (deleted after,
with Celery's exchange of the same name).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import uuid
from typing import Any

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=5"
REDIS = ("127.0.0.1", 6379, 0)
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
CONCURRENCY = 16  # jobs in flight per worker process (I/O-bound: waiting on an API)
# procrastinate's stalled-job recovery, as the bench configures it (library defaults: a
# heartbeat every 10 s, a worker stalled after 30 s without one; no sweep by default).
PROC_HEARTBEAT = 0.5
PROC_STALE = 2.0
PROC_SWEEP = 1.0
ARQ_JOB_TIMEOUT = 3  # seconds; arq's in-progress key lives job_timeout + 10 s (default 300 + 10)

_SHM: tuple[Any, ...] = ()  # (starts, ends, pids, ready) RawArrays, set in each worker


def _stamp_start(i: int, span: int) -> int:
    starts, _, pids, _ = _SHM
    slot = i
    for a in range(span):  # the first free slot: attempt a + 1
        if starts[i + a] == 0.0:
            slot = i + a
            break
    starts[slot] = time.time()
    pids[slot] = os.getpid()
    return slot


def job_sync(i: int, sleep_s: float, span: int = 1) -> None:
    slot = _stamp_start(i, span)
    if sleep_s:
        time.sleep(sleep_s)
    _SHM[1][slot] = time.time()


async def job_async(i: int, sleep_s: float, span: int = 1) -> None:
    slot = _stamp_start(i, span)
    if sleep_s:
        await asyncio.sleep(sleep_s)
    _SHM[1][slot] = time.time()


def _ready(idx: int) -> None:
    _SHM[3][idx] = 1


# --- procrastinate (PostgreSQL) -------------------------------------------------------


def _proc_app(ctx: dict[str, Any]) -> Any:
    import procrastinate

    conninfo = f"{PG_DSN} application_name={ctx['app_name']} options='-csearch_path={ctx['schema']}'"
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=CONCURRENCY + 2)
    )
    app.task(name="job", queue=ctx["queue"])(job_async)
    return app


def proc_setup(admin: Any, tag: str) -> dict[str, Any]:
    import procrastinate

    schema = f"qbench_{tag}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    # Its own queue name too: LISTEN/NOTIFY channels are per database, not per schema.
    ctx = {"schema": schema, "queue": f"qbench_{tag}", "app_name": f"qbench_{tag}"}
    app = _proc_app(ctx)
    with app.open():
        app.schema_manager.apply_schema()
    assert procrastinate  # imported for its error here, before any worker starts
    return ctx


def proc_cleanup(admin: Any, ctx: dict[str, Any]) -> None:
    admin.execute("SET lock_timeout = '10s'")
    admin.execute(f'DROP SCHEMA IF EXISTS "{ctx["schema"]}" CASCADE')


async def _proc_sweep(app: Any) -> None:
    """The documented recipe for stalled jobs (get_stalled_jobs + retry_job), every
    PROC_SWEEP s in every worker: a job whose worker missed heartbeats for PROC_STALE s
    goes back to ``todo``. Two sweepers racing on one job: the loser's retry fails."""
    while True:
        await asyncio.sleep(PROC_SWEEP)
        try:
            for stalled in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=PROC_STALE):
                await app.job_manager.retry_job(stalled)
        except Exception:  # noqa: BLE001 - a lost race or a dropped connection: next sweep
            pass


def proc_worker(ctx: dict[str, Any], idx: int) -> None:
    app = _proc_app(ctx)

    async def main() -> None:
        async with app.open_async():
            sweep = asyncio.create_task(_proc_sweep(app))
            _ready(idx)
            await app.run_worker_async(
                queues=[ctx["queue"]],
                concurrency=CONCURRENCY,
                update_heartbeat_interval=PROC_HEARTBEAT,
                stalled_worker_timeout=PROC_STALE,
            )
            sweep.cancel()

    asyncio.run(main())


class ProcProducer:
    def __init__(self, ctx: dict[str, Any]) -> None:
        self.app = _proc_app(ctx)
        self.task = self.app.tasks["job"]

    async def open(self) -> None:
        await self.app.open_async()

    async def enqueue(self, i: int, sleep_s: float, span: int = 1) -> None:
        await self.task.defer_async(i=i, sleep_s=sleep_s, span=span)

    async def enqueue_batch(self, slots: range) -> None:
        """No-op jobs for ``slots`` in one INSERT (``batch_defer_async``): how a leader
        enqueues a tick's due work."""
        await self.task.batch_defer_async(*({"i": i, "sleep_s": 0.0, "span": 1} for i in slots))

    async def close(self) -> None:
        await self.app.close_async()


def proc_transaction_check(ctx: dict[str, Any]) -> dict[str, Any]:
    """Enqueue inside the transaction that writes a run row, through SQLAlchemy (the
    store's engine): rolled back, neither row nor job exists; committed, both do. Uses
    procrastinate's ``configure(connection=...)`` (the job INSERT on our connection)."""
    import sqlalchemy as sa

    app = _proc_app(ctx)
    schema = ctx["schema"]
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    engine = sa.create_engine(url)
    counts = {}
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE run_rows (id int PRIMARY KEY)"))
        with app.open():
            for outcome in ("rollback", "commit"):
                with engine.connect() as conn:
                    conn.execute(sa.text("INSERT INTO run_rows VALUES (:i)"), {"i": len(counts)})
                    driver = conn.connection.driver_connection
                    app.tasks["job"].configure(connection=driver, queue="txn").defer(i=0, sleep_s=0.0)
                    conn.rollback() if outcome == "rollback" else conn.commit()
                with engine.connect() as conn:
                    rows = conn.execute(sa.text("SELECT count(*) FROM run_rows")).scalar()
                    jobs = conn.execute(
                        sa.text("SELECT count(*) FROM procrastinate_jobs WHERE queue_name = 'txn'")
                    ).scalar()
                counts[outcome] = (rows, jobs)
    finally:
        engine.dispose()
    return {"counts": counts, "joins": counts == {"rollback": (0, 0), "commit": (1, 1)}}


# --- arq (Redis) ----------------------------------------------------------------------


async def _arq_job(ctx: dict[str, Any], i: int, sleep_s: float, span: int = 1) -> None:
    await job_async(i, sleep_s, span)


def _redis_settings() -> Any:
    from arq.connections import RedisSettings

    host, port, db = REDIS
    return RedisSettings(host=host, port=port, database=db)


def arq_setup(admin: Any, tag: str) -> dict[str, Any]:
    return {"queue": f"qbench:{tag}", "job_prefix": f"qbench{tag}"}


def arq_cleanup(admin: Any, ctx: dict[str, Any]) -> None:
    import redis

    host, port, db = REDIS
    r = redis.Redis(host=host, port=port, db=db)
    try:
        for pattern in (f"arq:*{ctx['job_prefix']}-*", f"{ctx['queue']}*"):
            keys = list(r.scan_iter(match=pattern, count=1000))
            if keys:
                r.delete(*keys)
    finally:
        r.close()


def arq_worker(ctx: dict[str, Any], idx: int) -> None:
    from arq.worker import Worker, func

    async def main() -> None:
        worker = Worker(
            functions=[func(_arq_job, name="job")],
            redis_settings=_redis_settings(),
            queue_name=ctx["queue"],
            max_jobs=CONCURRENCY,
            job_timeout=ARQ_JOB_TIMEOUT,
            handle_signals=False,
        )
        _ready(idx)
        await worker.async_run()

    asyncio.run(main())


class ArqProducer:
    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self.run = uuid.uuid4().hex[:6]  # one per worker configuration: slots restart at 0

    async def open(self) -> None:
        from arq import create_pool

        self.pool = await create_pool(_redis_settings())

    async def enqueue(self, i: int, sleep_s: float, span: int = 1) -> None:
        # A job id arq already holds (its result kept an hour) is silently not enqueued.
        job = await self.pool.enqueue_job(
            "job", i, sleep_s, span, _job_id=f"{self.ctx['job_prefix']}-{self.run}-{i}", _queue_name=self.ctx["queue"]
        )
        if job is None:
            raise RuntimeError(f"arq refused job {i}: its id is taken")

    async def close(self) -> None:
        await self.pool.aclose()


# --- dramatiq and Celery (RabbitMQ) ---------------------------------------------------


def _rabbit_delete(queues: list[str], exchanges: tuple[str, ...] = ()) -> None:
    import pika

    conn = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        ch = conn.channel()
        for q in queues:
            ch.queue_delete(q)
        for x in exchanges:
            ch.exchange_delete(x)
    finally:
        conn.close()


def _dramatiq_actor(ctx: dict[str, Any]) -> Any:
    import dramatiq
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    broker = RabbitmqBroker(url=AMQP_URL)
    dramatiq.set_broker(broker)
    return dramatiq.actor(job_sync, actor_name="job", queue_name=ctx["queue"], broker=broker)


def dramatiq_setup(admin: Any, tag: str) -> dict[str, Any]:
    return {"queue": f"qbench_{tag}_dramatiq"}


def dramatiq_cleanup(admin: Any, ctx: dict[str, Any]) -> None:
    q = ctx["queue"]
    _rabbit_delete([q, f"{q}.DQ", f"{q}.XQ"])


def dramatiq_worker(ctx: dict[str, Any], idx: int) -> None:
    import dramatiq

    actor = _dramatiq_actor(ctx)
    worker = dramatiq.Worker(actor.broker, worker_threads=CONCURRENCY)
    worker.start()
    _ready(idx)
    while True:
        signal.pause()


class DramatiqProducer:
    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx

    async def open(self) -> None:
        self.actor = _dramatiq_actor(self.ctx)

    async def enqueue(self, i: int, sleep_s: float, span: int = 1) -> None:
        self.actor.send(i, sleep_s, span)

    async def close(self) -> None:
        self.actor.broker.close()


def _celery_app(ctx: dict[str, Any]) -> Any:
    from celery import Celery

    app = Celery("qbench", broker=AMQP_URL)
    app.conf.update(
        task_default_queue=ctx["queue"],
        # Redelivery of a killed worker's job needs both (the default acks before running).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    app.task(name="job")(job_sync)
    return app


def celery_setup(admin: Any, tag: str) -> dict[str, Any]:
    return {"queue": f"qbench_{tag}_celery"}


def celery_cleanup(admin: Any, ctx: dict[str, Any]) -> None:
    _rabbit_delete([ctx["queue"]], exchanges=(ctx["queue"],))  # Celery declares one of the queue's name


def celery_worker(ctx: dict[str, Any], idx: int) -> None:
    import warnings

    from celery.exceptions import SecurityWarning
    from celery.signals import worker_ready

    warnings.simplefilter("ignore", SecurityWarning)  # root in CI containers: noise here
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the worker's banner; errors stay on stderr
    app = _celery_app(ctx)
    worker_ready.connect(lambda **_: _ready(idx), weak=False)
    app.worker_main(
        ["worker", "--pool=threads", f"--concurrency={CONCURRENCY}", "-Q", ctx["queue"],
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
         f"--hostname=qbench{idx}-{uuid.uuid4().hex[:6]}@%h"]
    )


class CeleryProducer:
    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx

    async def open(self) -> None:
        self.app = _celery_app(self.ctx)
        self.task = self.app.tasks["job"]

    async def enqueue(self, i: int, sleep_s: float, span: int = 1) -> None:
        self.task.apply_async((i, sleep_s, span), queue=self.ctx["queue"])

    async def close(self) -> None:
        self.app.close()


ADAPTERS: dict[str, dict[str, Any]] = {
    "procrastinate": dict(
        setup=proc_setup, cleanup=proc_cleanup, worker=proc_worker, producer=ProcProducer,
        extra_server="none (our PostgreSQL)",
        recovery=f"worker heartbeat {PROC_HEARTBEAT} s; stalled after {PROC_STALE} s; "
        f"get_stalled_jobs+retry_job sweep every {PROC_SWEEP} s",
    ),
    "arq": dict(
        setup=arq_setup, cleanup=arq_cleanup, worker=arq_worker, producer=ArqProducer,
        extra_server="Redis",
        recovery=f"in-progress key expires (job_timeout {ARQ_JOB_TIMEOUT} s + 10 s), job re-polled",
    ),
    "dramatiq": dict(
        setup=dramatiq_setup, cleanup=dramatiq_cleanup, worker=dramatiq_worker, producer=DramatiqProducer,
        extra_server="RabbitMQ",
        recovery="unacked message requeued by RabbitMQ when the connection drops",
    ),
    "celery": dict(
        setup=celery_setup, cleanup=celery_cleanup, worker=celery_worker, producer=CeleryProducer,
        extra_server="RabbitMQ",
        recovery="acks_late + reject_on_worker_lost: unacked message requeued on disconnect",
    ),
}


def worker_entry(queue: str, ctx: dict[str, Any], shm: tuple[Any, ...], idx: int) -> None:
    """A worker process's target (multiprocessing, spawn): runs ``queue``'s worker."""
    global _SHM
    _SHM = shm
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    ADAPTERS[queue]["worker"](ctx, idx)


def _exit_with_parent(parent: int) -> None:
    """A bench killed outright (a test's timeout) must not leave workers polling forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def new_tag() -> str:
    return uuid.uuid4().hex[:10]
