"""The Slack fan-out benchmark still runs and stays near its floor on small inputs (kept fast)."""

import asyncio

from bench import slack_fanout


def test_fanout_benchmark_posts_everything_in_order_without_429s():
    result = asyncio.run(slack_fanout.measure(cards=3, channels=5, rate=4))
    assert result["rate_limited"] == 0
    # Generous: CI machines are shared. The real figure comes from the full benchmark.
    assert 1.0 <= result["ratio"] < 1.6, result
