"""``/arxiv related`` through Slack's and Discord's real dispatch, and the Discord cards'
"Related" button: the stored papers most like a paper (digest/related over a real store,
BM25), each with its headline and its link (its site page when it was posted and
DIGEST_SITE_URL is set, else arXiv), shown only to the asker."""

from __future__ import annotations

import re
from datetime import date

from bench.related_quality import labelled
from bot.discord.port import ASK_CUSTOM_ID, RELATED_CUSTOM_ID
from bot.related_command import RelatedLookup
from bot.related_text import TEXTS
from digest.models import CardKey, CardText
from digest.related import RelatedIndex
from tests.discord_fixtures import world as discord_world
from tests.engine_fixtures import WEEK
from tests.fakes.discord_payloads import EPHEMERAL
from tests.site_fixtures import Posted, post_digests, week
from tests.slack_fixtures import world as slack_world
from tests.test_manage_slack import run_command

PAPERS = {p.arxiv_id: p for p in labelled()[0]}
SITE = "https://example.org/digest"
QUANTISED = {"2305.14314", "2306.00978", "2211.10438", "2208.07339"}  # GPTQ's labelled neighbours


def fill(store) -> None:
    """The labelled papers stored; AWQ posted once (so it has a site page) with an English card."""
    store.put_papers(list(PAPERS.values()))
    post_digests(store, [Posted("quantisation", week(date(2024, 4, 19)), [PAPERS["2306.00978"]], language="en")])
    store.put_card(CardKey("2306.00978", 1, "en", "m", "p1", 4), CardText("4-bit weights, activation-aware", ("a",), "",
                                                                          "en", "llm:m"))  # fmt: skip


def entries(text: str) -> list[tuple[str, str]]:
    """(first line, second line) of each numbered paper in an answer."""
    lines = text.split("\n")
    return [(line, lines[i + 1]) for i, line in enumerate(lines) if re.match(r"\d\. ", line)]


async def test_slack_related_lists_similar_papers_with_headlines_and_site_or_arxiv_links(tmp_path):
    with slack_world(tmp_path) as w:
        fill(w.store)
        w.handlers.related = RelatedLookup(w.store, SITE, RelatedIndex(w.store))
        answer = await run_command(w, "related 2210.17323")
        assert answer["response_type"] == "ephemeral"
        text = answer["text"]
        assert text.startswith(f"Papers like *{PAPERS['2210.17323'].title}* (2210.17323), from those the bot holds:")
        found = entries(text)
        assert len(found) == 5 and "2210.17323" not in " ".join(second for _, second in found)
        ids = [re.search(r"(?:abs/|papers/)([^/\s]+)", second).group(1) for _, second in found]
        assert set(ids[:3]) <= QUANTISED  # LLM quantisation papers first (BM25's measured order)
        awq = found[ids.index("2306.00978")]
        assert awq[0].endswith(". 4-bit weights, activation-aware")  # its card's headline, the reader's language
        assert awq[1] == f"    {PAPERS['2306.00978'].title} · {SITE}/papers/2306.00978/"  # posted: its page
        other = found[ids.index("2305.14314")]
        assert other == (other[0], "    https://arxiv.org/abs/2305.14314")  # no card, no page: title and arXiv
        assert other[0].endswith(PAPERS["2305.14314"].title)
        # A link and a versioned id name the same paper.
        assert (await run_command(w, "related https://arxiv.org/abs/2210.17323v2"))["text"] == text


async def test_slack_related_refuses_clearly_and_says_when_the_paper_is_unknown(tmp_path):
    with slack_world(tmp_path) as w:
        fill(w.store)
        w.handlers.related = RelatedLookup(w.store, index=RelatedIndex(w.store))
        unknown = (await run_command(w, "related 2401.00001"))["text"]
        assert unknown == TEXTS.text("en", "related_unknown", id="2401.00001")
        assert "`/arxiv paper 2401.00001`" in unknown
        assert (await run_command(w, "related"))["text"] == TEXTS.text("en", "related_needs_paper")
        assert (await run_command(w, "related nonsense"))["text"].startswith("`nonsense` is not an arXiv id or link")
        assert (await run_command(w, "related 2210.17323 2306.00978"))["text"] == (
            "related takes one arXiv id or link; remove `2306.00978`."
        )
        help_text = (await run_command(w, "help"))["text"]
        assert "`/arxiv related &lt;arXiv id or link&gt;`" in help_text


