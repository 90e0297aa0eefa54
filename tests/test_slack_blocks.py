"""Block Kit rendering of cards and digest headers (bot/slack/blocks.py, pure)."""

import json
import re
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from bot.slack.blocks import (
    CONTEXT_ELEMENTS,
    CONTEXT_TEXT,
    FALLBACK_TEXT,
    HEADER_TEXT,
    MAX_BLOCKS,
    SECTION_TEXT,
    card_blocks,
    header_blocks,
)
from digest.models import Card, CardText, Digest, Paper, Window

PAPER = Paper(
    arxiv_id="2404.14361",
    version=1,
    title="Better Synthetic Data by Retrieving and Transforming Existing Datasets",
    authors=("Saumya Gandhi", "Ritu Gala", "Vijay Viswanathan", "Tongshuang Wu", "Graham Neubig"),
    abstract="Despite recent advances in large language models, ...",
    categories=("cs.CL", "cs.AI"),
    primary_category="cs.CL",
    comment="ACL Findings 2024",
    published=datetime(2024, 4, 22, 17, 15, 44, tzinfo=timezone.utc),
    updated=datetime(2024, 4, 22, 17, 15, 44, tzinfo=timezone.utc),
    abs_url="http://arxiv.org/abs/2404.14361v1",
)
TEXT = CardText(
    headline="DataTune turns existing datasets into task-specific training data",
    bullets=("Problem: data is scarce", "Method: retrieve & transform", "Result: +49% over few-shot"),
    comment="Reusing data instead of generating it is clever.",
    language="en",
    summarizer="llm:gpt-4o-mini",
)
CARD = Card(PAPER, TEXT, rank=1, score=8.714)
WEEK = Window(date(2024, 4, 19), date(2024, 4, 25), "Asia/Tokyo")


def mrkdwn(block):
    return block["text"]["text"] if block["type"] != "context" else [e["text"] for e in block["elements"]]


def every_text(blocks):
    for block in blocks:
        if block["type"] == "context":
            yield from block["elements"]
        else:
            yield block["text"]


def assert_within_limits(blocks, text):
    assert 1 <= len(blocks) <= MAX_BLOCKS
    assert 0 < len(text) <= FALLBACK_TEXT
    for block in blocks:
        if block["type"] == "header":
            assert 0 < len(block["text"]["text"]) <= HEADER_TEXT
            assert block["text"]["type"] == "plain_text"
        elif block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= SECTION_TEXT
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= CONTEXT_ELEMENTS
            assert all(0 < len(e["text"]) <= CONTEXT_TEXT for e in block["elements"])
        else:
            pytest.fail(f"unexpected block type {block['type']}")
    for obj in every_text(blocks):
        if obj["type"] == "mrkdwn":
            assert obj["verbatim"] is True  # Slack must not auto-parse @here or #channel


def assert_harmless(text):
    """No Slack control sequence (<!channel>, <@U..>, <http..|..>) except our own title link."""
    for match in re.finditer(r"<([^>]*)>", text):
        assert match.group(1).startswith("http://arxiv.org/abs/"), match.group(0)


def test_card_matches_snapshot():
    blocks, text = card_blocks(CARD, "synthetic data", "en", "Asia/Tokyo")
    assert [mrkdwn(b) for b in blocks] == [
        "*<http://arxiv.org/abs/2404.14361v1|Better Synthetic Data by Retrieving and Transforming Existing Datasets>*",
        "*DataTune turns existing datasets into task-specific training data*",
        ["Saumya Gandhi, Ritu Gala, Vijay Viswanathan, Tongshuang Wu, Graham Neubig"],
        "• Problem: data is scarce\n• Method: retrieve &amp; transform\n• Result: +49% over few-shot",
        "Reusing data instead of generating it is clever.",
        ["*Comment:* ACL Findings 2024"],
        [
            "*Topic:* synthetic data",
            "*Categories:* cs.CL, cs.AI",
            "*Posted:* 2024-04-23 02:15 JST",
            "*Relevance:* 8.71",
        ],
    ]
    assert [b["type"] for b in blocks] == ["section", "section", "context", "section", "section", "context", "context"]
    assert text == "\n".join(
        [
            "*<http://arxiv.org/abs/2404.14361v1|Better Synthetic Data by Retrieving and Transforming Existing Datasets>*",  # noqa: E501
            "*DataTune turns existing datasets into task-specific training data*",
            "Saumya Gandhi, Ritu Gala, Vijay Viswanathan, Tongshuang Wu, Graham Neubig",
            "• Problem: data is scarce\n• Method: retrieve &amp; transform\n• Result: +49% over few-shot",
            "Reusing data instead of generating it is clever.",
            "*Comment:* ACL Findings 2024",
            "*Topic:* synthetic data · *Categories:* cs.CL, cs.AI · *Posted:* 2024-04-23 02:15 JST · *Relevance:* 8.71",
        ]
    )
    assert_within_limits(blocks, text)
    json.dumps(blocks)  # wire-ready


