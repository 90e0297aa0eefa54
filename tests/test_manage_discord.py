"""Managing subscriptions on Discord: real interactions into discord.py against the fake
gateway and REST API. Manage Channels makes a member an admin; refusals change nothing."""

from __future__ import annotations

from datetime import time

from bot.command_text import REPLIES
from bot.discord.cog import edit_text
from bot.commands import parse
from tests.discord_fixtures import world
from tests.test_discord_commands import content, ephemeral
from tests.fakes.discord_payloads import MEMBER_PERMISSIONS


def test_typed_edit_options_become_the_grammar_s_text():
    line = edit_text(3, "fri", "17:30", "Europe/Berlin", "de", 5, 'LLM "agents"', "llm agents")
    assert line == "edit 3 day=fri time=17:30 tz=Europe/Berlin lang=de max=5 topic='LLM \"agents\"' terms=\"llm agents\""
    command = parse(line)
    assert (command.id, command.fields.topic, command.fields.terms, command.fields.weekday) == (
        3, 'LLM "agents"', "llm agents", 4
    )
    assert parse(edit_text(3, None, None, None, None, None, "  x   y ", None)).fields.topic == "x y"


async def test_edit_pause_resume_as_the_subscriber_and_refused_to_a_plain_member(tmp_path):
    async with world(tmp_path) as w:
        mine = await w.discord.answered(w.discord.slash("subscribe", topic="synthetic data", max=3))
        assert not ephemeral(mine)
        [sub] = w.store.list_subscriptions()
        edited = await w.discord.answered(w.discord.slash(
            "edit", id=sub.id, day="fri", time="17:30", tz="Europe/Berlin", topic="LLM agents"
        ))
        assert not ephemeral(edited) and content(edited) == (
            f"Changed subscription {sub.id}: *LLM agents*, 3 papers every Fri 17:30 Europe/Berlin, in English. "
            "Next digest: Fri 2024-04-26 17:30 CEST."
        )
        sub = w.store.get_subscription(sub.id)
        assert (sub.topic, sub.weekday, sub.time, sub.tz) == ("LLM agents", 4, time(17, 30), "Europe/Berlin")
        paused = await w.discord.answered(w.discord.slash("pause", id=sub.id, permissions=MEMBER_PERMISSIONS))
        assert not ephemeral(paused) and content(paused).startswith(f"Paused subscription {sub.id} (*LLM agents*)")
        assert w.store.get_subscription(sub.id).paused_by == w.discord.person["id"]
        listed = content(await w.discord.answered(w.discord.slash("list")))
        assert f"Paused by {w.discord.person['id']}" in listed and listed.endswith("Next: none while paused.")
        resumed = await w.discord.answered(w.discord.slash("resume", id=sub.id, permissions=MEMBER_PERMISSIONS))
        assert content(resumed).startswith(f"Resumed subscription {sub.id}")
        # Someone else's: a member without Manage Channels may not touch it; one with it may.
        theirs = w.store.add_subscription(
            w.channel(), "diffusion", weekday=0, at=time(9), tz="UTC", language="en", max_papers=3,
            created_by="200000000000000002",
        )
        before = w.store.get_subscription(theirs.id)
        for sub_command, options in (("edit", {"max": 5}), ("pause", {}), ("resume", {}), ("unsubscribe", {})):
            record = await w.discord.answered(
                w.discord.slash(sub_command, id=theirs.id, permissions=MEMBER_PERMISSIONS, **options)
            )
            assert ephemeral(record) and content(record) == REPLIES.text(
                "en", "not_yours", id=theirs.id, owner=theirs.created_by
            ), sub_command
        assert w.store.get_subscription(theirs.id) == before
        admin = await w.discord.answered(w.discord.slash("pause", id=theirs.id))  # Manage Channels
        assert content(admin).startswith(f"Paused subscription {theirs.id}") and w.store.get_subscription(theirs.id).paused


async def test_a_duplicate_is_refused_and_the_ids_autocomplete_for_every_managing_command(tmp_path):
    async with world(tmp_path) as w:
        sub = w.subscribe(topic="diffusion models")
        twin = await w.discord.answered(w.discord.slash("subscribe", topic="Diffusion  Models"))
        assert ephemeral(twin) and content(twin).startswith(
            f"This channel already subscribes to *diffusion models* (subscription {sub.id})"
        )
        assert len(w.store.list_subscriptions()) == 1
        for sub_command in ("edit", "pause", "resume"):
            iid = w.discord.slash(sub_command, id="", focused="id")
            choices = await w.discord.until(lambda: w.discord.interaction(iid).get("choices"))
            assert choices == [{"name": f"{sub.id}. diffusion models", "value": sub.id}], sub_command


async def test_now_is_limited_per_channel(tmp_path):
    async with world(tmp_path, 3) as w:
        w.subscribe(max_papers=3)
        first = await w.discord.answered(w.discord.slash("now"))
        assert content(first).startswith("Building the digest")
        again = await w.discord.answered(w.discord.slash("now"))
        assert ephemeral(again) and content(again) == (
            "`/arxiv now` already ran in this channel in the last 10 minutes; it may run again at "
            "Thu 2024-04-25 03:10 UTC."
        )
