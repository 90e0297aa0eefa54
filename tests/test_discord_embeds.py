"""Cards as embeds and headers as text: the content Slack shows, within every Discord limit."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from bot.discord import embeds as e
from bot.discord.embeds import card_embed, has_ref, header_text, thread_name, with_ref
from digest.models import Card, CardText, Digest, Paper, Window

WHEN = datetime(2024, 4, 22, 17, 59, tzinfo=timezone.utc)
PAPER = Paper(
    arxiv_id="2404.14361",
    version=2,
    title="Synthetic data for *everyone*: [a](https://evil.example) study",
    authors=("Ada Lovelace", "Alan Turing"),
    abstract="We study synthetic data.",
    categories=("cs.CL", "cs.LG"),
    primary_category="cs.CL",
    comment="12 pages, 3 figures",
    published=WHEN,
    updated=WHEN,
    abs_url="https://arxiv.org/abs/2404.14361v2",
)
TEXT = CardText("A **new** recipe for data", ("First point", "Second _point_"), "I liked it.", "en", "llm:gpt")
CARD = Card(PAPER, TEXT, rank=1, score=0.8734)


def within_limits(embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= e.TITLE
    assert len(data.get("description", "")) <= e.DESCRIPTION
    assert len(data.get("author", {}).get("name", "")) <= e.AUTHOR_NAME
    assert len(data.get("footer", {}).get("text", "")) <= e.FOOTER
    assert len(data.get("fields", [])) <= 25
    for field in data.get("fields", []):
        assert 0 < len(field["name"]) <= e.FIELD_NAME and 0 < len(field["value"]) <= e.FIELD_VALUE
    assert len(embed) <= e.TOTAL
    json.dumps(data)


def test_a_card_carries_what_the_slack_card_carries():
    embed = card_embed(CARD, "synthetic data", "en", "Asia/Tokyo")
    within_limits(embed)
    assert embed.title == PAPER.title and embed.url == PAPER.abs_url  # titles render no Markdown
    assert embed.author.name == "Ada Lovelace, Alan Turing"
    assert embed.description == (
        "**A \\*\\*new\\*\\* recipe for data**\n\n• First point\n• Second \\_point\\_\n\nI liked it."
    )
    fields = {f.name: (f.value, f.inline) for f in embed.fields}
    assert fields == {
        "Comment": ("12 pages, 3 figures", False),
        "Topic": ("synthetic data", True),
        "Categories": ("cs.CL, cs.LG", True),
        "Posted": ("2024-04-23 02:59 JST", True),
        "Relevance": ("0.87", True),
    }
    assert embed.footer.text == "arXiv:2404.14361v2"


def test_labels_follow_the_language_and_extractive_cards_say_so():
    text = replace(TEXT, comment="", language="ja", summarizer="extractive")
    embed = card_embed(replace(CARD, text=text), "合成データ", "ja", "UTC")
    assert [f.name for f in embed.fields] == ["Comment", "トピック", "カテゴリ", "投稿日時", "関連度"]
    assert embed.description.endswith("*アブストラクトからの抽出要約（LLM未設定）*")


def test_a_300_author_paper_names_the_first_authors_and_counts_the_rest():
    paper = replace(PAPER, authors=tuple(f"Author Number{i} Surname" for i in range(300)))
    embed = card_embed(replace(CARD, paper=paper), "t", "en", "UTC")
    within_limits(embed)
    assert embed.author.name.startswith("Author Number0 Surname, Author Number1 Surname")
    assert embed.author.name.endswith(f"et al. (+{300 - embed.author.name.count(',')})")


def test_a_5000_character_comment_is_shortened_not_rejected():
    paper = replace(PAPER, comment="Accepted at a venue. " * 250)
    embed = card_embed(replace(CARD, paper=paper), "t", "en", "UTC")
    within_limits(embed)
    comment = embed.fields[0].value
    assert len(comment) <= e.FIELD_VALUE and comment.endswith("…") and comment.startswith("Accepted at a venue.")


def test_everything_at_its_limit_at_once_still_fits_with_room_for_the_reference():
    paper = replace(
        PAPER,
        title="T" * 1000,
        authors=tuple(f"Name{i}" for i in range(5000)),
        comment="c" * 5000,
        categories=tuple(f"cs.X{i}" for i in range(300)),
    )
    text = CardText("h" * 5000, tuple("b" * 3000 for _ in range(10)), "x" * 5000, "en", "extractive:llm-failed")
    embed = card_embed(Card(paper, text, 1, 1.0), "topic " * 500, "en", "UTC")
    within_limits(embed)
    assert len(embed) <= e.TOTAL - e.REF_ROOM
    with_ref(embed, "0123456789abcdef")
    within_limits(embed)
    assert embed.footer.text.endswith(" · ref 0123456789abcdef")


def test_a_url_that_is_not_http_is_not_linked():
    embed = card_embed(replace(CARD, paper=replace(PAPER, abs_url="javascript:alert(1)")), "t", "en", "UTC")
    assert embed.url is None


EVIL = "<img src=x onerror=alert(1)>"


def test_angle_brackets_and_ampersands_show_as_typed_and_markdown_stays_literal():
    # Discord renders no HTML and decodes no entities: "<mask>" and "&" need no escaping there.
    paper = replace(PAPER, title="Masked <mask> tokens & more", comment=f"Pages {EVIL} [x](https://evil.example)")
    text = CardText(f"Headline {EVIL}", (f"# {EVIL}", "[click](https://evil.example) ~~gone~~"), f"> {EVIL}", "en", "llm:gpt")
    embed = card_embed(Card(paper, text, 1, 1.0), f"topic {EVIL}", "en", "UTC")
    within_limits(embed)
    assert embed.title == "Masked <mask> tokens & more"
    assert embed.description == (
        # "• # x" is no heading (the bullet comes first); "> x" opening the comment would quote.
        f"**Headline {EVIL}**\n\n• # {EVIL}\n• \\[click](https://evil.example) \\~\\~gone\\~\\~\n\n\\> {EVIL}"
    )
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Comment"] == f"Pages {EVIL} \\[x](https://evil.example)" and fields["Topic"] == f"topic {EVIL}"
    assert "&amp;" not in str(embed.to_dict()) and "&lt;" not in str(embed.to_dict())


def test_mass_mentions_are_broken_wherever_discord_would_render_them():
    text = CardText("@everyone look", ("@here <@123456789012345678>",), "<@&123456789012345678>", "en", "llm:gpt")
    embed = card_embed(replace(CARD, text=text), "@everyone", "en", "UTC")
    assert "@everyone" not in embed.description and "@\u200beveryone" in embed.description
    assert "@here" not in embed.description and "<@\u200b123456789012345678>" in embed.description
    assert "<@&123456789012345678>" not in embed.description
    assert {f.name: f.value for f in embed.fields}["Topic"] == "@\u200beveryone"
    header = header_text(digest(topic="@everyone and @here", notes=["<@123456789012345678> ran it"]))
    assert "@everyone" not in header and "@here" not in header and "<@123456789012345678>" not in header


def test_an_entry_without_title_authors_or_categories_is_still_a_card():
    # arXiv's withdrawn entries: the title and authors empty, the abstract one sentence.
    paper = replace(PAPER, title=" ", authors=("", " "), categories=(), comment=None)
    text = CardText("This paper has been withdrawn", (), "", "en", "extractive")
    embed = card_embed(Card(paper, text, 1, 0.5), "t", "en", "UTC")
    within_limits(embed)
    assert embed.title == "2404.14361v2" and embed.url == PAPER.abs_url
    assert embed.author.name is None  # no empty author line
    assert [f.name for f in embed.fields] == ["Topic", "Posted", "Relevance"]  # no empty "Categories: -"
    assert embed.description == (
        "**This paper has been withdrawn**\n\n*Extractive summary from the abstract (no LLM configured)*"
    )


def digest(cards=(CARD,), notes=(), topic="synthetic data") -> Digest:
    return Digest(topic, Window(date(2024, 4, 19), date(2024, 4, 25), "UTC"), "en", tuple(cards), 40, tuple(notes))


def test_the_header_names_topic_window_and_count():
    assert header_text(digest()) == "## Papers on synthetic data (2024-04-19 ~ 2024-04-25)\n1 of 40 papers"
    empty = header_text(digest(cards=()))
    assert empty.endswith("No new papers on this topic in this window.")


@pytest.mark.parametrize("topic", ["@everyone *x*", "a" * 5000])
def test_the_header_escapes_markdown_and_fits_with_its_reference(topic):
    text = header_text(digest(topic=topic, notes=["n" * 3000] * 5))
    assert len(text + e.ref_line("0123456789abcdef")) <= e.CONTENT
    if topic.startswith("@"):
        assert "\\*x\\*" in text  # mentions cannot ping: the port sends allowed_mentions none


def test_references_are_found_again_and_thread_names_fit():
    class Message:
        content = "hello" + e.ref_line("abc")
        embeds: list = []

    assert has_ref(Message(), "abc") and not has_ref(Message(), "ab")
    assert len(thread_name("x " * 300)) <= e.THREAD_NAME and thread_name("   ") == "paper"
