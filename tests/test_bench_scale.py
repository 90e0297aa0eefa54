"""The scale benchmark, small: shared work hits its exact targets and delivery keeps pace."""

import asyncio

from bench import scale


def test_scale_benchmark_shares_work_and_delivers_every_digest():
    r = asyncio.run(scale.measure(subscriptions=20, topics=4, rate=4.0))
    assert r["messages"] == 20 * (scale.MAX_PAPERS + 1)
    assert r["arxiv_per_topic"] == 1.0 and r["llm_per_paper"] == 1.0
    assert r["unique_papers"] == 4 * scale.MAX_PAPERS
    assert r["max_rss_mib"] > 0
    # Generous: CI machines are shared. The real figure comes from the full benchmark.
    assert 1.0 <= r["ratio"] < 2.0


def test_scale_benchmark_reports_the_python_heap_peak():
    r = asyncio.run(scale.measure(subscriptions=2, topics=1, rate=100.0, trace=True))
    assert 0 < r["heap_peak_mib"] < 100
