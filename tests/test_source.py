"""ArxivSource against the loopback arXiv API: paging, windows, every failure arXiv has."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.app import build_source
from config.settings import ArxivSettings, Settings
from digest.models import Window
from digest.arxiv.http import GATE
from digest.arxiv.source import ArxivSource, ArxivUnavailable
from digest.ratelimit import shared_spacing
from digest.arxiv.categories import arxiv_categories, is_arxiv_category
from digest.arxiv.feed import papers_from_feed
from digest.arxiv.topics import to_query, window_query
from tests.fakes.arxiv import WEEK, ArxivFeedServer, atom_entries

WEEK_IDS = [
    "2404.14361", "2404.14219", "2404.13813", "2404.13812",
    "2404.13791", "2404.13634", "2404.13288", "2404.13097",
]
QUERY = window_query(to_query("synthetic data"), Window(date(2024, 4, 19), date(2024, 4, 25), "UTC"))


@pytest.fixture
def arxiv_api() -> Iterator[ArxivFeedServer]:
    with ArxivFeedServer(WEEK) as server:
        yield server


def source(server: ArxivFeedServer, **overrides: float) -> ArxivSource:
    args = dict(min_interval=0.0, page_size=100, max_candidates=300, retries=2, backoff=0.01, timeout=2.0)
    args.update(overrides)
    return ArxivSource(server.url, **args)  # type: ignore[arg-type]


def gaps(server: ArxivFeedServer) -> list[float]:
    times = sorted(r.time for r in server.requests)
    return [b - a for a, b in zip(times, times[1:])]


# -- normal answers -------------------------------------------------------------------


def test_fetch_converts_entries_to_papers(arxiv_api):
    src = source(arxiv_api)
    papers = src.fetch(QUERY)

    assert [p.arxiv_id for p in papers] == WEEK_IDS  # the server's (relevance) order
    disc = papers[-1]
    assert disc.version == 1 and disc.versioned_id == "2404.13097v1"
    assert disc.title == (
        "DISC: Latent Diffusion Models with Self-Distillation from Separated Conditions "
        "for Prostate Cancer Grading"
    )
    assert disc.abstract.startswith("We generate synthetic image tiles that contain several Gleason")
    assert "\n" not in disc.abstract and "  " not in disc.abstract
    assert disc.comment == (
        "Abstract accepted for ISBI 2024. Extended version to be presented at SynData4CV @ "
        "CVPR 2024. See more at https://minhmanho.github.io/disc/"
    )
    assert disc.categories == ("eess.IV", "cs.CV", "cs.LG", "q-bio.QM")
    assert disc.primary_category == "eess.IV"
    assert disc.authors[0] == "Man M. Ho" and len(disc.authors) == 6
    assert disc.published == datetime(2024, 4, 19, 6, 52, tzinfo=timezone.utc)
    assert disc.updated.utcoffset() is not None
    assert disc.abs_url == "http://arxiv.org/abs/2404.13097"
    assert disc.pdf_url == "https://arxiv.org/pdf/2404.13097v1"
    assert papers[0].comment is None
    assert papers[1].authors[0] == "Marah Abdin" and "Sébastien Bubeck" in papers[1].authors

    (request,) = arxiv_api.requests
    assert request.path == "/api/query"
    assert request.params["search_query"] == QUERY
    assert request.params["sortBy"] == "relevance" and request.params["sortOrder"] == "descending"
    assert request.params["start"] == "0"
    assert "arxiv-digest-bot/" in request.headers["User-Agent"]
    assert "arxiv.py/4.0.2" in request.headers["User-Agent"]
    assert src.requests_made == 1


def test_pages_through_three_pages(arxiv_api):
    src = source(arxiv_api, page_size=3)
    assert [p.arxiv_id for p in src.fetch(QUERY)] == WEEK_IDS
    assert [r.params["start"] for r in arxiv_api.requests] == ["0", "3", "6"]
    assert {r.params["max_results"] for r in arxiv_api.requests} == {"3"}
    assert src.requests_made == 3


def test_max_candidates_caps_results_and_requests(arxiv_api):
    src = source(arxiv_api, page_size=3, max_candidates=5)
    assert [p.arxiv_id for p in src.fetch(QUERY)] == WEEK_IDS[:5]
    assert src.requests_made == 2


@pytest.mark.parametrize(
    "tz, ids",
    [
        # 22 April in UTC
        ("UTC", ["2404.14361", "2404.14219", "2404.13813", "2404.13812"]),
        # 22 April in Tokyo = 21 April 15:00 to 22 April 14:59 UTC
        ("Asia/Tokyo", ["2404.14219", "2404.13813", "2404.13812", "2404.13791"]),
    ],
)
def test_the_window_selects_papers(arxiv_api, tz, ids):
    query = window_query(to_query("cat:cs.CL"), Window(date(2024, 4, 22), date(2024, 4, 22), tz))
    assert [p.arxiv_id for p in source(arxiv_api).fetch(query)] == ids


def test_a_window_without_papers_is_an_empty_list(arxiv_api):
    query = window_query(to_query("cat:cs.CL"), Window(date(2023, 1, 1), date(2023, 1, 7)))
    src = source(arxiv_api)
    assert src.fetch(query) == []
    assert src.requests_made == 1


def test_genuine_empty_week_is_accepted_at_once(arxiv_api):
    arxiv_api.script([("empty_total0",)])
    src = source(arxiv_api)
    assert src.fetch(QUERY) == []
    assert src.requests_made == 1


def test_versions_and_old_style_ids():
    common = dict(categories=["cs.CL"], abstract="A  short\n abstract.", authors=["A. Author"])
    entries = atom_entries(
        [
            dict(id="2404.14219", version=1, title="Phi-3 v1", published="2024-04-22T14:32:00Z", **common),
            dict(id="math/0211159", version=1, published="2002-11-11T16:11:49Z",
                 title="The entropy formula for the Ricci flow and its geometric applications",
                 authors=["Grisha Perelman"], categories=["math.DG"], abstract="Ricci flow."),
            dict(id="2404.14219", version=3, title="Phi-3 v3", published="2024-04-22T14:32:00Z",
                 updated="2024-05-23T17:12:00Z", **{k: v for k, v in common.items()}),
        ]
    )
    with ArxivFeedServer(entries) as server:
        papers = source(server).fetch("all:anything")
    assert [(p.arxiv_id, p.version) for p in papers] == [("2404.14219", 3), ("math/0211159", 1)]
    phi3, perelman = papers
    assert phi3.title == "Phi-3 v3" and phi3.abstract == "A short abstract."
    assert phi3.updated == datetime(2024, 5, 23, 17, 12, tzinfo=timezone.utc)
    assert perelman.abs_url == "http://arxiv.org/abs/math/0211159"
    assert perelman.versioned_id == "math/0211159v1"
    assert perelman.primary_category == "math.DG"


# -- categories: arXiv's own only ----------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    [
        "cs.CL", "math.AP", "stat.ML", "q-bio.NC", "q-fin.CP", "eess.AS", "econ.EM", "astro-ph.CO",
        "nlin.AO", "physics.comp-ph", "cond-mat.mes-hall", "cond-mat.stat-mech", "hep-th", "astro-ph",
        "quant-ph", "gr-qc", "math-ph", "cond-mat", "cmp-lg", "solv-int",
    ],
)
def test_arxiv_category_names_are_kept(term):
    assert is_arxiv_category(term)


@pytest.mark.parametrize(
    "term",
    [
        "35Q30", "68T50", "76D05", "I.2.7", "I.2", "F.2.2; I.2.7", "I.2; J.1", "G.3",  # MSC and ACM classes
        "cs", "math", "CS.CL", "cs.cl", "math.ap", "physics.CO", "cs.CLX", "foo.CL", "cs.CL ", "", "cs.CL, cs.LG",
    ],
)
def test_other_classification_codes_are_not_arxiv_categories(term):
    assert not is_arxiv_category(term)


def test_arxiv_categories_keeps_order_and_drops_repeats():
    assert arxiv_categories(["math.AP", "35Q30", "cs.CL", "math.AP", "I.2.7"]) == ("math.AP", "cs.CL")


def test_msc_and_acm_classes_never_reach_a_paper():
    terms = ["35Q30", "math.AP", "physics.flu-dyn", "76D05", "I.2.7", "F.2.2; I.2.7", "math.AP"]
    entries = atom_entries(
        [dict(id="2404.00007", title="Navier-Stokes", authors=["A. Author"], abstract="We study flows.",
              categories=terms, published="2024-04-22T14:32:00Z")]
    )  # the first category is the primary one, here an MSC code (arXiv never does that)
    with ArxivFeedServer(entries) as server:
        (paper,) = source(server).fetch("all:anything")
    assert paper.categories == ("math.AP", "physics.flu-dyn")
    assert paper.primary_category == "math.AP"


def test_the_bundled_sample_week_loses_its_acm_and_msc_classes():
    papers = papers_from_feed((Path(__file__).resolve().parents[1] / "bot" / "demo" / "sample_week.xml").read_bytes())
    paper = next(p for p in papers if p.arxiv_id == "2407.18743")
    assert paper.categories == ("cs.CL",) and paper.primary_category == "cs.CL"
    assert all(is_arxiv_category(c) for p in papers for c in p.categories)


async def test_afetch(arxiv_api):
    papers = await source(arxiv_api).afetch(QUERY)
    assert len(papers) == 8


def test_built_from_settings():
    settings = Settings(arxiv=ArxivSettings(api_url="http://127.0.0.1:9/api/query", page_size=50, max_candidates=120))
    src = build_source(settings)
    settings = settings.arxiv
    assert (src.api_url, src.page_size, src.max_candidates) == ("http://127.0.0.1:9/api/query", 50, 120)
    assert (src.retries, src.timeout) == (settings.retries, settings.timeout)


# -- failures that are retried --------------------------------------------------------


def test_503_then_success(arxiv_api):
    arxiv_api.script([("status", 503)])
    src = source(arxiv_api)
    assert len(src.fetch(QUERY)) == 8
    assert src.requests_made == 2


def test_backoff_doubles(arxiv_api):
    arxiv_api.script([("status", 502), ("status", 500)])
    src = source(arxiv_api, backoff=0.15)
    assert len(src.fetch(QUERY)) == 8
    first, second = gaps(arxiv_api)
    assert 0.14 <= first < 0.29
    assert 0.29 <= second < 0.6


def test_429_retry_after_is_honoured(arxiv_api):
    arxiv_api.script([("status", 429, {"Retry-After": "1"})])
    src = source(arxiv_api, backoff=0.01)
    assert len(src.fetch(QUERY)) == 8
    (gap,) = gaps(arxiv_api)
    assert 0.98 <= gap < 1.5


def test_empty_first_page_with_results_is_retried(arxiv_api):
    arxiv_api.script([("empty",)])
    src = source(arxiv_api)
    assert len(src.fetch(QUERY)) == 8
    assert src.requests_made == 2


def test_empty_later_page_is_retried(arxiv_api):
    arxiv_api.script([("ok",), ("empty",)])
    src = source(arxiv_api, page_size=3)
    assert [p.arxiv_id for p in src.fetch(QUERY)] == WEEK_IDS
    assert [r.params["start"] for r in arxiv_api.requests] == ["0", "3", "3", "6"]


def test_a_later_page_that_stays_empty_keeps_what_arrived_and_says_the_shortfall(arxiv_api):
    arxiv_api.script([("ok",), ("empty",), ("empty",), ("empty",)])  # start=3 never comes, however often asked
    src = source(arxiv_api, page_size=3, retries=2)
    fetched = src.search(QUERY)
    assert [p.arxiv_id for p in fetched.papers] == WEEK_IDS[:3]  # what arrived, kept
    assert fetched.missing == 5  # totalResults 8, 3 delivered
    assert [r.params["start"] for r in arxiv_api.requests] == ["0", "3", "3", "3"]  # retried, then given up


def test_a_shortfall_counts_within_max_candidates(arxiv_api):
    arxiv_api.script([("ok",), ("empty",), ("empty",), ("empty",)])
    fetched = source(arxiv_api, page_size=3, max_candidates=5, retries=2).search(QUERY)
    assert (len(fetched.papers), fetched.missing) == (3, 2)  # 5 asked for, not arXiv's 8


def test_a_whole_answer_has_no_shortfall(arxiv_api):
    fetched = source(arxiv_api, page_size=3).search(QUERY)
    assert (len(fetched.papers), fetched.missing) == (8, 0)


def test_malformed_feed_then_success(arxiv_api):
    arxiv_api.script([("malformed",)])
    src = source(arxiv_api)
    assert len(src.fetch(QUERY)) == 8
    assert src.requests_made == 2


def test_hang_past_the_timeout_then_success(arxiv_api):
    arxiv_api.script([("hang", 5)])
    src = source(arxiv_api, timeout=0.3)
    started = time.monotonic()
    assert len(src.fetch(QUERY)) == 8
    assert time.monotonic() - started < 2
    assert src.requests_made == 2


# -- failures that end the fetch ------------------------------------------------------


def test_empty_first_page_forever_is_unavailable_not_empty(arxiv_api):
    arxiv_api.script([("empty",)] * 3)
    src = source(arxiv_api, retries=2)
    with pytest.raises(ArxivUnavailable) as caught:
        src.fetch(QUERY)
    assert str(caught.value) == (
        "arXiv API at 127.0.0.1 failed after 3 attempts: "
        "empty page: no entries at start=0, totalResults=8"
    )
    assert caught.value.attempts == 3 and src.requests_made == 3


def test_a_later_page_failing_otherwise_still_fails_the_fetch(arxiv_api):
    arxiv_api.script([("ok",), ("status", 503), ("status", 503), ("status", 503)])
    with pytest.raises(ArxivUnavailable, match=r"after 3 attempts: HTTP 503"):
        source(arxiv_api, page_size=3, retries=2).search(QUERY)


def test_5xx_forever_is_unavailable(arxiv_api):
    arxiv_api.script([("status", 503)] * 2)
    src = source(arxiv_api, retries=1)
    with pytest.raises(ArxivUnavailable, match=r"127\.0\.0\.1 failed after 2 attempts: HTTP 503"):
        src.fetch(QUERY)
    assert src.requests_made == 2


def test_malformed_forever_is_unavailable(arxiv_api):
    arxiv_api.script([("malformed",)])
    with pytest.raises(ArxivUnavailable, match=r"after 1 attempt: malformed feed"):
        source(arxiv_api, retries=0).fetch(QUERY)


def test_timeout_forever_is_unavailable(arxiv_api):
    arxiv_api.script([("hang", 5)] * 2)
    with pytest.raises(ArxivUnavailable, match=r"after 2 attempts: timeout: no answer within 0.2 s"):
        source(arxiv_api, retries=1, timeout=0.2).fetch(QUERY)


def test_bad_request_fails_at_once_with_arxivs_message(arxiv_api):
    arxiv_api.script([("error", "incorrect id format for 1234.12345")])
    src = source(arxiv_api, retries=3)
    with pytest.raises(ArxivUnavailable) as caught:
        src.fetch(QUERY)
    assert str(caught.value) == (
        "arXiv API at 127.0.0.1 failed after 1 attempt: HTTP 400: incorrect id format for 1234.12345"
    )
    assert caught.value.status == 400 and src.requests_made == 1


def test_unreachable_server_is_unavailable():
    server = ArxivFeedServer([])
    url = server.url
    server.close()  # nothing listens on the port any more
    src = ArxivSource(url, min_interval=0.0, retries=1, backoff=0.01, timeout=1.0)
    with pytest.raises(ArxivUnavailable, match=r"after 2 attempts: connection error"):
        src.fetch("all:x")


# -- politeness -----------------------------------------------------------------------


def test_min_spacing_is_shared_by_every_source_in_the_process(arxiv_api):
    first = source(arxiv_api, min_interval=0.2, page_size=4)
    second = source(arxiv_api, min_interval=0.2, page_size=4)
    threads = [threading.Thread(target=s.fetch, args=(QUERY,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert first.requests_made == second.requests_made == 2
    assert len(arxiv_api.requests) == 4
    assert min(gaps(arxiv_api)) >= 0.19


def test_an_interactive_search_goes_ahead_of_queued_bulk_searches(arxiv_api):
    bulk = source(arxiv_api, min_interval=0.2)
    try:
        bulk.fetch(QUERY)  # the gate was just used: every later request queues
        threads = [threading.Thread(target=bulk.fetch, args=(QUERY,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        gate, deadline = bulk._http.gate, time.monotonic() + 30
        # Every thread queued or already served (on a loaded machine the first may be
        # served before the last has started: waiting for six at once could hang).
        while gate.waiting + len(arxiv_api.requests) - 1 < 6:
            assert time.monotonic() < deadline, "the bulk searches never reached the gate"
            time.sleep(0.001)
        started, served = time.monotonic(), len(arxiv_api.requests)
        papers = source(arxiv_api, min_interval=0.2).fetch("id:2404.13097", interactive=True)
        waited = time.monotonic() - started
        for thread in threads:
            thread.join()
        assert "2404.13097" in [p.arxiv_id for p in papers] and waited < 0.2 + 0.15  # about one interval, not six
        queries = [r.params["search_query"] for r in arxiv_api.requests]
        assert queries.index("id:2404.13097") <= served + 1  # the next slot (one bulk request may have been due)
        assert min(gaps(arxiv_api)) >= 0.17  # the one spacing still holds (arrivals jitter under load)
    finally:
        shared_spacing(GATE, 0.0)


def test_the_fake_feed_copies_the_entries_it_serves():
    """The fake's threads share parsed entries: a feed must copy them, never move them
    (two requests moving one lxml element at once crashed the whole test process)."""
    from lxml import etree

    from bot.demo.arxiv_feed import build_feed, load_entries

    entries = [etree.fromstring(raw) for raw in load_entries(WEEK)[:2]]
    first = build_feed(entries, query="all:x")
    assert all(entry.getparent() is None for entry in entries)  # still the server's, unmoved
    assert build_feed(entries, query="all:x") == first
