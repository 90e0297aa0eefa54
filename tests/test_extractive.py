"""Extractive cards (digest/cards/extractive.py): headline and bullets from the abstract alone."""

from __future__ import annotations


import pytest

from digest.cards.extractive import (
    EXTRACTIVE_VERSION,
    HEADLINE_MAX,
    ExtractiveSummarizer,
    split_sentences,
)
from digest.models import Paper
from tests.test_summarize import MIMIQ

# Sentences of an abstract, none of them stating a contribution ("we propose ...").
PLAIN = [
    "Large language models hallucinate facts.",
    "Retrieval reduces hallucination on open-domain questions.",
    "Its gains shrink on multi-hop questions.",
    "Reranking the retrieved passages recovers most of them.",
    "The effect holds across five model sizes.",
    "Code and data are public.",
]
CLAIM = "Motivated by this, we introduce ReRank, a passage reranker for multi-hop retrieval."


def card(abstract: str, title: str = "Reranking for Multi-Hop Retrieval", bullets: int = 4):
    paper = Paper(**{**MIMIQ.__dict__, "abstract": abstract, "title": title})
    return ExtractiveSummarizer().build(paper, "en", bullets)


def test_split_sentences_keeps_abbreviations_and_numbers() -> None:
    text = (
        "Small models lag behind, e.g. Phi-2 on MMLU. We train a 3.8B model on 3.3T tokens. "
        "Prior work (Gunasekar et al. 2023) used textbooks, i.e. Synthetic data. "
        "It scores 69% on MMLU! Does it generalise? Yes (see Fig. 3). Our code is public."
    )
    assert split_sentences(text) == [
        "Small models lag behind, e.g. Phi-2 on MMLU.",
        "We train a 3.8B model on 3.3T tokens.",
        "Prior work (Gunasekar et al. 2023) used textbooks, i.e. Synthetic data.",
        "It scores 69% on MMLU!",
        "Does it generalise?",
        "Yes (see Fig. 3).",
        "Our code is public.",
    ]


async def test_extractive_card_from_abstract() -> None:
    text = await ExtractiveSummarizer().summarize(MIMIQ, "ja", 4)
    assert text.summarizer == "extractive" and text.language == "ja" and text.comment == ""
    assert text.headline == "We propose MimiQ, a novel DFQ method designed for ViTs."  # the contribution
    assert text.bullets == (
        "Data-free quantization (DFQ) is a technique that creates a lightweight network from its "
        "full-precision counterpart without the original training data, often through a synthetic dataset.",
        "Although several DFQ methods have been proposed for vision transformer (ViT) architectures, "
        "they fail to achieve efficacy in low-bit settings.",
        "Examining the existing DFQ methods, we observe that their synthetic data produce misaligned "
        "attention maps.",
        "Experimental results show that MimiQ outperforms baselines by a large margin.",
    )  # five sentences: the headline's is not repeated


@pytest.mark.parametrize("size", [4, 5, 6])
@pytest.mark.parametrize("claim_at", [None, 0, 2, 3])
def test_four_sentences_or_more_give_exactly_four_bullets(size: int, claim_at: int | None) -> None:
    sentences = PLAIN[:size]
    if claim_at is not None:
        sentences = [*sentences[:claim_at], CLAIM, *sentences[claim_at + 1 :]]
    text = card(" ".join(sentences))
    assert len(text.bullets) == 4
    # Sentences of the abstract, in its order: nothing invented, nothing reordered.
    positions = [sentences.index(b) for b in text.bullets]
    assert positions == sorted(positions)
    if claim_at is not None:
        assert text.headline == "We introduce ReRank, a passage reranker for multi-hop retrieval."
        assert (CLAIM in text.bullets) == (size == 4)  # repeated only to reach four
    else:
        assert text.headline == PLAIN[0]


def test_four_sentences_with_a_contribution_used_to_give_three_bullets() -> None:
    # The case: the contribution sentence became the headline and left 3 bullets.
    abstract = "Models forget. We propose Replay, a memory for continual learning. It helps. It is cheap."
    text = card(abstract)
    assert text.headline == "We propose Replay, a memory for continual learning."
    assert text.bullets == (
        "Models forget.", "We propose Replay, a memory for continual learning.", "It helps.", "It is cheap.",
    )


def test_the_headline_never_repeats_the_title() -> None:
    # No "we propose" sentence: the first sentence heads the card, not the title.
    text = card(" ".join(PLAIN))
    assert text.headline == "Large language models hallucinate facts." != MIMIQ.title
    assert text.bullets == tuple(PLAIN[1:5])
    # An abstract that opens with the title: that sentence is skipped, as headline and bullet.
    title = "Reranking for Multi-Hop Retrieval"
    text = card(f"Reranking for multi-hop retrieval. {' '.join(PLAIN[:4])}", title=title)
    assert text.headline == PLAIN[0]
    assert all("multi-hop retrieval." not in b.lower() for b in text.bullets) and len(text.bullets) == 4
    # An empty abstract gives no headline at all rather than the title again.
    text = card("", title="T " * 100)
    assert text.headline == "" and text.bullets == ()


def test_the_headline_keeps_the_first_sentence_as_written() -> None:
    text = card("mBERT transfers across languages. It fails on scripts it never saw.")
    assert text.headline == "mBERT transfers across languages."


def test_short_abstracts_never_invent() -> None:
    text = card("We present X. It beats Y by 2.5 points.")
    assert text.headline == "We present X." and text.bullets == ("It beats Y by 2.5 points.",)
    text = card(" ".join(PLAIN[:3]))
    assert text.headline == PLAIN[0] and text.bullets == tuple(PLAIN[1:3])
    text = card(" ".join(PLAIN[:3]), bullets=2)
    assert text.bullets == tuple(PLAIN[1:3])  # more sentences than bullets: the others suffice


def test_a_withdrawn_entry_gives_a_readable_card() -> None:
    # arXiv's withdrawn entries: no title, no authors, a one-sentence abstract.
    text = card("This paper has been withdrawn by the authors.", title="")
    assert text.headline == "This paper has been withdrawn by the authors." and text.bullets == ()


def test_a_long_single_sentence_is_cut_in_the_headline_and_kept_whole_as_a_bullet() -> None:
    sentence = "We propose " + "a rather long description of the method, " * 8 + "and more."
    text = card(sentence)
    assert len(text.headline) <= HEADLINE_MAX and text.headline.endswith("…")
    assert text.bullets == (sentence,)


def test_the_card_key_names_the_new_rule() -> None:
    from digest.cards.summarize import card_key  # the LLM side's module: only this test needs it

    assert EXTRACTIVE_VERSION == "extractive-v3"
    key = card_key(MIMIQ, "en", 4, ExtractiveSummarizer())
    assert key.model == "extractive" and key.prompt_version == "extractive-v3"
