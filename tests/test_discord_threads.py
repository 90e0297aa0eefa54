"""Card threads on demand and questions in them, through real gateway events and interactions."""

from __future__ import annotations

import asyncio
import time

from bot.discord.port import ASK_CUSTOM_ID
from bot.discord.texts import say
from tests.discord_fixtures import World, world
from tests.engine_fixtures import WEEK, llm_client
from tests.fakes import discord_payloads as p
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.qa_model import _blocks, reader


async def digest(w: World, cards: int = 3, key: str = "k", channel_id: str | None = None) -> list[dict]:
    run = await w.deliverer.run(w.subscribe(channel_id, max_papers=cards), WEEK, key)
    assert run.state == "done"
    return w.discord.messages(channel_id)[1:]


async def open_thread(w: World, card: dict) -> dict:
    iid = w.discord.click(card, ASK_CUSTOM_ID)
    record = await w.discord.until(lambda: w.discord.interaction(iid)["followups"] and w.discord.interaction(iid))
    return record


async def test_the_button_opens_one_thread_on_the_card_and_prompts_there_once(tmp_path):
    async with world(tmp_path) as w:
        cards = await digest(w)
        assert not w.discord.calls_to("threads")  # nothing opened up front
        record = await open_thread(w, cards[1])
        assert record["callback"]["type"] == 5 and record["callback"]["data"]["flags"] & p.EPHEMERAL
        [call] = w.discord.calls_to("threads")
        assert call.path.endswith(f"/messages/{cards[1]['id']}/threads") and call.status == 201
        assert call.body["name"] == cards[1]["embeds"][0]["title"][:100]
        assert record["followups"][0]["content"] == f"Ask away in <#{cards[1]['id']}>."
        [prompt] = w.discord.messages(cards[1]["id"])
        assert prompt["content"].startswith("Ask me anything about **")
        # Pressed again: the thread is reused (known from THREAD_CREATE), no second prompt.
        await w.discord.until(lambda: w.service.client.get_channel(int(cards[1]["id"])))
        again = await open_thread(w, cards[1])
        assert again["followups"][0]["content"] == f"Ask away in <#{cards[1]['id']}>."
        assert len(w.discord.calls_to("threads")) == 1 and len(w.discord.messages(cards[1]["id"])) == 1


async def test_a_question_mentioning_the_bot_is_answered_once_with_typing_and_no_pings(tmp_path):
    async with world(tmp_path) as w:
        cards = await digest(w)
        await open_thread(w, cards[0])
        thread = cards[0]["id"]
        await w.discord.until(lambda: w.service.client.get_channel(int(thread)))
        w.discord.say(thread, "no mention: not a question")
        question = w.discord.say(thread, "what data do they train on?", mention_bot=True)
        await w.discord.until(lambda: len(w.discord.messages(thread)) == 4)
        answer = w.discord.messages(thread)[-1]
        assert answer["author"]["id"] == w.discord.bot["id"]
        assert "Pile" in answer["content"]  # quoted from the abstract: no LLM in this world
        replies = [c for c in w.discord.calls_to("messages", thread) if c.body.get("content") == answer["content"]]
        assert replies[0].body["allowed_mentions"] == {"parse": []}
        typing = w.discord.calls_to("typing", thread)
        assert typing and typing[0].time <= replies[0].time
        # Discord redelivers the event (a resumed session): it is not answered again.
        w.discord.dispatch("MESSAGE_CREATE", question)
        await asyncio.sleep(0.3)
        assert len(w.discord.messages(thread)) == 4


async def test_a_thread_a_member_opened_on_a_card_is_answered_in_too(tmp_path):
    async with world(tmp_path) as w:
        cards = await digest(w)
        card = cards[2]
        parent = w.discord.state.channels[w.discord.channel_id]
        thread = p.thread_channel(card["id"], parent, "my thread", w.discord.person["id"])
        w.discord.state.channels[card["id"]] = thread
        w.discord.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        await w.discord.until(lambda: w.service.client.get_channel(int(card["id"])))
        w.discord.say(card["id"], "is the code released?", mention_bot=True)
        await w.discord.until(lambda: len(w.discord.messages(card["id"])) == 2)
        assert "Code is released" in w.discord.messages(card["id"])[-1]["content"]
        # The button now finds that thread instead of opening another.
        record = await open_thread(w, card)
        assert record["followups"][0]["content"] == f"Ask away in <#{card['id']}>."
        assert not w.discord.calls_to("threads")


