"""Thread Q&A kept and published on the site's paper pages (issue 15, item 3): kept through each
platform's real dispatch without who asked, shown only for channels that opted in with
``/arxiv publish on`` (admins only), escaped like every text of the site."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone

from bot.publish_text import TEXTS
from digest.models import ChannelRef
from digest.qa import Answer, Quote
from digest.qa.kept import anonymous, keep
from digest.site import build_site
from digest.site.questions import published_questions
from tests.discord_fixtures import world as discord_world
from tests.engine_fixtures import llm_client
from tests.fakes import discord_payloads as p
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.qa_model import reader
from tests.fakes.slack_requests import app_mention, event_callback
from tests.site_fixtures import Posted, make_paper, post_digests, week
from tests.slack_fixtures import CHANNEL, SECRET, world as slack_world
from tests.test_discord_threads import digest, open_thread
from tests.test_manage_slack import run_command
from tests.test_slack_app import deliver, replies

# As Slack sends it: "<", ">" and "&" escaped, a colleague's mention as markup.
HOSTILE = "&lt;script&gt;alert(1)&lt;/script&gt; which corpus do they train on, <@U0BOSS>?"


def kept_rows(db) -> list[tuple]:
    """Every column of every kept answer, read from the database file itself."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT * FROM thread_answers").fetchall()
    return [(*row[:8], json.loads(row[8]), *row[9:]) for row in rows]  # citations: a JSON list


def paper_page(out, arxiv_id: str) -> str:
    return (out / "papers" / arxiv_id / "index.html").read_text(encoding="utf-8")


async def test_a_slack_answer_is_kept_without_the_asker_and_shown_once_an_admin_publishes(tmp_path):
    with FakeOpenAI(responder=reader) as fake:
        llm = llm_client(fake.base_url)
        with slack_world(tmp_path, llm=llm) as w:
            w.slack.add_user("UADMIN", is_admin=True)
            _, card, *_ = await deliver(w)
            arxiv_id = w.store.deliveries("k1")[1].arxiv_id
            await w.dispatch(event_callback(SECRET, app_mention(HOSTILE, thread_ts=card, channel="C0CHAN", user="U0ASKER")))
            [posted] = await w.slack.until(lambda: replies(w, card), timeout=20)
            assert fake.count >= 1  # written by the model, not quoted
            [row] = kept_rows(tmp_path / "slack.db")
            assert "U0ASKER" not in repr(row) and "U0BOSS" not in repr(row)  # neither the asker nor whom they named
            assert row[1] == arxiv_id and row[3:6] == ("slack", CHANNEL.workspace_id, CHANNEL.channel_id)
            assert row[6] == "<script>alert(1)</script> which corpus do they train on, @…?"
            assert "Pile" in row[7] and "Pile" in posted["text"]  # the answer as the thread got it
            assert w.store.published_answers() == []  # off by default
            out = tmp_path / "site"
            build_site(w.store, out, questions=published_questions(w.store))
            assert 'id="questions"' not in paper_page(out, arxiv_id)

            before = w.store.publishes(CHANNEL)
            refused = await run_command(w, "publish on", user="U0OTHER")  # not an admin
            assert refused["text"] == TEXTS.text("en", "admins_only") and w.store.publishes(CHANNEL) == before
            assert (await run_command(w, "publish maybe"))["text"] == TEXTS.text("en", "usage", word="maybe")
            assert (await run_command(w, "publish"))["text"] == TEXTS.text("en", "is_off")
            switched = await run_command(w, "publish on", user="UADMIN")
            assert switched == {"response_type": "in_channel", "text": TEXTS.text("en", "now_on")}
            assert (await run_command(w, "publish on", user="UADMIN"))["text"] == TEXTS.text("en", "already_on")
            assert (await run_command(w, "publish"))["text"].startswith("This channel publishes:")
            build_site(w.store, out, questions=published_questions(w.store))
            assert 'id="questions"' not in paper_page(out, arxiv_id)  # asked before the switch: its asker did not know

            await w.dispatch(event_callback(SECRET, app_mention(HOSTILE, thread_ts=card, channel="C0CHAN", user="U0ASKER")))
            await w.slack.until(lambda: len(replies(w, card)) == 2, timeout=20)
            build_site(w.store, out, questions=published_questions(w.store))
            html = paper_page(out, arxiv_id)
            assert "&lt;script&gt;alert(1)&lt;/script&gt; which corpus do they train on, @…?" in html
            assert "<script>" not in html and "U0ASKER" not in html and "U0BOSS" not in html
            assert 'class="answer"' in html and "Pile" in html and f"({', '.join(row[8])})" in html

            assert (await run_command(w, "publish off", user="UADMIN"))["text"] == TEXTS.text("en", "now_off")
            build_site(w.store, out, questions=published_questions(w.store))
            assert 'id="questions"' not in paper_page(out, arxiv_id)  # taken off at the next build
            assert len(kept_rows(tmp_path / "slack.db")) == 2  # kept, not deleted
        await llm.aclose()


