"""The LLM client's slots by priority (digest/llm/slots.py): a question ahead of queued
cards, a week at a glance ahead of other digests' cards, FIFO within one, cancellation."""

from __future__ import annotations

import asyncio

from digest.llm.client import LLMClient
from digest.llm.slots import CARD, OVERVIEW, QUESTION, PrioritySlots, first
from tests.fakes.openai_server import FakeOpenAI


async def _served(slots: PrioritySlots, asks: list[tuple[str, int | None]]) -> list[str]:
    """Each ask takes a slot in turn (queued in list order) and holds it briefly."""
    order: list[str] = []

    async def one(name: str, priority: int | None) -> None:
        async with slots.take(priority):
            order.append(name)
            await asyncio.sleep(0.01)

    tasks = []
    for name, priority in asks:
        tasks.append(asyncio.ensure_future(one(name, priority)))
        await asyncio.sleep(0)  # queued in this order
    await asyncio.gather(*tasks)
    return order


async def test_lower_priorities_go_first_and_fifo_within_one():
    slots = PrioritySlots(1)
    asks = [("card0", CARD), ("card1", CARD), ("card2", CARD), ("overview", OVERVIEW), ("question", QUESTION)]
    # card0 takes the free slot; the rest queue: the question, the overview, then the cards in order.
    assert await _served(slots, asks) == ["card0", "question", "overview", "card1", "card2"]
    assert slots.waiting == 0


async def test_the_priority_in_force_is_the_blocks_and_its_tasks():
    slots = PrioritySlots(1)

    async def asked_in(priority: int) -> list[str]:
        with first(priority):  # the tasks started here inherit it
            return await _served(slots, [("held", CARD), ("first", None), ("second", None)])

    assert await asked_in(QUESTION) == ["held", "first", "second"]
    with first(QUESTION):
        order = await _served(slots, [("a", CARD), ("b", CARD), ("q", None)])
    assert order == ["a", "q", "b"]


async def test_a_waiter_cancelled_in_the_queue_gives_its_place_and_every_slot_comes_back():
    slots = PrioritySlots(2)
    order: list[str] = []
    release = asyncio.Event()

    async def hold(name: str, priority: int) -> None:
        async with slots.take(priority):
            order.append(name)
            await release.wait()

    held = [asyncio.ensure_future(hold(f"h{i}", CARD)) for i in range(2)]
    await asyncio.sleep(0)
    gone, kept = asyncio.ensure_future(hold("gone", QUESTION)), asyncio.ensure_future(hold("kept", CARD))
    await asyncio.sleep(0)
    assert slots.waiting == 2
    gone.cancel()
    await asyncio.sleep(0)
    assert slots.waiting == 1
    release.set()
    await asyncio.gather(*held, kept)
    assert order == ["h0", "h1", "kept"] and gone.cancelled()
    # Both slots free again: two more take them at once.
    both = [asyncio.ensure_future(hold(f"n{i}", CARD)) for i in range(2)]
    await asyncio.sleep(0)
    assert order[-2:] == ["n0", "n1"] and slots.waiting == 0
    await asyncio.gather(*both)


async def test_a_thread_question_goes_ahead_of_a_ticks_queued_cards_at_the_client():
    """Over the real client against the fake server: one slot, five card calls queued behind
    a first one, then a question's call: the server sees the question second."""
    with FakeOpenAI(latency=0.05) as server:
        client = LLMClient(model="m", base_url=server.base_url, api_key="sk-test", concurrency=1,
                           response_format="json_object")  # fmt: skip

        async def call(tag: str) -> None:
            await client.complete_json([{"role": "user", "content": tag}], {"type": "object"}, "x")

        async def question() -> None:
            with first(QUESTION):
                await call("question")

        cards = []
        for i in range(6):
            cards.append(asyncio.ensure_future(call(f"card{i}")))
            await asyncio.sleep(0)
        asked = asyncio.ensure_future(question())
        await asyncio.gather(*cards, asked)
        await client.aclose()
        seen = [str(body["messages"][-1]["content"]) for body in server.requests]
    tags = [next(t for t in ["question", *(f"card{i}" for i in range(6))] if t in text) for text in seen]
    assert tags[:2] == ["card0", "question"], tags
