"""Cards link their paper page on the site when DIGEST_SITE_URL is set (both platforms,
through their ports' real delivery against the fakes, and the Markdown); unset, cards
are as they always were."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from bot.discord.embeds import card_embed
from bot.slack.blocks import card_blocks
from digest.cards.render import card_markdown
from digest.site import paper_url
from tests.discord_fixtures import world as discord_world
from tests.engine_fixtures import WEEK, delivered_digest
from tests.slack_fixtures import CHANNEL, world as slack_world
from tests.test_slack_blocks import CARD

SITE = "https://example.org/digest/"


async def test_slack_cards_link_their_paper_page_only_with_a_site_url(tmp_path):
    with slack_world(tmp_path, 6) as w:
        sub = w.store.add_subscription(CHANNEL, "synthetic data", weekday=0, at=time(9),
                                       tz="UTC", language="ja", max_papers=2, created_by="U0USER")  # fmt: skip
        assert (await w.deliverer.run(sub, WEEK, "plain")).state == "done"
        w.port.site_url = SITE
        assert (await w.deliverer.run(sub, replace(WEEK, tz="Asia/Tokyo"), "linked")).state == "done"
        posts = [c.params for c in w.slack.calls_to("chat.postMessage")]
        plain, linked = delivered_digest(w.store, "plain"), delivered_digest(w.store, "linked")
        cards = [p for p in posts if "papers/" in str(p["blocks"])]
        assert len(cards) == len(linked.cards) == 2  # only the cards of the run with the setting
        for card, post in zip(linked.cards, cards):
            page = paper_url(SITE, card.paper.arxiv_id)
            assert page == f"https://example.org/digest/papers/{card.paper.arxiv_id}/"
            last = post["blocks"][-1]["elements"][-1]["text"]
            assert last == f"*論文ページ:* <{page}|{card.paper.arxiv_id}>" and page in post["text"]
            assert post["blocks"] == card_blocks(card, "synthetic data", "ja", "Asia/Tokyo", SITE)[0]
        unlinked = [p for p in posts if p not in cards and p["blocks"][0]["type"] != "header"]  # the cards, not headers
        assert [p["blocks"] for p in unlinked] == [card_blocks(c, "synthetic data", "ja", "UTC")[0] for c in plain.cards]


async def test_discord_cards_link_their_paper_page_only_with_a_site_url(tmp_path):
    async with discord_world(tmp_path, 6) as w:
        sub = w.subscribe(max_papers=2)
        assert (await w.deliverer.run(sub, WEEK, "plain")).state == "done"
        w.service.port.site_url = SITE
        await w.deliverer.run(sub, replace(WEEK, tz="Asia/Tokyo"), "linked")
        cards = [m for m in w.discord.messages() if m["embeds"]]
        assert len(cards) == 4
        for message in cards[:2]:  # unset: no page field, as before
            assert all("papers/" not in f["value"] for f in message["embeds"][0]["fields"])
        for card, message in zip(delivered_digest(w.store, "linked").cards, cards[2:]):
            field = message["embeds"][0]["fields"][-1]
            assert field == {"name": "Paper page", "value": f"[{card.paper.arxiv_id}]({SITE}papers/{card.paper.arxiv_id}/)",
                             "inline": True}  # fmt: skip
        assert cards[2]["components"] == cards[0]["components"]  # the buttons as before


def test_renderers_add_the_page_link_in_the_reader_s_language_and_leave_cards_alone_without():
    assert card_blocks(CARD, "t", "en", "UTC") == card_blocks(CARD, "t", "en", "UTC", None)
    assert card_embed(CARD, "t", "en", "UTC").to_dict() == card_embed(CARD, "t", "en", "UTC", "").to_dict()
    embed = card_embed(CARD, "t", "de", "UTC", "https://x.org/a(b)").to_dict()
    assert embed["fields"][-1]["value"] == f"[{CARD.paper.arxiv_id}](https://x.org/a%28b%29/papers/{CARD.paper.arxiv_id}/)"
    assert embed["fields"][-1]["name"] == "Artikelseite"
    markdown = card_markdown(CARD, "t", "ja", "UTC", site_url=SITE)
    assert markdown.endswith(f"**論文ページ:** [{CARD.paper.arxiv_id}]({SITE}papers/{CARD.paper.arxiv_id}/)")
    assert "papers/" not in card_markdown(CARD, "t", "ja", "UTC")