async def test_a_discord_answer_is_kept_and_only_manage_channels_may_publish(tmp_path):
    async with discord_world(tmp_path) as w:
        cards = await digest(w)
        await open_thread(w, cards[0])
        thread = cards[0]["id"]
        await w.discord.until(lambda: w.service.client.get_channel(int(thread)))
        w.discord.say(thread, "what data do they train on? <@200000000000000002>", mention_bot=True)
        await w.discord.until(lambda: len(w.discord.messages(thread)) == 3)  # the prompt, the question, the answer
        [row] = kept_rows(tmp_path / "discord.db")
        channel = ChannelRef("discord", row[4], row[5])
        assert row[3] == "discord" and channel.channel_id == w.discord.channel_id  # the card's channel, not the thread
        assert w.discord.person["id"] not in repr(row) and "200000000000000002" not in repr(row)
        assert row[6] == "what data do they train on? @…" and "Pile" in row[7]
        assert row[8] == ["Abstract"]  # no LLM here: quoted, under the quoted sections

        record = await w.discord.answered(w.discord.slash("publish", state="on", permissions=p.MEMBER_PERMISSIONS))
        assert record["original"]["content"] == TEXTS.text("en", "admins_only") and w.store.publishes(channel)[0] is False
        record = await w.discord.answered(w.discord.slash("publish", state="on"))  # Manage Channels
        assert record["original"]["content"] == TEXTS.text("en", "now_on") and w.store.publishes(channel)[0] is True
        assert not record["original"]["flags"] & p.EPHEMERAL  # the channel learns its questions are shown
        shown = await w.discord.answered(w.discord.slash("publish", permissions=p.MEMBER_PERMISSIONS))
        assert shown["original"]["content"].startswith("This channel publishes:")
        assert w.store.published_answers() == []  # asked before the switch: its asker did not know
        w.discord.say(thread, "and how large is it?", mention_bot=True)
        await w.discord.until(lambda: len(w.discord.messages(thread)) == 5)
        [published] = w.store.published_answers()
        assert (published.arxiv_id, published.question) == (row[1], "and how large is it?")


def test_only_channels_publishing_at_build_time_show_their_answers(store, tmp_path):
    """On SQLite and PostgreSQL (the ``store`` fixture)."""
    paper = make_paper("2404.14361", "Better Synthetic Data")
    post_digests(store, [Posted("合成データ", week(date(2024, 4, 19)), [paper])])
    at = datetime(2024, 4, 25, 9, tzinfo=timezone.utc)
    public, private = ChannelRef("slack", "T1", "C1"), ChannelRef("discord", "9", "8")
    store.keep_answer(public, paper.arxiv_id, 1, "How much better?", "By 34% (§4.2).", ("§4.2",), at)
    store.keep_answer(private, paper.arxiv_id, 1, "A private question", "A private answer", (), at)
    assert store.set_publishing(public, True, at) and not store.set_publishing(public, True, at)
    assert store.set_publishing(private, False, at) is False  # off already: no row needed
    out = tmp_path / "site"
    build_site(store, out, questions=published_questions(store))
    html = paper_page(out, paper.arxiv_id)
    assert "How much better?" in html and "By 34% (§4.2). <span class=\"meta\">(§4.2)</span>" in html
    assert "private" not in html
    store.set_publishing(private, True, at)
    build_site(store, out, questions=published_questions(store))
    html = paper_page(out, paper.arxiv_id)
    assert html.index("How much better?") < html.index("A private question")  # oldest first, both shown now
    assert store.publishes(private)[0] and store.publishes(ChannelRef("slack", "T1", "C9")) == (False, None)


def test_mentions_and_ids_never_reach_the_kept_text():
    assert anonymous("ask <@U0123ABCD|taro> or <@!123456789012345678>, cc <!here> in <#C0GEN|general>") == (
        "ask @… or @…, cc @… in #…"
    )
    assert anonymous("as @U0123ABCD said, and @123456789012345678 too; mail a@b.c") == (
        "as @… said, and @… too; mail a@b.c"
    )


class Failing:
    def keep_answer(self, *args):
        raise OSError("disk full")


class Recording:
    def __init__(self):
        self.kept = []

    def keep_answer(self, *args):
        self.kept.append(args)


def test_what_is_kept_and_a_store_failure_never_stops_the_answer(caplog):
    paper = make_paper("2404.14361", "Better Synthetic Data")
    channel = ChannelRef("slack", "T1", "C1")
    limited = Answer("Too many questions; ask again in 5 minutes.", (), "limited")
    quoted = Answer("Quoted:", ("§2",), "passages", (Quote("2 Method", "We reuse data."),), ("(abstract only)",))
    assert keep(Failing(), channel, paper, "q", limited) is False  # a rate-limit notice is not kept
    assert keep(Failing(), channel, paper, "q", quoted) is False and "not kept for the site" in caplog.text
    recording = Recording()
    assert keep(recording, channel, paper, "  what   is\nnew? ", quoted)
    [(where, arxiv_id, version, question, text, citations, at)] = recording.kept
    assert (where, arxiv_id, version, question, citations) == (channel, "2404.14361", 1, "what is new?", ("§2",))
    assert text == "Quoted:\n[2 Method] We reuse data.\n(abstract only)" and at.tzinfo is not None
