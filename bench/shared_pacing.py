"""What a rate limit shared across processes costs: the PostgreSQL pacer against the in-process one.

Each acquisition of a ``SharedPacer`` gate (digest/store/pacing.py) is one UPDATE on the
store's PostgreSQL (127.0.0.1:5432, a schema of its own), made from a worker thread
(``asyncio.to_thread``) for a coroutine; the in-process ``Spacing`` is a lock and a
heap. Measured:

- overhead per acquisition, nobody waiting (an interval of 1 ns): coroutines (``pause``, what the
  Slack and Discord clients call) and threads (``wait``, arXiv's clients); the ratio
  shared / in-process.
- the rate one process reaches through a shared gate at Discord's interval (1/47.5 s,
  the tightest limit paced): the reservation's round trip must hide inside the interval
  (the local gate opens at ``LEAD`` of it), not add to every one.

Targets: overhead at most ``TARGET_MS`` per acquisition (a tenth of Discord's interval;
a five-hundredth of Slack's per-channel second), and a paced rate at least
``TARGET_RATE`` of the in-process gate's, measured alike (on a loaded machine late
wake-ups slow both). Exit status 1 on a miss.

    .venv/bin/python bench/shared_pacing.py [--acquisitions N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from digest.pacing import Gate  # noqa: E402
from digest.ratelimit import Spacing  # noqa: E402
from digest.store import SharedPacer, open_store  # noqa: E402
from tests.pg_schema import PG_DSN, fresh_schema  # noqa: E402

DISCORD_INTERVAL = 1 / 47.5  # seconds: bot/discord/client.py GLOBAL_REQUESTS_PER_SECOND
TARGET_MS = 2.0
TARGET_RATE = 0.95


async def per_call(call: Callable[[], Awaitable[object]], n: int) -> list[float]:
    """Seconds each of ``n`` calls took, after a few to warm up (connections, threads)."""
    for _ in range(5):
        await call()
    took = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        took.append(time.perf_counter() - started)
    return took


async def paced_rate(gate: Gate, n: int) -> float:
    """Acquisitions per interval one process reaches, back to back (1.0: the full rate)."""
    await gate.pause()
    started = time.perf_counter()
    for _ in range(n):
        await gate.pause()
    return n * gate.min_interval / (time.perf_counter() - started)


async def measure(acquisitions: int = 300, paced: int = 95) -> dict[str, float]:
    with psycopg.connect(PG_DSN, autocommit=True) as admin, fresh_schema(admin, "bench_pacing") as url:
        store = await asyncio.to_thread(open_store, url)
        try:
            shared = SharedPacer(store.engine)
            # An interval too short to wait for, not 0: a shared gate of interval 0 skips the database.
            free_shared, free_local = shared.gate("free", 1e-9), Spacing(1e-9)
            local_async = await per_call(free_local.pause, acquisitions)
            shared_async = await per_call(free_shared.pause, acquisitions)
            local_sync = await per_call(lambda: asyncio.to_thread(free_local.wait), acquisitions)
            shared_sync = await per_call(lambda: asyncio.to_thread(free_shared.wait), acquisitions)
            rate_shared = await paced_rate(shared.gate("discord", DISCORD_INTERVAL), paced)
            rate_local = await paced_rate(Spacing(DISCORD_INTERVAL), paced)
        finally:
            store.close()
    median = statistics.median
    return {
        "local_pause_us": median(local_async) * 1e6,
        "shared_pause_ms": median(shared_async) * 1e3,
        "shared_pause_p95_ms": sorted(shared_async)[int(len(shared_async) * 0.95)] * 1e3,
        "local_wait_us": median(local_sync) * 1e6,  # through asyncio.to_thread, as measured for both
        "shared_wait_ms": median(shared_sync) * 1e3,
        "ratio_pause": median(shared_async) / median(local_async),
        "ratio_wait": median(shared_sync) / median(local_sync),
        "rate_shared": rate_shared,
        "rate_local": rate_local,
    }


def misses(r: dict[str, float]) -> list[str]:
    found = []
    for key in ("shared_pause_ms", "shared_wait_ms"):
        if r[key] > TARGET_MS:
            found.append(f"{key} {r[key]:.2f} ms (target <= {TARGET_MS})")
    if r["rate_shared"] < TARGET_RATE * r["rate_local"]:
        ratio = r["rate_shared"] / r["rate_local"]
        found.append(f"paced rate {ratio:.3f} of the in-process one (target >= {TARGET_RATE})")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acquisitions", type=int, default=300)
    args = parser.parse_args()
    r = asyncio.run(measure(args.acquisitions))
    print(f"Pacer overhead per acquisition, nobody waiting (median of {args.acquisitions}):")
    print(f"  coroutine (pause): in-process {r['local_pause_us']:7.1f} us   PostgreSQL {r['shared_pause_ms']:6.3f} ms "
          f"(p95 {r['shared_pause_p95_ms']:.3f} ms)   ratio {r['ratio_pause']:6.0f}x   target <= {TARGET_MS} ms")
    print(f"  thread (wait):     in-process {r['local_wait_us']:7.1f} us   PostgreSQL {r['shared_wait_ms']:6.3f} ms "
          f"{'':18}ratio {r['ratio_wait']:6.0f}x   target <= {TARGET_MS} ms")
    print("  (the thread figures include asyncio.to_thread's hop for both)")
    print(f"Rate one process reaches at Discord's interval ({DISCORD_INTERVAL * 1e3:.1f} ms): "
          f"PostgreSQL {r['rate_shared']:.3f}, in-process {r['rate_local']:.3f} of the limit; "
          f"ratio {r['rate_shared'] / r['rate_local']:.3f} (target >= {TARGET_RATE})")
    failed = misses(r)
    print("MISSED: " + "; ".join(failed) if failed else "all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
