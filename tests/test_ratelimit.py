"""Spacing, the one pacing primitive: threads, coroutines, and turns held through a call."""

from __future__ import annotations

import asyncio
import threading
import time

from digest.ratelimit import Spacing, shared_spacing

GAP = 0.2
SLACK = 0.02  # a busy machine may run a woken thread or timer some milliseconds late


def gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [b - a for a, b in zip(ordered, ordered[1:])]


def test_threads_are_let_through_one_interval_apart_never_in_a_burst():
    spacing, passed = Spacing(GAP), []

    def call() -> None:
        spacing.wait()
        passed.append(time.monotonic())

    threads = [threading.Thread(target=call) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(gap >= GAP - SLACK for gap in gaps(passed))
    assert min(passed) - started < GAP  # the first goes at once


async def test_coroutines_pause_for_their_slots_in_the_order_they_asked():
    spacing, order = Spacing(GAP), []

    async def call(i: int) -> None:
        await spacing.pause()
        order.append((i, time.monotonic()))

    await asyncio.gather(*(call(i) for i in range(4)))
    assert [i for i, _ in order] == [0, 1, 2, 3]
    assert all(gap >= GAP - SLACK for gap in gaps([at for _, at in order]))


async def test_a_turn_is_held_through_the_call_and_the_next_starts_an_interval_after_it_ended():
    spacing, spans = Spacing(GAP), []

    async def call() -> None:
        async with spacing.turn():
            began = time.monotonic()
            await asyncio.sleep(0.05)  # the request and its answer
            spans.append((began, time.monotonic()))

    await asyncio.gather(call(), call(), call())
    for (_, ended), (began, _) in zip(spans, spans[1:]):
        assert began - ended >= GAP - SLACK  # from the answer, not from the send


def test_the_shared_gate_is_one_per_name_and_a_new_interval_applies_at_once():
    gate = shared_spacing("test-ratelimit", 10.0)
    assert shared_spacing("test-ratelimit", 10.0) is gate
    gate.wait()
    assert shared_spacing("test-ratelimit", 0.0).wait() == 0.0  # not the 10 s the last call reserved
