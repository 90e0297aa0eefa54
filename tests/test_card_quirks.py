"""The real summariser against servers and models that behave like the ones people run.

Each quirk a real server or model shows (reasoning blocks, fences and prose, null
fields, list markers, over-long text, refusals of a response format) must cost no
re-ask and no extractive fallback; only real faults (an invented figure) are re-asked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import Callable

import pytest

from digest.cards.summarize import BULLET_MAX, COMMENT_MAX, HEADLINE_MAX, LLMSummarizer
from tests.fakes.openai_server import INVENTED_FIGURE, FakeOpenAI
from tests.test_summarize import MIMIQ

JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# MimiQ's abstract with figures, so that true figures are there to keep.
FIGURES = dataclasses.replace(
    MIMIQ,
    arxiv_id="2407.99999",
    abstract="MimiQ reaches 71.4% top-1 accuracy at 4 bits, 2.1x faster than the baseline. " + MIMIQ.abstract,
)


@pytest.mark.parametrize("quirk", ["think", "think_no_open", "think_unclosed", "prose", "null_comment", "numbered", "overlong"])
async def test_quirk_costs_one_call_and_keeps_the_llm_card(quirk: str, summarizer: Callable[..., LLMSummarizer]) -> None:
    with FakeOpenAI(faults=[(quirk,)]) as fake:
        card = await summarizer(fake).summarize(FIGURES, "ja", 4)
        assert fake.count == 1, f"{quirk}: re-asked"
    assert card.summarizer == "llm:fake-model" and len(card.bullets) == 4
    assert JA.search(card.headline) and all(JA.search(b) for b in card.bullets)
    assert len(card.headline) <= HEADLINE_MAX and all(len(b) <= BULLET_MAX for b in card.bullets)
    assert len(card.comment) <= COMMENT_MAX
    assert not any(re.match(r"\s*(?:\d+[.)]|\(\d+\)|・)", b) for b in card.bullets)


async def test_over_long_fields_are_fitted_and_marked(summarizer: Callable[..., LLMSummarizer]) -> None:
    with FakeOpenAI(faults=[("overlong",)]) as fake:
        card = await summarizer(fake).summarize(FIGURES, "ja", 4)
    assert card.headline.endswith("…") and any(b.endswith("…") for b in card.bullets) and card.comment.endswith("…")


async def test_invented_figure_is_reasked_once_naming_it(summarizer: Callable[..., LLMSummarizer]) -> None:
    with FakeOpenAI(faults=[("invented",)]) as fake:
        card = await summarizer(fake).summarize(FIGURES, "ja", 4)
        reask = fake.requests[1]["messages"][-1]["content"]
        assert fake.count == 2
    assert INVENTED_FIGURE in reask and "abstract does not state" in reask
    assert card.summarizer == "llm:fake-model" and not any(INVENTED_FIGURE in b for b in card.bullets)
    assert any("71.4%" in b for b in card.bullets)  # true figures are kept


async def test_invented_figure_twice_leaves_that_bullet_out(
    summarizer: Callable[..., LLMSummarizer], caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOpenAI(faults=[("invented",), ("invented",)]) as fake:
        card = await summarizer(fake).summarize(FIGURES, "ja", 4)
        assert fake.count == 2
    assert card.summarizer == "llm:fake-model" and len(card.bullets) == 4
    assert not any(INVENTED_FIGURE in b for b in (card.headline, *card.bullets))
    assert card.bullets[-1].startswith("（この要点は省略しました")
    assert any(INVENTED_FIGURE in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_missing_headline_is_reasked(summarizer: Callable[..., LLMSummarizer]) -> None:
    with FakeOpenAI(faults=[("missing_headline",)]) as fake:
        card = await summarizer(fake).summarize(FIGURES, "ja", 4)
        assert fake.count == 2 and "headline" in fake.requests[1]["messages"][-1]["content"]
    assert card.summarizer == "llm:fake-model" and card.headline


@pytest.mark.parametrize("server", ["llama-cpp-python", "vllm", "vllm-0.10", "ollama", "llama-server", "openai"])
async def test_every_server_gets_llm_cards_with_one_probe(server: str, summarizer: Callable[..., LLMSummarizer]) -> None:
    papers = [dataclasses.replace(FIGURES, arxiv_id=f"2407.{n:05d}") for n in range(8)]
    with FakeOpenAI(server=server, latency=0.05) as fake:
        summarize = summarizer(fake, concurrency=4).summarize
        cards = await asyncio.gather(*(summarize(p, "ja", 4) for p in papers))
        formats = fake.response_formats()
    assert all(c.summarizer == "llm:fake-model" for c in cards), server
    # At most one request is refused, whatever the server; every paper then costs one call.
    refused = len(formats) - len(papers)
    assert refused in (0, 1) and formats[refused:].count(formats[-1]) == len(papers), formats


async def test_llama_cpp_python_500_is_a_format_refusal_not_an_outage(summarizer: Callable[..., LLMSummarizer]) -> None:
    with FakeOpenAI(server="llama-cpp-python") as fake:
        summarize = summarizer(fake, max_retries=3).summarize
        cards = await asyncio.gather(*(summarize(dataclasses.replace(FIGURES, arxiv_id=f"2407.{n:05d}"), "ja", 4) for n in range(2)))
        assert fake.response_formats() == ["json_schema", "json_object", "json_object"]  # no retry of the 500
    assert all(not c.extractive for c in cards)


async def test_a_real_outage_500_is_retried_not_taken_for_a_refusal(summarizer: Callable[..., LLMSummarizer]) -> None:
    with FakeOpenAI(faults=[("status", 500)]) as fake:
        card = await summarizer(fake).summarize(FIGURES, "ja", 4)
        assert fake.response_formats() == ["json_schema", "json_schema"]
    assert card.summarizer == "llm:fake-model"


async def test_a_hung_server_costs_a_card_one_deadline(summarizer: Callable[..., LLMSummarizer]) -> None:
    # Per-request timeout 0.5 s, 3 retries: without a deadline the card would take 2 s+.
    with FakeOpenAI(faults=[("hang", 5.0)] * 6) as fake:
        started = time.monotonic()
        card = await summarizer(fake, timeout=0.5, max_retries=3, deadline=0.8).summarize(FIGURES, "ja", 4)
        took = time.monotonic() - started
    assert card.summarizer == "extractive:llm-failed"
    assert took < 0.8 * 2  # the deadline, with room for a loaded machine; not the 2 s of four timeouts


async def test_card_repeating_the_system_prompt_is_refused(summarizer: Callable[..., LLMSummarizer]) -> None:
    def obedient(body: dict) -> dict:
        system = body["messages"][0]["content"].splitlines()[0]
        return {"headline": "要約", "bullets": [system] * 4, "comment": ""}

    with FakeOpenAI(responder=obedient) as fake:
        card = await summarizer(fake).summarize(FIGURES, "ja", 4)
        assert fake.count == 2 and "instructions" in fake.requests[1]["messages"][-1]["content"]
    assert card.extractive


async def test_cards_waiting_for_a_probe_that_gets_no_answer_do_not_probe_in_turn(summarizer: Callable[..., LLMSummarizer]) -> None:
    # Before a format is known, the first call probes and the others wait: if the probe
    # gets no answer, they fail with it rather than each waiting its own deadline in turn.
    papers = [dataclasses.replace(FIGURES, arxiv_id=f"2407.{n:05d}") for n in range(5)]
    with FakeOpenAI(faults=[("hang", 5.0)] * 10) as fake:
        summarize = summarizer(fake, timeout=0.5, max_retries=3, deadline=0.8, concurrency=4).summarize
        started = time.monotonic()
        cards = await asyncio.gather(*(summarize(p, "ja", 4) for p in papers))
        took = time.monotonic() - started
    assert all(c.summarizer == "extractive:llm-failed" for c in cards)
    assert took < 0.8 * 3  # about one deadline (two for the fifth card), not five in a row
