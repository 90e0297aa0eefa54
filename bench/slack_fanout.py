"""(4) A digest of 10 cards to 50 Slack channels at 1 message/s per channel: wall time over the floor.

Each channel gets a header and 10 cards, 11 messages; Slack (the loopback fake) answers
429 to a second message within a second in one channel. The floor is 10 s: 11 messages
a second apart, all channels in parallel. Target: at most 1.2, and no 429 at all.

The measured path is the real one: the Deliverer walking its SQLite ledger, SlackPort
pacing each channel, the real slack_sdk client over loopback. The 50 digests are planned
(fetched, ranked, summarised without an LLM) before the clock starts.

    .venv/bin/python bench/slack_fanout.py [cards] [channels] [messages_per_second]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.slack.port import SlackPort, slack_client  # noqa: E402
from config.settings import SlackSettings  # noqa: E402
from digest.delivery.deliverer import Deliverer  # noqa: E402
from digest.models import ChannelRef  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import WEEK, Clock, make_engine  # noqa: E402
from tests.fakes.arxiv import ArxivFeedServer  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.slack_fixtures import NOW, week  # noqa: E402


async def measure(cards: int = 10, channels: int = 50, rate: int = 1) -> dict[str, float]:
    with (
        FakeSlackAPI(rate_limit=rate) as slack,
        ArxivFeedServer(week(cards)) as arxiv,
        tempfile.TemporaryDirectory() as tmp,
    ):
        store = open_store(f"sqlite:///{tmp}/fanout.db")
        settings = SlackSettings(bot_token=slack.token, api_url=slack.base_url, messages_per_second=rate)
        port = SlackPort(slack_client(settings), messages_per_second=settings.messages_per_second)
        deliverer = Deliverer(make_engine(arxiv.url, store, clock=Clock(NOW)), store, {"slack": port})
        runs = []
        for i in range(channels):
            sub = store.add_subscription(
                ChannelRef("slack", "T0TEAM", f"C{i:04d}"), "synthetic data", weekday=0, at=clock_time(9),
                tz="UTC", language="en", max_papers=cards, created_by="U0BENCH",
            )
            runs.append(await deliverer.plan(sub, WEEK, f"bench-{i}"))
        started = time.perf_counter()
        done = await asyncio.gather(*(deliverer.deliver(run) for run in runs))
        wall = time.perf_counter() - started
        assert all(run.state == "done" for run in done), [run.error for run in done if run.state != "done"]
        for i, run in enumerate(runs):
            posted = [m["metadata"]["event_payload"]["key"] for m in slack.messages(f"C{i:04d}")]
            assert posted == [f"{run.key}#{n}" for n in range(cards + 1)], posted  # once each, in order
        limited = sum(1 for call in slack.calls_to("chat.postMessage") if call.status == 429)
        await port.aclose()
        store.close()
    floor = cards / rate
    return {"wall": wall, "floor": floor, "ratio": wall / floor, "rate_limited": limited}


def main() -> None:
    given = [int(arg) for arg in sys.argv[1:4]]
    cards, channels, rate = given + [10, 50, 1][len(given) :]
    result = asyncio.run(measure(cards, channels, rate))
    print(f"{cards} cards + header to {channels} channels at {rate} message/s per channel")
    print(
        f"  wall {result['wall']:.2f} s, floor {result['floor']:.1f} s, over floor {result['ratio']:.3f} "
        f"(target <= 1.2), 429 answers: {result['rate_limited']:.0f}"
    )


if __name__ == "__main__":
    main()
