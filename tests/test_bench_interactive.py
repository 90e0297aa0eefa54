"""bench/interactive_first.py still runs and meets its target on a small tick (kept fast)."""

import asyncio

from bench import interactive_first


def test_a_question_waits_about_one_interval_behind_a_ticks_searches_not_all_of_them():
    result = asyncio.run(interactive_first.measure(topics=12, interval=0.1))
    assert interactive_first.misses(result) == []
    assert result["interactive"]["wait"] <= interactive_first.TARGET
    assert result["interactive"]["searches_ahead"] <= 1
    assert result["in_line"]["wait"] >= 10 and result["in_line"]["searches_ahead"] >= 10  # as before: behind them all
