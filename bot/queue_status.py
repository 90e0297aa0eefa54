"""What `digest-bot status` says of the job queue (``bot/jobs.py``): its jobs by state and
the latest failed ones, read with the store's SQLAlchemy engine (blocking).

Failed jobs are kept a week (``jobs.KEEP_HOURS``) to be looked at; procrastinate keeps no
error with a job (its ``procrastinate_events`` hold only when each state began), so the
reason is in the log of the process that ran it. Shown whenever the database has the
queue's tables and jobs in them, the queue on or off: jobs left waiting by a queue since
turned off are taken by no process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

LATEST = 5  # failed jobs listed, latest first


@dataclass(frozen=True)
class FailedJob:
    id: int
    task: str  # "plan" or "deliver"
    what: str  # a deliver job's run key; a plan job's number of digests
    at: datetime | None  # when it failed (UTC), from procrastinate's events


@dataclass(frozen=True)
class QueueStatus:
    waiting: int
    running: int
    failed: int  # kept this many days
    latest_failed: list[FailedJob]
    kept_days: int  # how long failed jobs are kept (jobs.KEEP_HOURS)


def queue_status(engine: Any) -> QueueStatus | None:
    """The queue's jobs, or None when the database has no queue tables (SQLite, or
    PostgreSQL before migration ``0022_queue``)."""
    if engine.dialect.name != "postgresql":
        return None
    from bot.jobs import KEEP_HOURS, QUEUE  # procrastinate: the postgres extra, there with PostgreSQL
    with engine.connect() as conn:
        if conn.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar() is None:
            return None
        counts = dict(conn.exec_driver_sql(
            "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = %(queue)s GROUP BY status",
            {"queue": QUEUE},
        ).all())  # fmt: skip
        rows = conn.exec_driver_sql(
            "SELECT j.id, j.task_name, j.queueing_lock, j.args, "
            "(SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS at "
            "FROM procrastinate_jobs j WHERE j.queue_name = %(queue)s AND j.status = 'failed' "
            "ORDER BY at DESC NULLS LAST, j.id DESC LIMIT %(n)s",
            {"queue": QUEUE, "n": LATEST},
        ).all()
    latest = [FailedJob(id, task, _what(task, lock, args), at) for id, task, lock, args, at in rows]
    return QueueStatus(counts.get("todo", 0), counts.get("doing", 0), counts.get("failed", 0), latest, KEEP_HOURS // 24)


def _what(task: str, lock: str | None, args: dict[str, Any]) -> str:
    if task == "deliver":  # jobs.DELIVER
        return f"run {args.get('key') or lock}"
    owed = len(args.get("owed", []))
    return f"{owed} digest{'s' if owed != 1 else ''} to plan"


def queue_lines(status: QueueStatus | None, enabled: bool) -> list[str]:
    """The lines `digest-bot status` prints: none without queue tables, or with the
    queue off and no job in them."""
    if status is None or (not enabled and not (status.waiting or status.running or status.failed)):
        return []
    head = (f"Job queue: {status.waiting} waiting, {status.running} running, "
            f"{status.failed} failed (last {status.kept_days} days).")
    if not enabled:
        head += " The queue is off (DIGEST_QUEUE_ENABLED=false): no process takes these jobs."
    lines = [head]
    if status.latest_failed:
        lines.append("Latest failed jobs (the error is in the log of the process that ran it):")
        for job in status.latest_failed:
            when = f"{job.at:%Y-%m-%d %H:%M} UTC" if job.at is not None else "when unknown"
            lines.append(f"  #{job.id} {job.task} ({job.what}) failed {when}")
    return lines
