"""Local topic matching: each operator, field, phrase and analysis rule, as arXiv's search reads them."""

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bench.match_agreement import AGREEMENT_TARGET, HarvestedPaper, agreement, load_cases, throughput
from digest.arxiv.match import Matcher, compile_topic
from digest.arxiv.search_analysis import PaperText, english_terms, fold
from digest.arxiv.topic_parser import TopicError
from digest.models import Paper

WHEN = datetime(2026, 1, 5, tzinfo=timezone.utc)
BASE = Paper("2601.00001", 2, "", ("Ada Lovelace",), "", ("cs.CL",), "cs.CL", None, WHEN, WHEN,
             "https://arxiv.org/abs/2601.00001")


def paper(title: str = "", abstract: str = "", **fields) -> Paper:
    return replace(BASE, title=title, abstract=abstract, **fields)


def matches(topic: str, p: Paper) -> bool:
    return compile_topic(topic)(p)


def test_free_text_needs_every_content_word_in_title_or_abstract():
    p = paper("Language models at scale", "We train a large model on web text.")
    assert matches("large language models", p)  # words split over the two fields, any order
    assert not matches("large language models vision", p)
    assert matches("models for language", p)  # "for" is a stop word: not required


def test_words_are_tokens_not_substrings():
    assert not matches("cat", paper("Category theory"))
    assert matches("cat", paper("A cat and a dog"))


def test_case_is_ignored_and_words_are_porter_stemmed():
    p = paper("Testing Graph Networks", "It generalizes.")
    assert matches("TESTS graph network", p)
    assert matches("ti:test", p)
    assert matches("generalization", p)  # Lucene's Porter: both "gener"
    assert english_terms("Model's tests") == ("model", "test")


def test_quoted_phrase_needs_consecutive_words_and_is_stemmed():
    p = paper("", "Two attention mechanisms, one mechanism of attention.")
    assert matches('"attention mechanism"', p)
    assert matches('abs:"attention mechanisms"', p)
    assert not matches('"mechanism attention"', p)
    assert matches('ti:"state of the art"', paper("State-of-the-art parsing"))  # stop words are gaps
    assert not matches('ti:"state art"', paper("State-of-the-art parsing"))


def test_words_with_punctuation_are_phrases():
    assert matches("GPT-4", paper("Evaluating GPT-4"))
    assert not matches("GPT-4", paper("GPT with 4 layers"))
    assert matches("retrieval-augmented generation", paper("", "retrieval augmented generation"))


def test_a_lucene_stop_word_matches_only_through_the_phrase():
    # (ti:these OR abs:these) matches nothing at arXiv; the OR'ed phrase "these models" does.
    assert matches("these models", paper("", "We compare models."))
    assert not matches("ti:these", paper("These models"))


def test_title_abstract_and_comment_fields():
    p = paper("Transformers for vision", "A benchmark.", comment="Accepted at ICML 2026")
    assert matches("ti:transformer", p) and not matches("abs:transformer", p)
    assert matches("abs:benchmarks", p) and not matches("ti:benchmark", p)
    assert matches("co:icml", p) and matches('co:"accepted at icml"', p)
    assert not matches("co:accept", p)  # comments are not stemmed
    assert not matches("co:at", p)  # a stop word never matches the comment index


def test_journal_ref_and_report_number_when_the_record_has_them():
    p = HarvestedPaper(*(getattr(BASE, f) for f in BASE.__dataclass_fields__),
                       journal_ref="Phys. Rev. Lett. 120, 2018", report_no="CERN-TH-2018-001")
    assert matches("jr:phys", p) and matches('jr:"phys rev"', p) and matches("rn:cern", p)
    assert not matches("jr:phys", BASE)  # a Paper from the API carries neither


def test_categories_match_primary_or_cross_list_whole():
    p = paper(categories=("cs.LG", "cs.CL"), primary_category="cs.LG")
    assert matches("cat:cs.CL", p) and matches("cat:cs.LG", p)
    assert not matches("cat:cs.CV", p)
    assert not matches("cat:astro-ph", paper(categories=("astro-ph.CO",), primary_category="astro-ph.CO"))
    assert matches("cat:hep-th", paper(categories=("gr-qc", "hep-th"), primary_category="gr-qc"))