def test_extractive_card_is_labelled_in_the_digest_language():
    text = CardText("Phi-3 Technical Report", ("We introduce phi-3-mini.",), "", "ja", "extractive:llm-failed")
    blocks, fallback = card_blocks(Card(PAPER, text, 2, 3.2), "LLM", "ja", "UTC")
    assert ["_アブストラクトからの抽出要約（LLMの応答が使えなかったため）_"] in [mrkdwn(b) for b in blocks]
    assert "Reusing" not in fallback and "*トピック:* LLM" in fallback
    assert "2024-04-22 17:15 UTC" in fallback


def test_optional_parts_are_left_out_when_empty():
    text = replace(TEXT, headline=" ", bullets=(), comment="")
    paper = replace(PAPER, comment=None, authors=())
    blocks, _ = card_blocks(Card(paper, text, 1, 1.0), "x", "en", "UTC")
    assert len(blocks) == 2  # title and details
    assert_within_limits(blocks, "x")


def test_three_hundred_authors_are_shortened_with_a_count():
    paper = replace(PAPER, authors=tuple(f"Author Number{i}" for i in range(1, 301)))
    blocks, text = card_blocks(Card(paper, TEXT, 1, 1.0), "x", "ja", "UTC")
    authors = mrkdwn(blocks[2])[0]
    assert authors.startswith("Author Number1, Author Number2, ")
    assert re.search(r", ほか \(\+\d+\)$", authors)
    assert len(authors) <= 300
    assert authors in text
    assert_within_limits(blocks, text)


def test_a_5000_character_arxiv_comment_is_shortened():
    paper = replace(PAPER, comment="Accepted at a venue. " * 240)
    blocks, text = card_blocks(Card(paper, TEXT, 1, 1.0), "x", "en", "UTC")
    comment = mrkdwn(blocks[5])[0]
    assert comment.startswith("*Comment:* Accepted at a venue.")
    assert comment.endswith("…") and len(comment) <= CONTEXT_TEXT
    assert_within_limits(blocks, text)


def test_mentions_and_links_from_the_llm_are_rendered_harmless():
    text = replace(
        TEXT,
        headline="<!channel> read this <@U123> <!here> <#C999|general> <https://evil.example|click>",
        bullets=("<!subteam^S1> & <@W42>",),
        comment="@here @channel <!everyone>",
    )
    paper = replace(PAPER, title="Title <!channel>", authors=("<@U123>",), comment="<!here|here>")
    blocks, fallback = card_blocks(Card(paper, text, 1, 1.0), "<!channel>", "en", "UTC")
    assert mrkdwn(blocks[1]) == (
        "*&lt;!channel&gt; read this &lt;@U123&gt; &lt;!here&gt; &lt;#C999|general&gt; "
        "&lt;https://evil.example|click&gt;*"
    )
    assert mrkdwn(blocks[3]) == "• &lt;!subteam^S1&gt; &amp; &lt;@W42&gt;"
    for obj in every_text(blocks):
        assert_harmless(obj["text"])
    assert_harmless(fallback)
    assert_within_limits(blocks, fallback)


def test_an_entity_in_the_source_text_stays_literal():
    text = replace(TEXT, headline="&lt;!channel&gt; is not a mention")
    blocks, _ = card_blocks(Card(PAPER, text, 1, 1.0), "x", "en", "UTC")
    assert mrkdwn(blocks[1]) == "*&amp;lt;!channel&amp;gt; is not a mention*"


def test_a_url_that_could_break_the_link_is_encoded_or_dropped():
    odd = replace(PAPER, abs_url="https://arxiv.org/abs/1|<!channel>")
    blocks, _ = card_blocks(Card(odd, TEXT, 1, 1.0), "x", "en", "UTC")
    assert mrkdwn(blocks[0]).startswith("*<https://arxiv.org/abs/1%7C%3C!channel%3E|Better")
    not_http = replace(PAPER, abs_url="javascript:alert(1)")
    blocks, _ = card_blocks(Card(not_http, TEXT, 1, 1.0), "x", "en", "UTC")
    assert mrkdwn(blocks[0]) == f"*{PAPER.title}*"


EVIL = "<img src=x onerror=alert(1)>"


def shown(text):
    """What Slack displays of mrkdwn text: it decodes exactly &lt; &gt; and &amp;."""
    return re.sub(r"&(lt|gt|amp);", lambda m: {"lt": "<", "gt": ">", "amp": "&"}[m.group(1)], text)


