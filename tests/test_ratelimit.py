"""Spacing, the one pacing primitive: threads, coroutines, and turns held through a call."""

from __future__ import annotations

import asyncio
import threading
import time

from digest.ratelimit import BULK, INTERACTIVE, Spacing, shared_spacing

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


# -- interactive first ----------------------------------------------------------------


def _queue_threads(spacing: Spacing, n: int, priority: int, served: list) -> list[threading.Thread]:
    """``n`` threads queued at ``spacing`` one after the other (each is waiting before the next starts)."""
    threads = []
    for i in range(n):
        ahead = spacing.waiting
        thread = threading.Thread(target=lambda i=i: (spacing.wait(priority), served.append((priority, i, time.monotonic()))))
        thread.start()
        while spacing.waiting == ahead and thread.is_alive():
            time.sleep(0.001)
        threads.append(thread)
    return threads


def test_an_interactive_thread_takes_the_next_slot_ahead_of_20_queued_bulk_ones():
    spacing, served = Spacing(GAP), []
    spacing.wait()  # the gate was just used: everyone after queues
    bulk = _queue_threads(spacing, 20, BULK, served)
    asked = time.monotonic()
    waited = spacing.wait(INTERACTIVE)
    got = time.monotonic()
    served.append((INTERACTIVE, 0, got))
    for thread in bulk:
        thread.join()
    assert got - asked <= GAP + 0.1 and waited <= GAP + 0.1  # about one interval, not 20
    assert served[0][0] == INTERACTIVE or served[1][0] == INTERACTIVE  # the next slot (at most one bulk caller was already due)
    bulk_order = [i for p, i, _ in served if p == BULK]
    assert bulk_order == list(range(20))  # FIFO within bulk
    assert all(gap >= GAP - SLACK for gap in gaps([at for _, _, at in served]))  # still one interval apart


async def test_an_interactive_coroutine_goes_ahead_of_queued_bulk_coroutines_and_threads():
    spacing, served = Spacing(GAP), []
    spacing.wait()
    threads = _queue_threads(spacing, 5, BULK, served)

    async def call(priority: int, i: int) -> None:
        await spacing.pause(priority)
        served.append((priority, i, time.monotonic()))

    bulk = [asyncio.ensure_future(call(BULK, 5 + i)) for i in range(5)]
    while spacing.waiting + len(served) < 10:  # each queued or served: never a hang on a loaded machine
        await asyncio.sleep(0.001)
    asked = time.monotonic()
    await call(INTERACTIVE, 0)
    assert served[-1][0] == INTERACTIVE and served[-1][2] - asked <= GAP + 0.1
    await asyncio.gather(*bulk)
    for thread in threads:
        await asyncio.to_thread(thread.join)
    assert [i for p, i, _ in served if p == BULK] == list(range(10))
    assert all(gap >= GAP - SLACK for gap in gaps([at for _, _, at in served]))


async def test_a_cancelled_waiter_gives_its_place_to_the_next():
    spacing, order = Spacing(GAP), []
    spacing.wait()

    async def call(i: int) -> None:
        await spacing.pause()
        order.append(i)

    first, second = asyncio.ensure_future(call(0)), asyncio.ensure_future(call(1))
    while spacing.waiting < 2:
        await asyncio.sleep(0.001)
    first.cancel()
    started = time.monotonic()
    await second
    assert order == [1] and time.monotonic() - started < GAP + 0.1
    assert spacing.waiting == 0