async def test_discord_related_command_answers_only_the_asker_in_their_language(tmp_path):
    async with discord_world(tmp_path) as w:
        fill(w.store)
        w.handlers.related = RelatedLookup(w.store, SITE, RelatedIndex(w.store))
        record = await w.discord.answered(w.discord.slash("related", paper="2210.17323", locale="ja"))
        assert record["original"]["flags"] & EPHEMERAL
        content = record["original"]["content"]
        assert content.startswith(f"*{PAPERS['2210.17323'].title}* (2210.17323) に近い論文")
        assert f"<{SITE}/papers/2306.00978/>" in content and "<https://arxiv.org/abs/2305.14314>" in content  # no previews
        assert len(entries(content)) == 5
        unknown = await w.discord.answered(w.discord.slash("related", paper="2401.00001"))
        assert unknown["original"]["content"] == TEXTS.text("en", "related_unknown", id="2401.00001")


async def test_the_discord_card_s_related_button_answers_with_the_card_s_related_papers(tmp_path):
    async with discord_world(tmp_path, 8) as w:
        sub = w.subscribe(max_papers=3)
        assert (await w.deliverer.run(sub, WEEK, "k1")).state == "done"
        w.handlers.related = RelatedLookup(w.store, SITE, RelatedIndex(w.store))
        cards = [m for m in w.discord.messages() if m["embeds"]]
        buttons = [c["custom_id"] for c in cards[0]["components"][0]["components"]]
        assert buttons == [ASK_CUSTOM_ID, RELATED_CUSTOM_ID]
        assert cards[0]["components"][0]["components"][1]["label"] == "Related"
        record = await w.discord.answered(w.discord.click(cards[0], RELATED_CUSTOM_ID))
        assert record["original"]["flags"] & EPHEMERAL
        content = record["original"]["content"]
        posted = [m["embeds"][0]["footer"]["text"].split(" · ")[0].removeprefix("arXiv:").split("v")[0] for m in cards]
        title = next(m["embeds"][0]["title"] for m in cards)
        assert content.startswith(f"Papers like *{title}* ({posted[0]})")
        found = entries(content)
        assert len(found) == 5 and posted[0] not in content.split("\n", 1)[1]
        for other in posted[1:]:  # the two other cards: posted, so linked to their site pages
            assert f"<{SITE}/papers/{other}/>" in content
        assert content.count("<https://arxiv.org/abs/") == 3  # the rest of the week: only fetched
        # A click on a message that is no card of ours says so, to the clicker alone.
        stray = dict(cards[0], id="999999999999999999")
        refused = await w.discord.answered(w.discord.click(stray, RELATED_CUSTOM_ID))
        assert refused["original"]["content"] == TEXTS.text("en", "related_not_a_card")


def test_paper_text_cannot_become_a_link_or_markup_on_discord():
    from bot.related_command import Found, RelatedLink, related_text
    from digest.related import RelatedPaper

    hostile = RelatedPaper("2401.00002", "[click](https://evil.example) *bold* `x`", "see >quote ~~s~~ |spoiler|", 0.5)
    found = Found("2401.00001", "A paper", (RelatedLink(hostile, "https://arxiv.org/abs/2401.00002"),))
    discord_text = related_text(found, "en", "discord")
    assert "    \\[click\\](https://evil.example) \\*bold\\* \\`x\\` · " in discord_text  # no masked link, no markup
    assert "1. see \\>quote \\~\\~s\\~\\~ \\|spoiler\\|" in discord_text
    assert "<https://arxiv.org/abs/2401.00002>" in discord_text
    slack_text = related_text(found, "en", "slack")  # Slack's responder escapes & < > itself
    assert "1. see >quote ~~s~~ |spoiler|\n    [click](https://evil.example) *bold* `x` · https://arxiv.org/abs/2401.00002" in slack_text
