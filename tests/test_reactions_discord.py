"""👍/👎 on Discord cards through real gateway events: stored once per member and card, the
bot's own and other emoji ignored, the next digest ranked by them, the list's count."""

from __future__ import annotations

import asyncio

from bot.discord.client import intents_for
from tests.discord_fixtures import World, settings_for, world
from tests.engine_fixtures import WEEK

SPEECH, IMAGES = "speech recognition", "image segmentation"
TITLES = {i: f"Synthetic data for {SPEECH if i % 2 == 0 else IMAGES}: study {i}" for i in range(12)}
LIKE, DISLIKE = "\N{THUMBS UP SIGN}", "\N{THUMBS DOWN SIGN}"


def react(w: World, card: dict, emoji: str, user_id: str, *, added: bool = True) -> None:
    data = {
        "user_id": user_id, "channel_id": card["channel_id"], "message_id": card["id"], "guild_id": w.discord.guild_id,
        "emoji": {"id": None, "name": emoji}, "type": 0, "burst": False,
    }
    w.discord.dispatch("MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE", data)


def counted(w: World) -> int:
    return w.store.reaction_counts([w.channel()]).get(w.channel(), 0)


def titles(w: World, key: str) -> list[str]:
    rows = w.store.deliveries(key)
    papers = w.store.get_papers((d.arxiv_id, d.version) for d in rows)
    return [papers[(d.arxiv_id, d.version)].title for d in rows if (d.arxiv_id, d.version) in papers]


async def test_reactions_on_cards_are_stored_once_and_rank_the_next_digest(tmp_path):
    async with world(tmp_path, 12, titles=TITLES) as w:
        assert intents_for(settings_for(w.discord)).guild_reactions
        sub = w.subscribe(max_papers=4)
        assert (await w.deliverer.run(sub, WEEK, "k1")).state == "done"
        header, *cards = w.discord.messages()
        first = titles(w, "k1")
        assert {SPEECH in t for t in first} == {True, False}
        for user in ("200000000000000001", "200000000000000002"):
            for card, title in zip(cards, first):
                react(w, card, LIKE if SPEECH in title else DISLIKE, user)
        await w.discord.until(lambda: counted(w) == 8)
        react(w, cards[0], LIKE if SPEECH in first[0] else DISLIKE, "200000000000000001")  # again: still one
        react(w, cards[0], "\N{PARTY POPPER}", "200000000000000003")  # not a vote
        react(w, header, LIKE, "200000000000000003")  # not a card
        react(w, cards[0], LIKE, w.discord.bot["id"])  # the bot's own
        await asyncio.sleep(0.3)
        assert counted(w) == 8
        react(w, cards[0], LIKE if SPEECH in first[0] else DISLIKE, "200000000000000002", added=False)
        await w.discord.until(lambda: counted(w) == 7)

        await w.deliverer.plan(sub, WEEK, "k2")
        learnt = titles(w, "k2")
        assert len(learnt) == 4 and all(SPEECH in t for t in learnt)
        listed = (await w.discord.answered(w.discord.slash("list")))["original"]["content"]
        assert "Learns from reactions: 7 👍/👎 in this channel so far." in listed
        edited = (await w.discord.answered(w.discord.slash("edit", id=sub.id, learn=False)))["original"]["content"]
        assert "no longer uses this channel's 👍/👎" in edited and w.store.get_subscription(sub.id).learn is False
        assert "Not learning from reactions" in (await w.discord.answered(w.discord.slash("list")))["original"]["content"]


def test_edit_s_learn_option_becomes_the_grammar_s_text():
    from bot.discord.cog import edit_text

    assert edit_text(3, None, None, None, None, None, None, None, False) == "edit 3 learn=off"
    assert edit_text(3, "fri", None, None, None, None, None, None, True) == "edit 3 day=fri learn=on"
