"""arXiv's two harvest formats read faithfully: the Atom listing and OAI-PMH arXivRaw pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from digest.arxiv.harvest import announced, from_record, is_withdrawn
from digest.arxiv.listing import LISTING_LIMIT, Listed, Listing, MalformedListing, listing_url, parse_listing
from digest.arxiv.oai import MalformedPage, OaiError, list_records_url, oai_set, parse_page, resume_url

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "arxiv_listing"
AT = datetime(2026, 12, 8, 1, 0, tzinfo=timezone.utc)  # Monday 20:00 EST, listed Tuesday


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_the_listing_gives_every_announce_type_with_its_paper():
    listing = parse_listing(sample("atom_cs_math.xml"))
    assert listing.listed_on == date(2026, 12, 8)
    assert listing.generated == datetime(2026, 12, 8, 5, 0, 11, 587455, tzinfo=timezone.utc)
    kinds = [(i.paper.versioned_id, i.announce_type) for i in listing.items]
    assert kinds == [
        ("2612.04101v1", "new"), ("2612.04177v1", "cross"), ("2611.01234v2", "replace"),
        ("hep-th/0601001v3", "replace-cross"),
    ]
    first = listing.items[0].paper
    assert first.title == "Synthetic Data for Low-Resource Machine Translation"
    assert first.abstract == "We generate synthetic parallel data for low-resource pairs and gain 3 BLEU."
    assert first.authors == ("Aiko Tanaka", "Ben Okafor", "Chen Li")
    assert first.categories == ("cs.CL", "cs.LG") and first.primary_category == "cs.CL"
    assert first.abs_url == "https://arxiv.org/abs/2612.04101"
    assert first.pdf_url == "https://arxiv.org/pdf/2612.04101v1"
    assert first.comment is None  # the listing carries none
    assert first.published == first.updated == datetime(2026, 12, 8, 5, 0, tzinfo=timezone.utc)  # 00:00 EST
    old = listing.items[3].paper
    assert (old.arxiv_id, old.version, old.categories) == ("hep-th/0601001", 3, ("hep-th", "math-ph", "math.MP"))


def test_a_withdrawal_is_a_replacement_that_says_so():
    items = parse_listing(sample("atom_cs_math.xml")).items
    got = [announced(item, AT) for item in items]
    assert [(a.announce_type, a.withdrawn) for a in got] == [
        ("new", False), ("cross", False), ("replace", False), ("replace-cross", True)
    ]
    assert all(a.announced_at == AT for a in got)
    # A new paper whose abstract talks about withdrawals is not one.
    talk = replace(items[0].paper, abstract="This paper has been withdrawn from a journal's review.")
    assert not announced(Listed(talk, "new"), AT).withdrawn
    assert is_withdrawn("Withdrawn: the proof of Lemma 2 is wrong")
    assert is_withdrawn("This paper has been withdrawn by the author(s) due to a crucial error")
    assert is_withdrawn(None, "This submission has been withdrawn by arXiv administrators.")
    assert not is_withdrawn("accepted at ICML 2026; 12 pages")
    assert not is_withdrawn("v2: fixed typos", "We study withdrawal symptoms in mice.")


def test_an_empty_listing_is_a_day_without_items():
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><updated>2026-12-12T05:00:00+00:00</updated></feed>'
    assert parse_listing(body) == Listing(None, (), datetime(2026, 12, 12, 5, tzinfo=timezone.utc))


@pytest.mark.parametrize("body", [b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", b"<rss/>", b"busy"])
def test_a_broken_listing_is_malformed(body):
    with pytest.raises(MalformedListing):
        parse_listing(body)


def test_a_full_listing_may_be_cut():
    paper = parse_listing(sample("atom_cs_math.xml")).items[0]
    assert Listing(date(2026, 12, 8), (paper,) * LISTING_LIMIT).full
    assert not Listing(date(2026, 12, 8), (paper,) * (LISTING_LIMIT - 1)).full


def test_listing_urls_name_the_union_once():
    assert listing_url("https://rss.arxiv.org/", {"math", "cs", "cs"}) == "https://rss.arxiv.org/atom/cs+math"
    with pytest.raises(ValueError):
        listing_url("https://rss.arxiv.org", set())


def test_oai_pages_continue_by_resumption_token():
    first = parse_page(sample("oai_arxivraw_page1.xml"))
    assert first.token == "7023481|1001"
    [record] = first.records  # the deleted record is left out
    paper = record.paper
    assert (paper.versioned_id, record.datestamp) == ("2612.03001v1", date(2026, 12, 7))
    assert paper.title == "Retrieval-Augmented Agents for Theorem Proving"
    assert paper.authors == ("Aiko Tanaka", "Ben Okafor", "Chen Li")
    assert paper.categories == ("cs.AI", "cs.LO") and paper.primary_category == "cs.AI"
    assert paper.comment == "12 pages, 3 figures"
    assert paper.abstract == "We couple retrieval with an agent that proves theorems."
    assert paper.published == paper.updated == record.submitted == datetime(2026, 12, 4, 16, 2, 11, tzinfo=timezone.utc)

    second = parse_page(sample("oai_arxivraw_page2.xml"))
    assert second.token is None  # an empty token ends the list
    [withdrawn] = second.records
    assert withdrawn.paper.versioned_id == "2611.07007v2"
    assert withdrawn.paper.published == datetime(2026, 11, 9, 10, tzinfo=timezone.utc)
    assert withdrawn.submitted == datetime(2026, 12, 7, 17, 30, 45, tzinfo=timezone.utc)


def test_oai_records_are_typed_by_version_and_archive():
    record = parse_page(sample("oai_arxivraw_page1.xml")).records[0]
    replaced = parse_page(sample("oai_arxivraw_page2.xml")).records[0]  # primary math.OC, v2, withdrawn
    assert from_record(record, AT, frozenset({"cs"})).announce_type == "new"
    assert from_record(record, AT, frozenset({"math"})).announce_type == "cross"
    assert from_record(record, AT, None).announce_type == "new"
    got = from_record(replaced, AT, frozenset({"cs"}))
    assert (got.announce_type, got.withdrawn) == ("replace-cross", True)
    assert from_record(replaced, AT, frozenset({"math"})).announce_type == "replace"


def test_no_records_is_an_empty_complete_list_and_other_errors_are_refusals():
    page = parse_page(sample("oai_no_records.xml"))
    assert page.records == () and page.token is None
    bad = b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badResumptionToken">expired</error></OAI-PMH>'
    with pytest.raises(OaiError, match="badResumptionToken"):
        parse_page(bad)
    with pytest.raises(MalformedPage):
        parse_page(sample("oai_arxivraw_page1.xml")[:300])


def test_oai_urls_and_sets():
    assert oai_set("cs") == "cs" and oai_set("hep-th") == "physics:hep-th" and oai_set("q-bio") == "q-bio"
    url = list_records_url("https://oaipmh.arxiv.org/oai", set_spec="physics:hep-th", first=date(2026, 12, 1), last=date(2026, 12, 8))
    assert url == (
        "https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=physics%3Ahep-th"
        "&from=2026-12-01&until=2026-12-08"
    )
    assert "set=" not in list_records_url("https://x/oai", set_spec=None, first=date(2026, 12, 1), last=date(2026, 12, 1))
    assert resume_url("https://x/oai", "7023481|1001") == "https://x/oai?verb=ListRecords&resumptionToken=7023481%7C1001"
