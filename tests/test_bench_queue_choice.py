"""The job-queue benchmark, quick: every queue does every job, and its figures hold together.

Runs ``bench/queue_choice.py --quick`` as the user would (its own process: it spawns
worker processes) against the real PostgreSQL, Redis and RabbitMQ on loopback. The CPU
target itself is left to the full benchmark (a shared CI machine moves it); the exit
status must agree with the figures it printed.
"""

import json
import subprocess
import sys
from pathlib import Path

import pika
import pytest
import redis

from bench import queue_adapters, queue_choice

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
def test_quick_queue_benchmark_completes_every_job_and_recovers_the_killed_one(pg_admin, tmp_path):
    out = tmp_path / "queues.json"
    run = subprocess.run(
        [sys.executable, "bench/queue_choice.py", "--quick", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert out.exists(), run.stderr[-3000:]
    r = json.loads(out.read_text())

    assert [c["queue"] for c in r["configs"]] == ["procrastinate", "arq", "dramatiq", "celery"]
    assert r["lost"] == []
    for c in r["configs"]:
        o, lat = c["overhead"], c["latency"]
        assert o["done"] == o["jobs"] == 100 and lat["done"] == lat["jobs"] == 60, c
        assert o["jobs_per_s"] > 5, c
        # Workers and producer both burn some CPU per job, and no queue needs 50 ms of it.
        assert 0 < o["enqueue_cpu_ms_per_job"] < o["cpu_ms_per_job"] < 50, c
        assert 0 <= lat["p50_ms"] <= lat["p95_ms"] < 5000, c

    by_queue = {c["queue"]: c for c in r["configs"]}
    kill = by_queue["procrastinate"]["kill"]
    # Stalled after PROC_STALE s without a heartbeat, swept within PROC_SWEEP s, then
    # fetched by the next poll (5 s): another worker ran it, and ran it to its end.
    assert kill["recovered"] and kill["attempts"] == 2, kill
    assert queue_adapters.PROC_STALE <= kill["restart_after_s"] <= queue_adapters.PROC_STALE + queue_adapters.PROC_SWEEP + 5 + 3
    for broker_queue in ("dramatiq", "celery"):  # RabbitMQ requeues an unacked message at once
        k = by_queue[broker_queue]["kill"]
        assert k["recovered"] and k["restart_after_s"] < 3, (broker_queue, k)
    assert "kill" not in by_queue["arq"]  # --quick skips arq's 13 s wait

    one_by_one, batched = by_queue["procrastinate"]["overhead"], by_queue["procrastinate"]["overhead_batched"]
    assert batched["done"] == batched["jobs"] == 100
    # One INSERT for 100 jobs: the enqueuing side pays a fraction of a call per job.
    assert batched["enqueue_cpu_ms_per_job"] < one_by_one["enqueue_cpu_ms_per_job"] / 2, (batched, one_by_one)

    txn = r["queues"]["procrastinate"]["transaction"]
    assert txn["joins"] and txn["counts"] == {"rollback": [0, 0], "commit": [1, 1]}

    # Nothing left behind: the schema, the Redis keys, the RabbitMQ queues.
    ns = {q: info["namespace"] for q, info in r["queues"].items()}
    assert pg_admin.execute(
        "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (ns["procrastinate"]["schema"],)
    ).fetchone()[0] == 0
    r_client = redis.Redis(host="127.0.0.1", port=6379, db=queue_adapters.REDIS[2])
    try:
        assert list(r_client.scan_iter(match=f"*{ns['arq']['job_prefix']}*")) == []
        assert list(r_client.scan_iter(match=f"{ns['arq']['queue']}*")) == []
    finally:
        r_client.close()
    conn = pika.BlockingConnection(pika.URLParameters(queue_adapters.AMQP_URL))
    try:
        for q in (ns["dramatiq"]["queue"], ns["celery"]["queue"]):
            with pytest.raises(pika.exceptions.ChannelClosedByBroker, match="NOT_FOUND"):
                conn.channel().queue_declare(q, passive=True)
    finally:
        conn.close()

    misses = r["misses"]
    cpu = by_queue["procrastinate"]["overhead"]["cpu_ms_per_job"]
    assert (cpu > queue_choice.TARGET_MS) == any("CPU ms" in m for m in misses)
    assert run.returncode == (1 if misses else 0), run.stdout[-3000:]
    assert "verdict: procrastinate" in run.stdout and "killed job" in run.stdout


def test_verdict_fails_procrastinate_over_its_cpu_target_or_without_recovery():
    def results(cpu, recovered, done=100):
        conf = {
            "queue": "procrastinate", "workers": 2,
            "overhead": {"jobs": 100, "done": done, "cpu_ms_per_job": cpu},
            "latency": {"jobs": 60, "done": 60},
            "kill": {"recovered": recovered},
        }
        return {"configs": [conf], "queues": {"procrastinate": {"transaction": {"joins": True}}}}

    assert queue_choice.verdict(results(4.0, True)) == ([], [])
    assert queue_choice.verdict(results(12.0, True))[0] == ["12.00 CPU ms a job (target <= 10)"]
    assert queue_choice.verdict(results(4.0, False))[0] == ["the killed job was not recovered"]
    assert queue_choice.verdict(results(4.0, True, done=99))[1] == ["procrastinate x2: overhead 99/100 jobs done"]
