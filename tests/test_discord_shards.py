"""Discord across processes: each `digest-bot run` connects its own shards, a guild's
interactions reach the process holding its shard, the commands are synced once.

The gateway fake shards as Discord does (tests/fakes/discord_gateway.py): IDENTIFY's
``shard: [id, count]``, READY and GUILD_CREATE for that shard's guilds only, and each
event on the connection of its guild's shard, ``(guild_id >> 22) % count``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.discord.shards import described
from config.settings import DiscordSettings
from tests.discord_fixtures import world
from tests.fakes import discord_payloads as p
from tests.fakes.discord_api import FakeDiscord
from tests.test_cli import LOOPBACK_ARXIV, clean_env, run
from tests.test_config_check import refused
from tests.test_discord_commands import content

ROOT = Path(__file__).resolve().parents[1]


# -- settings: refused with what to write, in `config check` and at `run` -----------------


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"DISCORD_SHARD_IDS": "0-3"},
         "discord.shard_ids = '0-3': needs discord.shard_count (DISCORD_SHARD_COUNT) too"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0-3"},
         "discord.shard_ids = '0-3': shard 3 does not exist: with shard_count 2 the shards are 0-1"),
        ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "zero"},
         "discord.shard_ids = 'zero': must be shard numbers from 0 up, as a range or a list: \"0-3\", \"0,2\""),
        ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "3-1"},
         "'3-1' runs backwards; write the lower shard first, e.g. 1-3"),
        ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "-1"}, "must be shard numbers from 0 up"),
        ({"DISCORD_SHARD_COUNT": "four"}, "discord.shard_count = 'four': write a whole number"),
        ({"DISCORD_SHARD_COUNT": "0"}, "discord.shard_count = '0'"),
    ],
)
def test_bad_shard_settings_are_refused_naming_the_variable(tmp_path, settings, says):
    text = refused(run(clean_env(tmp_path) | settings, "config", "check"), says)
    assert any(f"(set it in DIGEST_CONFIG_FILE or {name})" in text for name in settings)


def test_shard_settings_from_the_environment_or_the_file(tmp_path):
    env = clean_env(tmp_path)
    result = run(env | {"DISCORD_SHARD_COUNT": "6", "DISCORD_SHARD_IDS": " 4-5, 0,2"}, "config", "check")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)["discord"]
    assert (shown["shard_count"], shown["shard_ids"]) == (6, [0, 2, 4, 5])
    file = tmp_path / "bot.toml"
    file.write_text("[discord]\nshard_count = 4\nshard_ids = [3, 1]\n")
    shown = json.loads(run(env | {"DIGEST_CONFIG_FILE": str(file)}, "config", "check").stdout)["discord"]
    assert (shown["shard_count"], shown["shard_ids"]) == (4, [1, 3])
    file.write_text('[discord]\nshard_count = 4\nshard_ids = "0-1"\n')
    shown = json.loads(run(env | {"DIGEST_CONFIG_FILE": str(file)}, "config", "check").stdout)["discord"]
    assert shown["shard_ids"] == [0, 1]
    file.write_text("[discord]\nshard_count = 2\nshard_ids = [2]\n")
    refused(run(env | {"DIGEST_CONFIG_FILE": str(file)}, "config", "check"), "shard 2 does not exist")


def test_the_online_check_compares_the_count_with_discords_recommendation(tmp_path):
    with FakeDiscord() as fake:
        fake.shards = 4
        env = clean_env(tmp_path) | {"DISCORD_TOKEN": fake.token, "DIGEST_DISCORD_API_URL": fake.api_url}
        lines = {}
        for count, ids in (("4", "0-1"), ("2", "1")):
            result = run(env | {"DISCORD_SHARD_COUNT": count, "DISCORD_SHARD_IDS": ids}, "config", "check", "--online")
            lines[count] = next(line for line in result.stderr.splitlines() if "Discord API" in line)
        assert lines["4"].startswith("ok") and lines["4"].endswith("shards 0-1 of 4, Discord recommends 4")
        assert lines["2"].endswith("shard 1 of 2, Discord recommends 4; raise DISCORD_SHARD_COUNT to at least 4 on every process")
        assert fake.identify == []  # asked over REST; nothing connected


def test_run_refuses_bad_shard_settings_before_connecting(tmp_path):
    with FakeDiscord() as fake:
        env = _env(tmp_path, fake) | {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1-2"}
        result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "shard 2 does not exist" in result.stderr and "Traceback" not in result.stderr
        assert fake.calls == [] and fake.identify == []


def test_a_start_says_which_shards_it_runs():
    assert described(DiscordSettings()) == "as many shards as Discord recommends"
    assert described(DiscordSettings(shard_count=4)) == "shards 0-3 of 4"
    assert described(DiscordSettings(shard_count=4, shard_ids="1")) == "shard 1 of 4"
    assert described(DiscordSettings(shard_count=8, shard_ids="2-4")) == "shards 2-4 of 8"
    assert described(DiscordSettings(shard_count=4, shard_ids="0,2")) == "shards 0, 2 of 4"


# -- the fake shards as Discord does ---------------------------------------------------------


async def _identify(session: aiohttp.ClientSession, fake: FakeDiscord, shard: list[int]) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"ws://127.0.0.1:{fake.port}/gateway")
    assert (await ws.receive_json())["op"] == 10  # HELLO
    await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 0, "properties": {}, "shard": shard}})
    return ws


async def _events(ws: aiohttp.ClientWebSocketResponse, quiet: float = 0.3) -> list[tuple[str, str | None]]:
    """(event name, its guild) for each frame until none comes for ``quiet`` seconds."""
    seen = []
    while True:
        try:
            frame = await ws.receive_json(timeout=quiet)
        except TimeoutError:
            return seen
        data = frame["d"]
        seen.append((frame["t"], data["id"] if frame["t"] == "GUILD_CREATE" else data.get("guild_id")))


async def test_the_fake_gateway_sends_each_guild_s_events_on_its_shard_only():
    with FakeDiscord() as fake:
        fake.shards = 2
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{fake.api_url}/gateway/bot", headers={"Authorization": f"Bot {fake.token}"}) as r:
                assert (await r.json())["shards"] == 2
        fake_guilds = [fake.add_guild(shard=i, of=2) for i in (0, 1)]
        (zero, zero_channel), (one, one_channel) = fake_guilds
        async with aiohttp.ClientSession() as session:
            sockets = [await _identify(session, fake, [i, 2]) for i in (0, 1)]
            hellos = [await _events(ws) for ws in sockets]
            for shard, seen in enumerate(hellos):
                mine = [g for g in fake.guild_ids if (int(g) >> 22) % 2 == shard]
                assert seen[0] == ("READY", None) and seen[1:] == [("GUILD_CREATE", g) for g in mine]
            assert ("GUILD_CREATE", zero) in hellos[0] and ("GUILD_CREATE", one) in hellos[1]

            fake.say(zero_channel, "hello")
            fake.say(one_channel, "hello")
            for guild in (zero, one):
                fake.dispatch("MESSAGE_REACTION_ADD", {"user_id": "1", "channel_id": "2", "message_id": "3",
                                                       "guild_id": guild, "emoji": {"id": None, "name": "👍"}})
            fake.dispatch("MESSAGE_CREATE", p.message(fake.ids(), fake.dm_channel_id, None, fake.person))  # a DM
            assert await _events(sockets[0]) == [
                ("MESSAGE_CREATE", zero), ("MESSAGE_REACTION_ADD", zero), ("MESSAGE_CREATE", None)]
            assert await _events(sockets[1]) == [("MESSAGE_CREATE", one), ("MESSAGE_REACTION_ADD", one)]

            bad = await _identify(session, fake, [2, 2])  # no shard 2 of 2: Discord closes with 4010
            assert (await bad.receive()).type is aiohttp.WSMsgType.CLOSE and bad.close_code == 4010
            for ws in sockets:
                await ws.close()


# -- one process ---------------------------------------------------------------------------


async def test_without_settings_one_process_runs_every_shard_discord_recommends(tmp_path):
    fake = FakeDiscord()
    fake.shards = 2  # GET /gateway/bot's recommendation
    _, first = fake.add_guild(shard=0, of=2)
    _, second = fake.add_guild(shard=1, of=2)
    async with world(tmp_path, fake=fake) as w:  # discord.py waits 5 s between the two IDENTIFYs
        assert sorted(i["shard"] for i in fake.identify) == [[0, 2], [1, 2]]
        assert {g.id for g in w.service.client.guilds} == {int(g) for g in fake.guild_ids}
        for channel in (first, second):
            record = await fake.answered(fake.slash("help", channel_id=channel))
            assert "/arxiv subscribe" in content(record)
        assert len(fake.calls_to("sync")) == 1


async def test_a_process_given_shard_ids_connects_those_alone_and_leaves_the_sync(tmp_path):
    fake = FakeDiscord()
    theirs, _ = fake.add_guild(shard=0, of=2)
    ours, _ = fake.add_guild(shard=1, of=2)
    async with world(tmp_path, fake=fake, shard_count=2, shard_ids="1") as w:
        # The count is given, so discord.py would dial wss://gateway.discord.gg: the
        # client asks the configured API for its gateway all the same.
        assert [i["shard"] for i in fake.identify] == [[1, 2]]
        assert [c.route for c in fake.calls].count("gateway") == 1
        assert int(ours) in {g.id for g in w.service.client.guilds}
        assert int(theirs) not in {g.id for g in w.service.client.guilds}
        assert fake.calls_to("sync") == []  # the process holding shard 0 syncs


# -- two processes -------------------------------------------------------------------------


def _env(tmp_path: Path, fake: FakeDiscord, database: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "SLACK_", "DISCORD_", "OPENAI_"))}
    return env | LOOPBACK_ARXIV | {
        "PYTHONPATH": str(ROOT),
        "DIGEST_DATABASE_URL": database or f"sqlite:///{tmp_path / 'bot.db'}",  # shards share one database
        "DIGEST_ARXIV_MIN_INTERVAL": "0",
        "DISCORD_TOKEN": fake.token,
        "DIGEST_DISCORD_API_URL": fake.api_url,
    }


def _wait(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.1)
    return value


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
async def test_two_processes_split_the_shards_and_each_answers_its_guilds_once(tmp_path, store_url):
    fake = FakeDiscord()
    first_guild, first = fake.add_guild(shard=0, of=2)
    second_guild, second = fake.add_guild(shard=1, of=2)
    logs = [tmp_path / f"shard{i}.log" for i in range(2)]
    procs: list[subprocess.Popen[bytes]] = []
    with fake:
        def start(i: int) -> None:
            env = _env(tmp_path, fake, store_url) | {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": str(i)}
            procs.append(subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=logs[i].open("w")))

        def answered_once(interaction_id: str) -> None:
            calls = [c for c in fake.calls_to("callback") if f"/interactions/{interaction_id}/" in c.path]
            assert [c.status for c in calls] == [200], calls

        try:
            # The first process alone: shard 0 is connected, shard 1 is not.
            start(0)
            _wait(lambda: fake.identify and fake.sockets, "the first process's shard")
            assert [i["shard"] for i in fake.identify] == [[0, 2]]
            assert ("GUILD_CREATE", first_guild, (0, 2)) in fake.delivered
            assert not [d for d in fake.delivered if d[1] == second_guild]
            assert len(fake.calls_to("sync")) == 1
            assert "/arxiv subscribe" in content(await fake.answered(fake.slash("help", channel_id=first)))
            unheld = fake.slash("help", channel_id=second)  # shard 1's: Discord has no one to send it to
            time.sleep(2.0)
            assert fake.interaction(unheld)["callback"] is None

            # The second process: shard 1, and no second sync.
            start(1)
            _wait(lambda: len(fake.identify) == 2 and len(fake.sockets) == 2, "the second process's shard")
            assert [i["shard"] for i in fake.identify] == [[0, 2], [1, 2]]
            assert ("GUILD_CREATE", second_guild, (1, 2)) in fake.delivered
            asked = [fake.slash("help", channel_id=channel) for channel in (second, first, second, first)]
            for interaction_id in asked:
                assert "/arxiv subscribe" in content(await fake.answered(interaction_id))
            time.sleep(1.0)  # a second answer, if any, would come now
            for interaction_id in asked:
                answered_once(interaction_id)
            assert [c.status for c in fake.calls_to("callback")].count(400) == 0  # none "already acknowledged"
            assert [(name, shard) for name, guild, shard in fake.delivered if name == "INTERACTION_CREATE"] == [
                ("INTERACTION_CREATE", (0, 2)), ("INTERACTION_CREATE", (1, 2)), ("INTERACTION_CREATE", (0, 2)),
                ("INTERACTION_CREATE", (1, 2)), ("INTERACTION_CREATE", (0, 2)),
            ]
            assert len(fake.calls_to("sync")) == 1
            assert "the process holding Discord shard 0 syncs the commands" in logs[1].read_text()
            assert "connecting to the Discord gateway: shard 0 of 2" in logs[0].read_text()
            assert "connecting to the Discord gateway: shard 1 of 2" in logs[1].read_text()
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for i, proc in enumerate(procs):
                try:
                    assert proc.wait(30) == 0, logs[i].read_text()[-3000:]
                finally:
                    if proc.poll() is None:
                        proc.kill()
    for log in logs:
        lines = log.read_text().splitlines()
        assert [line for line in lines if line.startswith(("ERROR", "CRITICAL", "Traceback"))] == [], lines
