"""A digest of 20 cards to 100 Discord channels: wall time over its floor, and 429s received.

The loopback Discord fake enforces 5 messages per 5 s per channel and 50 requests/s
globally, as Discord does. Each channel gets a header and 20 cards (21 messages), so
the floor is max(15 s, 21 x 100 / 50 s) = 42 s (the global limit binds). Targets:
wall time / floor at most 1.2, and 429s under 1% of requests.

The real stack: store, engine, Deliverer, DiscordPort and discord.py's client (its
per-route buckets plus the service's process-wide pacer) against the fake.

    .venv/bin/python bench/discord_fanout.py
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.discord.client import GLOBAL_REQUESTS_PER_SECOND  # noqa: E402
from bot.discord.port import nonce_of  # noqa: E402
from tests.discord_fixtures import world  # noqa: E402
from tests.engine_fixtures import WEEK  # noqa: E402
from tests.fakes.discord_api import FakeDiscord  # noqa: E402

CHANNELS, CARDS = 100, 20
PER_CHANNEL = (5, 5.0)  # messages per window (seconds), per channel
GLOBAL = 50  # requests per second
PACING = GLOBAL_REQUESTS_PER_SECOND / 50  # the service's pacer: this share of the global limit


def refs(messages: list[dict]) -> list[str]:
    """The reference each posted header or card carries, in post order."""
    return [m["embeds"][0]["footer"]["text"].rsplit(" ", 1)[-1] if m["embeds"] else m["content"].rsplit(" ", 1)[-1]
            for m in messages]


def floor_seconds(channels: int, messages: int, per_channel: tuple[int, float], global_limit: int) -> float:
    """The least time the limits allow: the per-channel windows, or the global rate.

    For 21 messages to 100 channels: max(20 s, 42 s) = 42 s, the issue's max(15 s, 42 s).
    """
    limit, window = per_channel
    return max((math.ceil(messages / limit) - 1) * window, channels * messages / global_limit)


async def measure(
    channels: int = CHANNELS,
    cards: int = CARDS,
    per_channel: tuple[int, float] = PER_CHANNEL,
    global_limit: int = GLOBAL,
) -> dict[str, float]:
    fake = FakeDiscord(channels=channels, channel_limit=per_channel, global_limit=global_limit)
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        async with world(
            Path(tmp), cards, fake=fake, ready=False, requests_per_second=global_limit * PACING
        ) as w:
            runs = []
            for i, channel_id in enumerate(fake.channel_ids):
                sub = w.subscribe(channel_id, max_papers=cards)
                runs.append(await w.deliverer.plan(sub, WEEK, f"bench-{i}"))
            before = len(fake.calls)
            started = time.monotonic()
            done = await asyncio.gather(*(w.deliverer.deliver(run) for run in runs))
            wall = time.monotonic() - started
            calls = fake.calls[before:]
    messages = cards + 1
    in_order = all(refs(fake.messages(c)) == [nonce_of(f"bench-{i}#{k}") for k in range(messages)]
                   for i, c in enumerate(fake.channel_ids))
    floor = floor_seconds(channels, messages, per_channel, global_limit)
    limited = sum(1 for c in calls if c.status == 429)
    return {
        "wall": wall,
        "floor": floor,
        "ratio": wall / floor,
        "requests": len(calls),
        "rate_limited": limited,
        "rate_limited_share": limited / len(calls),
        "complete": float(in_order and all(r.state == "done" for r in done)),
    }


def main() -> None:
    r = asyncio.run(measure())
    print(f"{CARDS} cards to {CHANNELS} channels; fake limits: {PER_CHANNEL[0]} messages / {PER_CHANNEL[1]:.0f} s "
          f"per channel, {GLOBAL} requests/s global")
    print(f"  wall time {r['wall']:.1f} s over floor {r['floor']:.1f} s = {r['ratio']:.2f} (target <= 1.2)")
    print(f"  429s received: {r['rate_limited']:.0f} of {r['requests']:.0f} requests = "
          f"{100 * r['rate_limited_share']:.2f}% (target < 1%)")
    print(f"  every card posted once, in order: {'yes' if r['complete'] else 'NO'}")


if __name__ == "__main__":
    main()
