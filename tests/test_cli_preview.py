"""`digest-bot preview`, driven through typer's runner against the arXiv fake (eight real
papers of 19-25 April 2024): a table of scores, ids and titles, and the query."""

from __future__ import annotations

import re

import pytest

from digest.arxiv.topics import to_query
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI
from tests.test_cli import clean_env, run
from tests.test_topic_terms import translator


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


@pytest.fixture
def env(tmp_path, arxiv):
    return clean_env(tmp_path) | {"DIGEST_ARXIV_API_URL": arxiv.url, "DIGEST_DEFAULTS_LANGUAGE": "en"}


ROW = re.compile(r"^\s*(\d+\.\d\d)\s+│\s+(\d{4}\.\d{5})\s+│\s+(\S.*)$", re.M)


def test_the_week_s_picks_with_scores_ids_titles_and_the_query(env, arxiv):
    result = run(env, "preview", "synthetic data", "--to", "2024-04-25", "--max", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("8 paper(s) matched “synthetic data” from 2024-04-19 to 2024-04-25; the 3 a digest of 3 "
                          "would pick:")  # fmt: skip
    rows = [(score, arxiv_id, title.rstrip()) for score, arxiv_id, title in ROW.findall(out)]
    assert len(rows) == 3, out
    scores = [float(score) for score, _, _ in rows]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert rows[0][1:] == ("2404.14361", "Better Synthetic Data by Retrieving and Transforming Existing Datasets")
    assert f"arXiv query: {to_query('synthetic data')}" in out
    assert "submittedDate:[202404190000 TO 202404252359]" in arxiv.requests[-1].params["search_query"]  # 7 days, UTC


def test_terms_language_and_a_topic_arxiv_cannot_search(env, arxiv):
    ja = run(env, "preview", "合成データ", "--terms", "synthetic data", "--to", "2024-04-25", "--lang", "ja")
    assert ja.exit_code == 0, ja.output
    assert ja.stdout.startswith("「合成データ」に該当した論文は 2024-04-19 〜 2024-04-25 で 8 本。")
    assert "英語の検索語: synthetic data" in ja.stdout and "スコア" in ja.stdout
    asked = len(arxiv.requests)
    bad = run(env, "preview", "cat:cs.CL AND", "--to", "2024-04-25")
    assert bad.exit_code == 2 and "That topic cannot be searched on arXiv" in bad.stderr
    foreign = run(env, "preview", "合成データ", "--to", "2024-04-25")  # no LLM to choose English terms
    assert foreign.exit_code == 2 and "合成データ is not in English" in foreign.stderr
    assert 'digest-bot preview "合成データ" --terms "synthetic data"' in foreign.stderr  # this command's advice
    assert "/arxiv" not in foreign.stderr
    empty = run(env, "preview", "   ")
    assert empty.exit_code == 2
    assert len(arxiv.requests) == asked  # refused before any request


def test_an_arxiv_outage_exits_1(env, arxiv):
    arxiv.script([("status", 503)] * 10)
    result = run(env, "preview", "synthetic data", "--to", "2024-04-25")
    assert result.exit_code == 1 and "Nothing was previewed" in result.stderr


def test_the_llm_chooses_english_terms_once_and_writes_no_card(env, arxiv):
    with FakeOpenAI(responder=translator()) as fake:
        result = run({**env, "OPENAI_BASE_URL": fake.base_url}, "preview", "合成データ", "--to", "2024-04-25")
        assert fake.count == 1  # the terms; a preview summarises nothing
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("8 paper(s) matched “合成データ” from 2024-04-19 to 2024-04-25")
    assert "Searched by the English terms: synthetic data" in result.stdout
    assert f"arXiv query: {to_query('synthetic data')}" in result.stdout
