"""arXiv requests per day and time to plan every digest: the harvest against per-topic search.

A working week of announcements (Monday to Friday listing dates, ``PER_DAY`` papers each
across cs, math and physics) served by the loopback RSS/Atom listing and OAI-PMH fakes,
and 50, 500 and 5,000 distinct free-text topics (so every archive is harvested).

(1) Requests per day: a fresh install harvests on Monday morning (the horizon's days
    from OAI-PMH, Monday from the listing), then once each morning, as the tick does
    (``archives_needed`` of every topic -> ``Harvester.harvest``). Target: the same
    requests every day whatever the number of topics.
(2) Time from an announcement until every due digest is planned (``Engine.select`` of
    each topic over the week, after Friday's harvest), with arXiv's 3 s spacing
    simulated: requests x 3 s plus the measured local work (matching, ranking).
    Per-topic search (today's fallback): one API request per topic at least (the fake
    answers each in one page, as arXiv does for a topic's week), measured at 50 and 500
    topics, counted at 5,000. Target: harvest <= 1/10 of per-topic at 500 topics.

Real clients, loopback fakes, a real SQLite store; arXiv's spacing is not slept but
counted (the loopback answers take milliseconds).

    .venv/bin/python bench/harvest_requests.py
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest.arxiv.announced import archives_needed  # noqa: E402
from digest.arxiv.harvest import Harvester  # noqa: E402
from digest.arxiv.http import ArxivHttp  # noqa: E402
from digest.models import Window  # noqa: E402
from digest.store import open_store  # noqa: E402
from tests.engine_fixtures import Clock, make_engine  # noqa: E402
from tests.fakes.arxiv import ArxivFeedServer, atom_entries  # noqa: E402
from tests.fakes.arxiv_days import Day, FakePaper  # noqa: E402
from tests.fakes.arxiv_listing import ListingServer  # noqa: E402
from tests.fakes.arxiv_oai import OaiServer  # noqa: E402

UTC = timezone.utc
SPACING = 3.0  # seconds between arXiv requests (arXiv's terms)
SIZES = (50, 500, 5000)
PER_TOPIC_MEASURED = (50, 500)  # 5,000 searches are counted, not run (one request each at least)
PER_DAY = 120
TARGET_RATIO = 0.1  # harvest's time <= 1/10 of per-topic search's at 500 topics
WORDS = (
    "synthetic data graph neural network diffusion model language translation speech vision "
    "robot policy reinforcement learning quantum circuit lattice gauge theory sparse regression "
    "bayesian inference causal discovery protein folding climate forecast tensor network "
    "dark matter galaxy cluster spin glass topological insulator optimal transport federated "
    "privacy adversarial attack retrieval reasoning agent planning benchmark compression "
    "tokenizer alignment preference feedback contrastive pretraining multimodal video audio "
    "molecule drug discovery fluid turbulence kernel method random matrix combinatorics prime "
    "number elliptic curve manifold operator stochastic process market volatility portfolio"
).split()
CATEGORIES = ("cs.CL", "cs.LG", "cs.CV", "math.ST", "math.PR", "hep-lat", "quant-ph", "astro-ph.CO")


def week(monday: date) -> list[Day]:
    rng = random.Random(13)
    days = []
    for n in range(5):
        listed = monday + timedelta(days=n)
        submitted = datetime.combine(listed - timedelta(days=3 if n == 0 else 1), time(16), UTC)
        papers = tuple(
            FakePaper(f"2701.{n * 1000 + i:05d}", " ".join(rng.sample(WORDS, 6)), (rng.choice(CATEGORIES),),
                      abstract=" ".join(rng.sample(WORDS, 25)) + ".", submitted=submitted)  # fmt: skip
            for i in range(PER_DAY)
        )
        days.append(Day(listed, papers))
    return days


def topics(n: int) -> list[str]:
    """``n`` distinct free-text topics: word pairs, then triples."""
    pairs = [f"{a} {b}" for i, a in enumerate(WORDS) for b in WORDS[i + 1 :]]
    triples = [f"{p} {c}" for p in pairs[:200] for c in WORDS if c not in p.split()]
    return random.Random(n).sample(pairs + triples, n)


async def harvest_week(n: int, monday: date, days: list[Day]) -> tuple[list[int], float, int]:
    """Requests of each morning's harvest, Monday to Friday; then the seconds to plan the
    ``n`` topics' digests after Friday's, and how many candidates they found."""
    wanted = topics(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        start = datetime.combine(monday, time(9), UTC)
        with ListingServer(days, start) as listing, OaiServer(days, start) as oai:
            http = ArxivHttp(min_interval=0.0, retries=1, backoff=0.01, timeout=5.0)
            harvester = Harvester(listing.base, oai.url, http, store, horizon_days=7)
            per_day = []
            for d in range(5):
                now = start + timedelta(days=d)
                listing.now = oai.now = now
                report = await harvester.harvest(now, archives_needed(wanted))
                per_day.append(report.requests)
            engine = make_engine("http://127.0.0.1:9/unused", store, clock=Clock(now))
            engine.horizon = timedelta(days=7)
            window = Window(monday - timedelta(days=2), now.date(), "UTC")
            began = clock.perf_counter()
            found = 0
            for topic in wanted:
                found += (await engine.select(topic, window, max_papers=10)).candidates
            planned = clock.perf_counter() - began
        store.close()
    return per_day, planned, found


async def per_topic(n: int, monday: date) -> tuple[int, float]:
    """API requests and seconds of local work to plan ``n`` topics by per-topic search."""
    entry = {"id": "2701.99999", "title": "One paper", "authors": ["A. Author"], "abstract": "An abstract.",
             "categories": ["cs.CL"], "published": f"{monday:%Y-%m-%d}T12:00:00Z"}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, ArxivFeedServer(atom_entries([entry])) as api:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        engine = make_engine(api.url, store, clock=Clock(datetime.combine(monday, time(9), UTC)))
        window = Window(monday - timedelta(days=6), monday, "UTC")
        began = clock.perf_counter()
        for topic in topics(n):
            await engine.select(topic, window, max_papers=10)
        spent = clock.perf_counter() - began
        store.close()
        return len(api.requests), spent


def measure() -> dict[int, dict[str, float | list[int] | None]]:
    today = datetime.now(UTC).date() + timedelta(days=14)
    monday = today + timedelta(days=(7 - today.weekday()) % 7)
    days = week(monday)
    results: dict[int, dict[str, float | list[int] | None]] = {}
    for n in SIZES:
        per_day, planned, found = asyncio.run(harvest_week(n, monday, days))
        searched: tuple[int, float | None] = (n, None)
        if n in PER_TOPIC_MEASURED:
            searched = asyncio.run(per_topic(n, monday))
        requests, spent = searched
        results[n] = {
            "per_day": per_day,
            "harvest_s": per_day[-1] * SPACING + planned,  # Friday's harvest, then every digest planned
            "candidates": found,
            "search_requests": requests,
            "search_s": requests * SPACING + (spent or 0.0),
            "search_measured": spent,
        }
    return results


def misses(results: dict[int, dict[str, float | list[int] | None]]) -> list[str]:
    out = []
    first = results[SIZES[0]]["per_day"]
    out += [f"{n} topics: requests per day {r['per_day']} != {first}" for n, r in results.items() if r["per_day"] != first]
    r = results[500]
    if r["harvest_s"] > TARGET_RATIO * r["search_s"]:  # type: ignore[operator]
        out.append(f"500 topics: harvest {r['harvest_s']:.1f} s > {TARGET_RATIO} x per-topic {r['search_s']:.1f} s")
    return out


def main() -> int:
    results = measure()
    print(f"{PER_DAY} papers a day, Monday to Friday; arXiv's {SPACING:.0f} s spacing counted per request")
    print(f"targets: the same harvest requests per day for {', '.join(map(str, SIZES))} topics; "
          f"harvest <= {TARGET_RATIO} x per-topic search at 500 topics")
    print(f"{'topics':>7} {'harvest requests Mon..Fri':>26} {'harvest: plan all':>18} "
          f"{'per-topic requests':>19} {'per-topic: plan all':>20} {'ratio':>6}")
    for n, r in results.items():
        counted = "" if r["search_measured"] is not None else " (counted)"
        ratio = r["harvest_s"] / r["search_s"]  # type: ignore[operator]
        print(f"{n:>7} {str(r['per_day']):>26} {r['harvest_s']:>16.1f} s {r['search_requests']:>19} "
              f"{r['search_s']:>18.1f} s{counted} {ratio:>6.3f}")
    failed = misses(results)
    for miss in failed:
        print(f"MISS: {miss}")
    print("all targets met" if not failed else f"{len(failed)} target(s) missed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
