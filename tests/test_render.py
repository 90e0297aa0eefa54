"""Markdown and JSON rendering of cards and digests (pure functions)."""

import json
from dataclasses import replace
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from digest.models import Card, CardText, Digest, Paper, Window
from digest.cards.render import card_json, card_markdown, digest_json, digest_markdown

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
    assert list(data) == ["topic", "from", "to", "overview", "cards"]
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


# --- Markdown as a static-site generator renders it ---------------------------------------

EVIL = "<img src=x onerror=alert(1)>"
RENDERERS = {
    # CommonMark with raw HTML allowed, as most static-site generators run it.
    "commonmark": MarkdownIt("commonmark"),
    # The GitHub-flavoured extras many of them add.
    "gfm": MarkdownIt("commonmark").enable(["table", "strikethrough"]),
}


class Blocks(HTMLParser):
    """The rendered HTML as (block tag, its text) pairs, plus every tag and link seen."""

    BLOCK = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "table", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.blocks: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href", ""))
        if tag in self.BLOCK:
            self.blocks.append([tag, ""])

    def handle_data(self, data):
        if self.blocks:
            self.blocks[-1][1] += data

    def texts(self, tag: str) -> list[str]:
        return [text.strip() for t, text in self.blocks if t == tag]


def rendered(markdown: str, renderer: str = "commonmark") -> Blocks:
    """The page body as HTML; like a static-site generator, the YAML front matter is read apart."""
    if markdown.startswith("---\n"):
        markdown = markdown.split("\n---\n", 1)[1]
    return Blocks(RENDERERS[renderer].render(markdown))


HOSTILE = Paper(
    **{
        **DATATUNE.__dict__,
        "title": "Masked <mask> tokens & more",
        "authors": ("Ada <b>Lovelace</b>", "1. Alan *Turing*", "- Grace_Hopper_"),
        "abstract": f"An abstract with {EVIL}.",
        "categories": ("cs.CL", "cs.LG"),
        "comment": f"12 pages {EVIL} ~~struck~~ | a | b | [x](javascript:alert(1))",
    }
)
HOSTILE_TEXT = CardText(
    headline=f"Headline {EVIL} **loud** `code` &amp;",
    bullets=(f"- {EVIL}", "# Not a heading", "2024. Not a list", "> not a quote", "a\n\n<div>x</div>\n===", "x | y"),
    comment=f"Comment {EVIL}\n\n---\n[click](javascript:alert(1)) <!-- hidden -->",
    language="en",
    summarizer="llm:gpt",
)


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_markdown_shows_every_field_literally_and_copies_no_html(renderer):
    text = digest_markdown(Digest("masks <and> *stars*", digest().window, "en", (Card(HOSTILE, HOSTILE_TEXT, 1, 1.0),)))
    html = rendered(text, renderer)
    # The layout's own tags only: no <img>, <div>, <b>, <code>, <del>, <table>, <blockquote> or heading from a field.
    assert set(html.tags) <= {"p", "h3", "a", "strong", "em", "ul", "li", "hr"}, html.tags
    assert html.hrefs == ["http://arxiv.org/abs/2404.14361"]  # the title's link, and no other
    assert html.texts("h3") == ["Masked <mask> tokens & more"]
    paragraphs = html.texts("p")
    assert "Papers on masks <and> *stars* (2024-04-19 ~ 2024-04-25)" in paragraphs
    assert f"Headline {EVIL} **loud** `code` &amp;" in paragraphs
    assert "Ada <b>Lovelace</b>, 1. Alan *Turing*, - Grace_Hopper_" in paragraphs
    assert f"Comment {EVIL} --- [click](javascript:alert(1)) <!-- hidden -->" in paragraphs  # one line
    assert html.texts("li") == [
        f"- {EVIL}", "# Not a heading", "2024. Not a list", "> not a quote", "a <div>x</div> ===", "x | y",
    ]
    assert f"Comment: 12 pages {EVIL} ~~struck~~ | a | b | [x](javascript:alert(1))" in paragraphs
    assert paragraphs[-1] == "Topic: masks <and> *stars*, Categories: cs.CL, cs.LG, Posted: 2024-04-22 17:15 UTC, Relevance: 1.00"


def test_markdown_escapes_html_as_entities_in_the_source():
    text = card_markdown(Card(HOSTILE, HOSTILE_TEXT, 1, 1.0), "t", "en", "UTC")
    assert "### [Masked &lt;mask&gt; tokens &amp; more](http://arxiv.org/abs/2404.14361)" in text
    assert "<img" not in text and "<b>" not in text and "<div>" not in text


@pytest.mark.parametrize(
    "url, href",
    [
        ("http://arxiv.org/abs/1) [pwn](javascript:alert(1)", "http://arxiv.org/abs/1%29%20%5Bpwn%5D%28javascript:alert%281%29"),
        ("http://arxiv.org/abs/1 \"title\" <b>", "http://arxiv.org/abs/1%20%22title%22%20%3Cb%3E"),
    ],
)
def test_a_link_url_cannot_break_out_of_the_link(url, href):
    html = rendered(card_markdown(Card(replace(HOSTILE, abs_url=url), LLM_TEXT, 1, 1.0), "t", "en", "UTC"))
    assert html.hrefs == [href] and html.texts("h3") == ["Masked <mask> tokens & more"]
    assert "b" not in html.tags and "pwn" not in " ".join(t for _, t in html.blocks)


def test_a_url_that_is_not_http_is_not_linked():
    html = rendered(card_markdown(Card(replace(HOSTILE, abs_url="javascript:alert(1)"), LLM_TEXT, 1, 1.0), "t", "en", "UTC"))
    assert html.hrefs == [] and html.texts("h3") == ["Masked <mask> tokens & more"]


# --- no empty shells ----------------------------------------------------------------------

WITHDRAWN = Paper(
    **{
        **DATATUNE.__dict__,
        "arxiv_id": "1701.00001",
        "version": 2,
        "title": "",
        "authors": (),
        "abstract": "This paper has been withdrawn",
        "categories": (),
        "abs_url": "http://arxiv.org/abs/1701.00001",
    }
)
WITHDRAWN_TEXT = CardText("This paper has been withdrawn", (), "", "en", "extractive")


def test_a_withdrawn_entry_renders_a_readable_card():
    text = card_markdown(Card(WITHDRAWN, WITHDRAWN_TEXT, 1, 0.5), "t", "en", "UTC")
    assert text == (
        "### [1701.00001v2](http://arxiv.org/abs/1701.00001)\n\n"
        "**This paper has been withdrawn**\n\n"
        "*Extractive summary from the abstract (no LLM configured)*\n\n"
        "**Topic:** t, **Posted:** 2024-04-22 17:15 UTC, **Relevance:** 0.50"
    )
    html = rendered(text)
    assert html.texts("h3") == ["1701.00001v2"] and html.hrefs == ["http://arxiv.org/abs/1701.00001"]
    assert all(text for _, text in html.blocks)  # no empty paragraph, list item or heading


def test_empty_parts_are_left_out_not_shown_empty():
    text_parts = CardText(" ", ("", "  ", "Only bullet"), " ", "en", "llm:gpt")
    paper = replace(DATATUNE, title="  ", authors=("", " "), comment="  ")
    text = card_markdown(Card(paper, text_parts, 1, 1.0), "t", "en", "UTC")
    assert "\n\n\n" not in text and "****" not in text and "**Comment:**" not in text
    assert text.startswith("### [2404.14361v1](http://arxiv.org/abs/2404.14361)\n\n- Only bullet\n\n")