async def test_arxiv_ask_in_a_card_thread_answers_in_public(tmp_path):
    async with world(tmp_path) as w:
        cards = await digest(w)
        await open_thread(w, cards[0])
        await w.discord.until(lambda: w.service.client.get_channel(int(cards[0]["id"])))
        iid = w.discord.slash("ask", question="how much does accuracy improve?", channel_id=cards[0]["id"])
        record = await w.discord.until(lambda: w.discord.interaction(iid)["followups"] and w.discord.interaction(iid))
        assert record["callback"]["type"] == 5 and not record["callback"].get("data", {}).get("flags")
        text = record["followups"][0]["content"]
        assert text.startswith("> how much does accuracy improve?\n") and "points" in text


async def test_a_thread_creation_429_with_a_long_retry_after_delays_only_that_thread(tmp_path):
    async with world(tmp_path) as w:
        cards = await digest(w, cards=2)
        other = w.discord.add_channel("other")
        w.discord.script("threads", "429", 3.0)
        started = time.monotonic()
        iid = w.discord.click(cards[0], ASK_CUSTOM_ID)
        await w.discord.until(lambda: w.discord.rate_limited())
        # Meanwhile a whole digest goes out in another channel, unhindered.
        more = await digest(w, cards=2, key="k-other", channel_id=other)
        assert len(more) == 2 and time.monotonic() - started < 2.0
        assert not w.discord.interaction(iid)["followups"]
        record = await w.discord.until(lambda: w.discord.interaction(iid)["followups"] and w.discord.interaction(iid))
        assert time.monotonic() - started >= 3.0
        assert record["followups"][0]["content"] == f"Ask away in <#{cards[0]['id']}>."
        assert [c.status for c in w.discord.calls_to("threads")] == [429, 201]


async def test_a_channel_without_thread_permission_says_so_and_still_gets_digests(tmp_path):
    async with world(tmp_path) as w:
        cards = await digest(w, cards=1)
        w.discord.no_threads.add(w.discord.channel_id)
        record = await open_thread(w, cards[0])
        assert record["followups"][0]["content"].startswith("I could not open a thread on this card: ")
        assert "Missing Permissions" in record["followups"][0]["content"]
        assert len(await digest(w, cards=1, key="k2")) >= 1  # posting is not blocked by it


async def test_the_button_on_a_message_that_is_not_a_card_says_so(tmp_path):
    async with world(tmp_path) as w:
        stray = p.message(w.discord.ids(), w.discord.channel_id, w.discord.guild_id, w.discord.bot)
        iid = w.discord.click(stray, ASK_CUSTOM_ID)
        record = await w.discord.answered(iid)
        assert record["original"]["content"] == say("en", "not_a_card")


async def test_with_the_message_content_intent_any_message_in_a_card_thread_is_a_question(tmp_path):
    async with world(tmp_path, message_content=True) as w:
        assert w.discord.identify[0]["intents"] & (1 << 15)  # MESSAGE_CONTENT
        cards = await digest(w, cards=1)
        await open_thread(w, cards[0])
        await w.discord.until(lambda: w.service.client.get_channel(int(cards[0]["id"])))
        w.discord.say(cards[0]["id"], "which benchmarks?")
        await w.discord.until(lambda: len(w.discord.messages(cards[0]["id"])) == 3)
        assert "benchmarks" in w.discord.messages(cards[0]["id"])[-1]["content"]
        w.discord.say(w.discord.channel_id, "a message outside any card thread")
        await asyncio.sleep(0.2)
        assert w.discord.messages()[-1]["author"]["id"] == w.discord.person["id"]


def title(card: dict) -> str:
    return card["embeds"][0]["title"]


async def test_comparison_questions_see_the_other_cards_of_the_card_s_own_digest(tmp_path):
    titles = {0: "Synthetic data on phones", 1: "Synthetic data for robots", 2: "Synthetic music data",
              3: "Synthetic chemistry data"}
    question = "How does it differ from the phones, robots, music and chemistry papers?"
    with FakeOpenAI(responder=reader) as fake:
        llm = llm_client(fake.base_url)
        async with world(tmp_path, papers=4, llm=llm, titles=titles) as w:
            asked, other = await digest(w, cards=2, key="k1")
            later = (await digest(w, cards=2, key="k2"))[-2:]  # the channel's next digest: the two other papers
            await open_thread(w, asked)
            thread = asked["id"]
            await w.discord.until(lambda: w.service.client.get_channel(int(thread)))
            w.discord.say(thread, question, mention_bot=True)
            await w.discord.until(lambda: len(w.discord.messages(thread)) == 3)
            iid = w.discord.slash("ask", question=question, channel_id=thread)
            await w.discord.until(lambda: w.discord.interaction(iid)["followups"])
        await llm.aclose()
    for request in fake.requests:  # the mention, then /arxiv ask
        others = _blocks(request["messages"][1]["content"])["other_papers"]
        assert others.startswith(f'Digest card of "{title(other)}"') and len(others.splitlines()) == 1
        assert not any(title(card) in others for card in later)
    assert len(fake.requests) == 2 and {title(card) for card in (asked, other, *later)} == set(titles.values())