def test_authors_by_name_token_phrase_underscore_and_folded_accents():
    p = paper(authors=("Adrian Del Maestro", "Jürgen Müller", "Geoffrey E. Hinton"))
    assert matches("au:maestro", p) and matches("au:del_maestro", p) and matches('au:"Del Maestro"', p)
    assert matches("au:muller", p) and matches("au:mueller", p) and matches("au:Müller", p)
    assert matches('au:"Geoffrey Hinton"', p)  # every part within one author
    assert not matches('au:"Adrian Hinton"', p)  # parts of two authors
    assert not matches("au:maest", p)  # whole tokens
    assert fold("Gouvêa Øresund") == "gouvea oresund"


def test_all_searches_every_field():
    p = paper("Graphs", "Spectral methods.", authors=("Yoshua Bengio",), comment="ICML 2026 workshop")
    assert matches("all:bengio", p) and matches("all:workshop", p) and matches("all:graph", p)
    assert matches("all:cs.CL", p) and matches("all:2601.00001", p)
    assert not matches("all:vision", p)


def test_id_matches_the_id_or_this_version():
    assert matches("id:2601.00001", BASE) and matches("id:2601.00001v2", BASE)
    assert not matches("id:2601.00001v1", BASE)


def test_and_or_andnot_and_parentheses():
    p = paper("Checkerboard lattice", authors=("Adrian Del Maestro",))
    assert matches("au:del_maestro AND ti:checkerboard", p)
    assert not matches("au:del_maestro ANDNOT ti:checkerboard", p)
    assert matches("ti:pyrochlore OR ti:lattice", p)
    assert not matches("au:del_maestro ANDNOT (ti:pyrochlore OR ti:lattice)", p)
    assert matches("ti:checkerboard and ti:lattice", p)  # a lone lowercase and between fields


def test_operators_have_equal_precedence_and_group_to_the_right():
    speech = paper("Speech enhancement", categories=("cs.SD",), primary_category="cs.SD")
    assert not matches("cat:cs.CL AND ti:vision OR ti:speech", speech)  # cs.CL AND (vision OR speech)
    assert matches("(cat:cs.CL AND ti:vision) OR ti:speech", speech)
    both = paper(categories=("cs.CL", "cs.AI"))
    assert not matches("cat:cs.CL ANDNOT cat:cs.LG OR cat:cs.AI", both)  # cs.CL ANDNOT (cs.LG OR cs.AI)
    assert matches("(cat:cs.CL ANDNOT cat:cs.LG) OR cat:cs.AI", both)


def test_adjacent_operands_are_joined_by_and_like_to_query():
    cv = paper("Segmentation", "A U-Net.", categories=("cs.CV",), primary_category="cs.CV")
    assert not matches("cat:cs.CL diffusion", replace(cv, abstract="A diffusion model."))
    assert matches("cat:cs.CV diffusion", replace(cv, abstract="A diffusion model."))
    assert not matches("diffusion cat:cs.CL OR cat:cs.CV", cv)  # diffusion AND (cs.CL OR cs.CV)


def test_cjk_and_odd_input_do_not_crash():
    p = paper("合成データによる学習 🚀", "Ünïcödé ﬁligree אבג ‮ x\u0301", authors=("山田 太郎", ""), comment="")
    assert matches("合成データ", p) and not matches("合成データ", paper("Synthetic data"))
    assert matches("au:山田", p)
    for topic in ("データ", "🚀 rocket", "x" * 299, "Ünïcödé", '"ﬁligree"', "ti:abc_def", "all:\u00e9t\u00e9"):
        compile_topic(topic)(p)
    PaperText.of(paper(authors=(), categories=(), primary_category=""))


def test_invalid_topics_raise_like_to_query():
    for topic in ("", "ti:", "a AND", "NOT a", "the of"):
        with pytest.raises(TopicError):
            compile_topic(topic)


def test_compiled_once_and_callable_on_prebuilt_text():
    m = compile_topic("cat:cs.CL")
    assert isinstance(m, Matcher) and compile_topic("cat:cs.CL") is m and m.query == "cat:cs.CL"
    assert m(PaperText.of(BASE)) and m(BASE)


def test_agreement_with_arxiv_search_on_the_labelled_set():
    cases = load_cases()
    assert len(cases) >= 40
    assert {c["topic"].split(":")[0] for c in cases} >= {"ti", "abs", "au", "cat", "all", "co", "jr", "id"}
    assert any(c["source"].startswith("arXiv API response") for c in cases)
    score, misses = agreement()
    assert score >= AGREEMENT_TARGET, misses


def test_throughput_benchmark_runs():
    result = throughput(topics=10, papers=200)
    assert result["checks"] == 2000 and result["hits"] > 0
