"""The benchmarks still run and still meet their targets on small inputs (kept fast)."""

import asyncio

from bench import engine_calls, summarize_concurrency


def test_shared_work_benchmark_hits_its_exact_targets():
    for concurrent in (False, True):
        result = asyncio.run(engine_calls.measure(concurrent))
        assert result["calls_per_paper"] == 1.0 and result["arxiv_requests"] == 1
        assert (result["rerun_calls"], result["rerun_requests"]) == (0, 0)


def test_concurrency_benchmark_runs_and_packs_calls():
    wall, ratio = asyncio.run(summarize_concurrency.measure(papers=8, latency=0.1, concurrency=4))
    # Generous: CI machines are shared. The real figure comes from the full benchmark.
    assert 1.0 <= ratio < 2.0
