"""The static site (``digest-bot site build``): build time and size for 1,000 digests and
10,000 papers, and an incremental rebuild after one new digest.

Synthetic data in a temporary SQLite store, posted through the store's own API (runs
planned, cards marked sent with their texts, runs finished), as a year of 20 topics'
weekly digests would leave it: 1,000 digests of 10 cards in Japanese, 10,000 papers.

- full build: every page rendered and written; files, bytes, seconds (target: under
  ``FULL_TARGET_S`` on the 2-core development machine, so a cron after each weekly tick
  is cheap);
- one new digest (10 cards: 8 new papers, 2 already on the site from other digests):
  the files rewritten against those it changes, which are its page and Markdown, its
  topic's page, the index (the topic's latest digest) and its 10 papers' pages (8 new,
  2 now listing one more digest): 14. Target: ratio 1.00 (written / changed), nothing
  else touched (tests/test_site.py checks that a rebuild with nothing new writes nothing).

    .venv/bin/python bench/site_build.py [--digests 1000 --papers 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.site import build_site  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.site_fixtures import Posted, make_paper, post_digests, week  # noqa: E402

TOPICS = 20
CARDS = 10
FULL_TARGET_S = 60.0  # 1,000 digests and 10,000 papers on 2 cores
WORDS = ("synthetic", "data", "diffusion", "retrieval", "agents", "alignment", "quantization", "speech", "graphs", "robots")


def _papers(count: int) -> list:
    day = date(2025, 1, 6)
    return [
        make_paper(f"25{(n // 90000) % 12 + 1:02d}.{n % 90000 + 10000:05d}",
                   f"{WORDS[n % 10].title()} {WORDS[(n // 10) % 10]} at scale, study {n}",
                   abstract=" ".join(WORDS[(n + k) % 10] for k in range(120)), day=day + timedelta(days=n % 300))  # fmt: skip
        for n in range(count)
    ]


def _digests(papers: list, digests: int) -> list[Posted]:
    per_topic = digests // TOPICS
    posted, n = [], 0
    for t in range(TOPICS):
        for w in range(per_topic):
            chosen = [papers[(n * CARDS + k) % len(papers)] for k in range(CARDS)]
            posted.append(Posted(f"topic {t} {WORDS[t % 10]}", week(date(2025, 1, 3) + timedelta(weeks=w)), chosen,
                                 channel=f"C{t}", subscription_id=t + 1))  # fmt: skip
            n += 1
    return posted


def measure(digests: int = 1000, papers: int = 10_000) -> dict[str, float]:
    # In memory when the machine has /dev/shm: the figures are the builder's, not a shared disk's.
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        pool = _papers(papers + 8)
        seeded = time.perf_counter()
        post_digests(store, _digests(pool[:papers], digests))
        seed_s = time.perf_counter() - seeded
        out = Path(tmp) / "site"

        started, cpu = time.perf_counter(), time.process_time()
        full = build_site(store, out, language="ja", tz="Asia/Tokyo")
        full_s, full_cpu = time.perf_counter() - started, time.process_time() - cpu
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())

        # One new digest of topic 0 in a fresh week: 8 new papers and 2 from topic 1's digests.
        new = pool[papers:] + [pool[(digests // TOPICS) * CARDS], pool[(digests // TOPICS) * CARDS + 1]]
        later = week(date(2025, 1, 3) + timedelta(weeks=digests // TOPICS + 1))
        post_digests(store, [Posted(f"topic 0 {WORDS[0]}", later, new, channel="C0", subscription_id=1)], key_prefix="new")
        started, cpu = time.perf_counter(), time.process_time()
        step = build_site(store, out, language="ja", tz="Asia/Tokyo")
        step_s, step_cpu = time.perf_counter() - started, time.process_time() - cpu
        store.close()
    changed = 2 + 1 + 1 + CARDS  # its page and post, its topic, the index, its papers
    return {
        "digests": full.digests, "papers": full.papers, "topics": full.topics, "files": full.files,
        "bytes": size, "seed_s": seed_s, "full_s": full_s, "full_cpu": full_cpu, "step_cpu": step_cpu,
        "step_written": step.written, "step_removed": step.removed, "step_s": step_s, "changed": changed,
        "ratio": step.written / changed,
    }  # fmt: skip


def misses(result: dict[str, float], *, full_target: float = FULL_TARGET_S) -> list[str]:
    found = []
    if result["full_s"] > full_target:
        found.append(f"full build {result['full_s']:.1f} s > {full_target:.0f} s")
    if result["ratio"] != 1.0 or result["step_removed"]:
        found.append(f"one new digest rewrote {result['step_written']} files for {result['changed']} changed")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=10_000)
    args = parser.parse_args()
    r = measure(args.digests, args.papers)
    print(f"site of {r['digests']:,} digests, {r['papers']:,} papers, {r['topics']} topics: {r['files']:,} files, "
          f"{r['bytes'] / 2**20:.1f} MiB (store seeded in {r['seed_s']:.1f} s)")
    print(f"full build: {r['full_s']:.1f} s ({r['full_cpu']:.1f} s of CPU), {r['full_s'] / r['files'] * 1000:.2f} ms a file "
          f"(target <= {FULL_TARGET_S:.0f} s: ratio {r['full_s'] / FULL_TARGET_S:.2f})")
    print(f"rebuild after one new digest: {r['step_written']} files written, {r['step_removed']} removed, "
          f"for {r['changed']} changed (its page and Markdown, its topic, the index, its {CARDS} papers): "
          f"ratio {r['ratio']:.2f} (target 1.00), {r['step_s']:.1f} s ({r['step_cpu']:.1f} s of CPU: "
          f"{r['step_s'] / r['full_s']:.2f} of the full build's time)")
    for miss in misses(r):
        print(f"  MISS: {miss}")
    return 1 if misses(r) else 0


if __name__ == "__main__":
    sys.exit(main())
