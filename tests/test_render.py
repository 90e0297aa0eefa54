"""Markdown and JSON rendering of cards and digests (pure functions)."""

import json
from datetime import date, datetime, timezone
from pathlib import Path

from digest.models import Card, CardText, Digest, Paper, Window
from digest.render import card_json, digest_json, digest_markdown

SNAPSHOTS = Path(__file__).parent / "snapshots"

DATATUNE = Paper(
    arxiv_id="2404.14361",
    version=1,
    title="Better Synthetic Data by Retrieving and Transforming Existing Datasets",
    authors=("Saumya Gandhi", "Ritu Gala", "Vijay Viswanathan", "Tongshuang Wu", "Graham Neubig"),
    abstract="Despite recent advances in large language models, building dependable NLP models ...",
    categories=("cs.CL",),
    primary_category="cs.CL",
    comment=None,
    published=datetime(2024, 4, 22, 17, 15, 44, tzinfo=timezone.utc),
    updated=datetime(2024, 4, 22, 17, 15, 44, tzinfo=timezone.utc),
    abs_url="http://arxiv.org/abs/2404.14361",
    pdf_url="http://arxiv.org/pdf/2404.14361v1",
)
PHI3 = Paper(
    arxiv_id="2404.14219",
    version=1,
    title="Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone",
    authors=("Marah Abdin", "Sam Ade Jacobs"),
    abstract="We introduce phi-3-mini ...",
    categories=("cs.CL", "cs.AI"),
    primary_category="cs.CL",
    comment="12 pages",
    published=datetime(2024, 4, 22, 14, 32, tzinfo=timezone.utc),
    updated=datetime(2024, 4, 22, 14, 32, tzinfo=timezone.utc),
    abs_url="http://arxiv.org/abs/2404.14219",
)
LLM_TEXT = CardText(
    headline="既存データセットを変換して合成データの質を上げるDataTune",
    bullets=("課題", "手法", "結果", "意義"),
    comment="既存データの再利用ってすごく賢いかも！",
    language="ja",
    summarizer="llm:gpt-4o-mini",
)
EXTRACTIVE = CardText(
    headline="Phi-3 Technical Report",
    bullets=("We introduce phi-3-mini.",),
    comment="",
    language="ja",
    summarizer="extractive",
)


def digest(cards=()):
    return Digest("synthetic data", Window(date(2024, 4, 19), date(2024, 4, 25), "UTC"), "ja", tuple(cards), candidates=8)


def test_markdown_digest_matches_snapshot():
    text = digest_markdown(digest([Card(DATATUNE, LLM_TEXT, 1, 8.714), Card(PHI3, EXTRACTIVE, 2, 3.2)]))
    assert text == (SNAPSHOTS / "digest_ja.md").read_text(encoding="utf-8")


def test_markdown_structure_follows_the_reference_digests():
    text = digest_markdown(digest([Card(DATATUNE, LLM_TEXT, 1, 8.714)]))
    assert text.startswith('---\ntitle: "synthetic data (2024-04-19 ~ 2024-04-25)"\ndate: 2024-04-19\n---\n')
    assert "synthetic dataに関する論文まとめ (2024-04-19 ~ 2024-04-25)" in text
    assert "\n- - -\n\n### [Better Synthetic Data by Retrieving and Transforming Existing Datasets](http://arxiv.org/abs/2404.14361)\n" in text
    assert "\n**既存データセットを変換して合成データの質を上げるDataTune**\n" in text
    assert "\n- 課題\n- 手法\n- 結果\n- 意義\n" in text
    assert "**トピック:** synthetic data, **カテゴリ:** cs.CL, **投稿日時:** 2024-04-22 17:15 UTC, **関連度:** 8.71" in text


def test_extractive_cards_are_labelled_and_arxiv_comment_shown():
    text = digest_markdown(digest([Card(PHI3, EXTRACTIVE, 1, 3.2)]))
    assert "*アブストラクトからの抽出要約（LLM未設定）*" in text
    assert "**Comment:** 12 pages" in text


def test_posted_time_is_shown_in_the_window_time_zone():
    tokyo = Digest("x", Window(date(2024, 4, 19), date(2024, 4, 25), "Asia/Tokyo"), "en", (Card(DATATUNE, LLM_TEXT, 1, 1.0),))
    assert "**Posted:** 2024-04-23 02:15 JST" in digest_markdown(tokyo)


def test_empty_digest_says_so():
    assert "この期間にこのトピックの新しい論文はありません。" in digest_markdown(digest())


def test_title_brackets_and_yaml_quotes_are_escaped():
    odd = Paper(**{**DATATUNE.__dict__, "title": "On [MASK] tokens"})
    text = digest_markdown(Digest('cat:cs.CL "diffusion"', digest().window, "en", (Card(odd, LLM_TEXT, 1, 1.0),)))
    assert "### [On \\[MASK\\] tokens](" in text
    assert 'title: "cat:cs.CL \\"diffusion\\" (2024-04-19 ~ 2024-04-25)"' in text


def test_json_has_the_stable_field_names():
    data = digest_json(digest([Card(PHI3, EXTRACTIVE, 1, 3.2)]))
    assert list(data) == ["topic", "from", "to", "cards"]
    assert data["from"] == "2024-04-19" and data["to"] == "2024-04-25"
    card = data["cards"][0]
    assert list(card) == [
        "arxiv_id", "version", "url", "title", "headline", "authors", "bullets", "comment",
        "arxiv_comment", "categories", "published", "relevance", "summarizer",
    ]
    assert card["arxiv_comment"] == "12 pages" and card["summarizer"] == "extractive"
    assert card["published"] == "2024-04-22T14:32:00+00:00"
    json.dumps(data)  # serialisable as is


def test_card_json_of_llm_card():
    card = card_json(Card(DATATUNE, LLM_TEXT, 1, 8.714))
    assert card["arxiv_comment"] is None and card["relevance"] == 8.714 and len(card["bullets"]) == 4
