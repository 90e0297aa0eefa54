"""One process of tests/test_shared_pacing.py: the real product code posting to a fake.

``python -m tests.pacing_worker '<json>'``: builds its pacer (``SharedPacer`` on the
PostgreSQL schema in ``db``, or with ``"local": true`` a ``LocalPacer``, as each process
paced before), prints ``ready``, waits for a line on stdin (every process starts
together), does its part and prints one JSON line: what it asked, and when.

- ``slack``: a ``SlackPort`` posts ``posts`` notices to each of ``channels``, the
  channels concurrently, one after another within a channel.
- ``discord``: a logged-in ``DiscordClient`` (REST only) and its ``DiscordPort`` post
  ``posts`` notices to each of ``channels``.
- ``arxiv``: ``ArxivHttp`` GETs from ``bulk`` threads at once; with ``interactive``,
  one more interactive GET asked once the bulk ones queue.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from typing import Any

import requests

from digest.models import ChannelRef
from digest.ratelimit.pacing import LocalPacer, Pacer, use_process_pacer
from digest.store import SharedPacer
from digest.store.engines import create_store_engine


def build_pacer(args: dict[str, Any]) -> Pacer:
    return LocalPacer() if args.get("local") else SharedPacer(create_store_engine(args["db"]))


def start() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


async def slack(args: dict[str, Any], pacer: Pacer) -> dict[str, Any]:
    from bot.slack.port import SlackPort, slack_client
    from config.settings import SlackSettings

    settings = SlackSettings(bot_token=args["token"], api_url=args["api_url"])
    port = SlackPort(
        slack_client(settings),
        messages_per_second=args["messages_per_second"],
        workspace_messages_per_minute=args["workspace_messages_per_minute"],
        pacer=pacer,
    )
    start()

    async def channel(name: str) -> None:
        for i in range(args["posts"]):
            await port.post_notice(ChannelRef("slack", args["team"], name), f"{name} {i}", f"{args['id']}-{name}-{i}")

    await asyncio.gather(*(channel(name) for name in args["channels"]))
    return {}


async def discord_(args: dict[str, Any], pacer: Pacer) -> dict[str, Any]:
    from discord.http import Route

    from bot.discord.client import DiscordClient
    from bot.discord.port import DiscordPort
    from config.settings import DiscordSettings

    Route.BASE = args["api_url"].rstrip("/")  # as DiscordService.start points it
    settings = DiscordSettings(token=args["token"], api_url=args["api_url"])
    client = DiscordClient(settings, requests_per_second=args["requests_per_second"], pacer=pacer)
    await client.login(args["token"])
    port = DiscordPort(client)
    start()
    try:

        async def channel(channel_id: str) -> None:
            for i in range(args["posts"]):
                ref = ChannelRef("discord", args["guild"], channel_id)
                await port.post_notice(ref, f"{channel_id} {i}", f"{args['id']}-{channel_id}-{i}")

        await asyncio.gather(*(channel(c) for c in args["channels"]))
    finally:
        await client.close()
    return {}


def arxiv(args: dict[str, Any]) -> dict[str, Any]:
    from digest.arxiv.http import ArxivHttp

    http = ArxivHttp(min_interval=args["min_interval"], retries=0, backoff=0.1, timeout=10)
    asked: dict[str, float] = {}
    done: list[int] = []
    start()

    def get(n: int, interactive: bool) -> None:
        with requests.Session() as session:
            asked[str(n)] = time.monotonic()
            url = f"{args['url']}?search_query=all:x&p={args['id']}&n={n}"
            with http.get(session, url, interactive=interactive) as response:
                response.raise_for_status()
        done.append(n)

    threads = [threading.Thread(target=get, args=(n, False)) for n in range(args["bulk"])]
    for thread in threads:
        thread.start()
    if args.get("interactive"):
        # The bulk ones queue behind the first at the gate (or were served: never a hang).
        while http.gate.waiting + len(done) < args["bulk"] - 1:
            time.sleep(0.005)
        thread = threading.Thread(target=get, args=(args["bulk"], True))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return {"asked": asked}


def main() -> None:
    args = json.loads(sys.argv[1])
    pacer = build_pacer(args)
    if args["kind"] == "arxiv":
        use_process_pacer(pacer)
        result = arxiv(args)
    else:
        run = slack if args["kind"] == "slack" else discord_
        result = asyncio.run(run(args, pacer))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