def test_every_field_shows_angle_brackets_and_ampersands_as_typed():
    text = replace(TEXT, headline=f"Headline {EVIL}", bullets=(f"Bullet {EVIL} & more",), comment=f"Comment {EVIL}")
    paper = replace(
        PAPER, title="Masked <mask> tokens & more", authors=(f"Ada {EVIL}",), comment=f"Pages {EVIL}",
        categories=("cs.CL", "<b>"),
    )
    blocks, fallback = card_blocks(Card(paper, text, 1, 1.0), f"topic {EVIL}", "en", "UTC")
    texts = [obj["text"] for obj in every_text(blocks)]
    assert texts[0] == "*<http://arxiv.org/abs/2404.14361v1|Masked &lt;mask&gt; tokens &amp; more>*"
    assert shown(texts[0].split("|", 1)[1]) == "Masked <mask> tokens & more>*"
    assert [shown(t) for t in texts[1:6]] == [
        f"*Headline {EVIL}*", f"Ada {EVIL}", f"• Bullet {EVIL} & more", f"Comment {EVIL}", f"*Comment:* Pages {EVIL}",
    ]
    assert shown(texts[6]) == f"*Topic:* topic {EVIL}" and shown(texts[7]) == "*Categories:* cs.CL, <b>"
    for obj in [*every_text(blocks), {"text": fallback}]:
        assert_harmless(obj["text"])  # no "<" reaches Slack but the title link's


def test_an_entry_without_title_authors_or_categories_is_still_a_card():
    # arXiv's withdrawn entries: the title and authors empty, the abstract one sentence.
    paper = replace(PAPER, title="  ", authors=("", " "), categories=(), comment=None)
    text = CardText("This paper has been withdrawn", (), "", "en", "extractive")
    blocks, fallback = card_blocks(Card(paper, text, 1, 0.5), "t", "en", "UTC")
    assert [mrkdwn(b) for b in blocks] == [
        "*<http://arxiv.org/abs/2404.14361v1|2404.14361v1>*",
        "*This paper has been withdrawn*",
        ["_Extractive summary from the abstract (no LLM configured)_"],
        ["*Topic:* t", "*Posted:* 2024-04-22 17:15 UTC", "*Relevance:* 0.50"],
    ]
    assert_within_limits(blocks, fallback)


def test_every_limit_at_once():
    huge = CardText(
        headline="Headline & <b> " * 800,
        bullets=tuple("Bullet " + "< & > " * 600 for _ in range(10)),
        comment="コメント。" * 2000,
        language="ja",
        summarizer="extractive",
    )
    paper = replace(
        PAPER,
        title="A very long title with <angle> & ampersands " * 200,
        authors=tuple("Very Long Author Name" + str(i) for i in range(3000)),
        categories=tuple(f"cs.X{i}" for i in range(1000)),
        comment="x" * 5000,
    )
    blocks, text = card_blocks(Card(paper, huge, 1, 1.0), "topic " * 600, "ja", "UTC")
    assert_within_limits(blocks, text)
    for obj in every_text(blocks):
        assert not re.search(r"&[a-z]*…", obj["text"])  # no entity cut in half
    assert mrkdwn(blocks[0]).endswith("…>*")


def test_header_matches_snapshot():
    digest = Digest("synthetic data", WEEK, "en", (CARD, CARD), candidates=37, notes=("1 card is extractive",))
    blocks, text = header_blocks(digest)
    assert blocks == [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": "Papers on synthetic data (2024-04-19 ~ 2024-04-25)", "emoji": True},
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "2 of 37 papers", "verbatim": True},
                {"type": "mrkdwn", "text": "1 card is extractive", "verbatim": True},
            ],
        },
    ]
    assert text == "Papers on synthetic data (2024-04-19 ~ 2024-04-25)\n2 of 37 papers · 1 card is extractive"


def test_header_of_an_empty_digest_says_so_in_its_language():
    blocks, text = header_blocks(Digest("合成データ", WEEK, "ja", (), candidates=0))
    assert blocks[0]["text"]["text"] == "合成データに関する論文まとめ (2024-04-19 ~ 2024-04-25)"
    assert mrkdwn(blocks[1]) == ["0件中0件"]
    assert mrkdwn(blocks[2]) == "この期間にこのトピックの新しい論文はありません。"
    assert text.endswith("この期間にこのトピックの新しい論文はありません。")


def test_header_limits_and_escaping():
    notes = tuple(f"note <!here> {i} " * 300 for i in range(15))
    digest = Digest("a & b " * 100, WEEK, "en", (CARD,), candidates=5, notes=notes)
    blocks, text = header_blocks(digest)
    assert_within_limits(blocks, text)
    assert "a & b" in blocks[0]["text"]["text"]  # plain_text: shown as typed, never parsed
    assert_harmless(text)
    for obj in every_text(blocks[1:]):
        assert_harmless(obj["text"])
