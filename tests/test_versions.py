"""Version notes: a replacement of a posted paper is one reply in its card's thread, never a new card."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone

import pytest

from digest.delivery.deliverer import Deliverer
from digest.delivery.keys import version_key
from digest.delivery.versions import VersionNotes, note_text
from digest.models import HEADER, Announced, ChannelRef, Paper, Window
from digest.store.ledger import VERSION_NOTES
from tests.engine_fixtures import WEEK, Clock, arxiv_source, make_engine
from tests.fakes.arxiv import ArxivFeedServer, atom_entry, synthetic_week
from tests.fakes.recording_chat import RecordingChat
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_fixtures import NOW, port_for

EN = ChannelRef("recording", "T1", "C1")
JA = ChannelRef("recording", "T1", "C2")
V2_AT = datetime(2024, 4, 29, 20, 0, tzinfo=timezone.utc)  # 2024-04-30 in Tokyo


@pytest.fixture
def arxiv():
    with ArxivFeedServer(synthetic_week(3)) as server:
        yield server


def subscribe(store, channel, language="en", tz="UTC"):
    return store.add_subscription(
        channel, "synthetic data", weekday=0, at=time(9), tz=tz, language=language, max_papers=3, created_by="U1"
    )


def replaced(arxiv_id: str, version: int = 2, comment: str | None = "accepted at ICML 2026", withdrawn: bool = False):
    paper = Paper(
        arxiv_id, version, "Synthetic data, revised", ("A. Author",), "We propose.", ("cs.CL",), "cs.CL", comment,
        published=datetime(2024, 4, 19, 12, tzinfo=timezone.utc), updated=V2_AT,
        abs_url=f"https://arxiv.org/abs/{arxiv_id}v{version}",
    )  # fmt: skip
    return Announced(paper, V2_AT, "replace", withdrawn)


async def digest(arxiv, store, chat, sub, key, window=WEEK):
    platform = sub.channel.platform
    await Deliverer(make_engine(arxiv.url, store, clock=Clock(NOW)), store, {platform: chat}).run(sub, window, key)
    return [d for d in store.deliveries(key) if d.position != HEADER]


def replies(chat, channel):
    return [p for p in chat.posted(channel) if p.kind == "reply"]


async def test_a_new_version_is_one_reply_in_its_cards_thread_in_the_subscriptions_language(arxiv, store):
    chat = RecordingChat()
    en = await digest(arxiv, store, chat, subscribe(store, EN), "en")
    ja = await digest(arxiv, store, chat, subscribe(store, JA, "ja", "Asia/Tokyo"), "ja")
    first = en[0].arxiv_id
    assert first == ja[0].arxiv_id
    notes = VersionNotes(store, {"recording": chat})
    assert await notes.note([replaced(first)]) == 2  # two channels got it: one reply each
    [in_en] = replies(chat, EN)
    [in_ja] = replies(chat, JA)
    assert in_en.key == f"reply:{en[0].message_id}" and in_ja.key == f"reply:{ja[0].message_id}"
    assert in_en.text == "v2, 2024-04-29: accepted at ICML 2026"
    assert in_ja.text == "v2（2024-04-30）：accepted at ICML 2026"  # Tokyo's date
    # The same report again (or a later one naming that version): no second reply, even
    # once the handled events of platforms are pruned.
    store.prune(events_before=V2_AT + timedelta(days=3650), queries_before=V2_AT, instances_before=V2_AT)
    assert await notes.note([replaced(first)]) == 0
    assert len(replies(chat, EN)) == len(replies(chat, JA)) == 1
    assert not store.claim_event(VERSION_NOTES, version_key(EN, first, 2))


async def test_withdrawn_and_no_comment_and_untrusted_comments(arxiv, store):
    chat = RecordingChat()
    cards = await digest(arxiv, store, chat, subscribe(store, EN), "en")
    notes = VersionNotes(store, {"recording": chat})
    a, b, c = (d.arxiv_id for d in cards)
    report = [
        replaced(a, 3, "This paper has been withdrawn by the author", withdrawn=True),
        replaced(b, comment=None),  # the RSS listing gives no comment
        replaced(c, comment="<!channel> cc <@U123> " + "long " * 100),
    ]
    assert await notes.note(report) == 3
    texts = {p.key: p.text for p in replies(chat, EN)}
    by_id = {d.arxiv_id: texts[f"reply:{d.message_id}"] for d in cards}
    assert by_id[a] == "v3, 2024-04-29: withdrawn"
    assert by_id[b] == "v2, 2024-04-29"
    assert by_id[c].startswith("v2, 2024-04-29: !channel cc @U123 long") and "<" not in by_id[c]
    assert len(by_id[c]) < 250 and by_id[c].endswith("…")
    ja = replaced(a, 3, withdrawn=True)
    assert note_text(ja, "ja", "Asia/Tokyo") == "v3（2024-04-30）：取り下げられました"


async def test_a_paper_no_channel_got_and_a_card_already_of_that_version_get_nothing(arxiv, store):
    chat = RecordingChat()
    cards = await digest(arxiv, store, chat, subscribe(store, EN), "en")
    notes = VersionNotes(store, {"recording": chat})
    assert await notes.note([replaced("2404.99999"), replaced(cards[0].arxiv_id, version=1)]) == 0
    assert await notes.note([]) == 0
    assert replies(chat, EN) == []


async def test_a_failed_note_is_logged_and_never_posted_twice(arxiv, store, caplog):
    chat = RecordingChat()
    cards = await digest(arxiv, store, chat, subscribe(store, EN), "en")
    notes = VersionNotes(store, {"recording": chat})
    chat.faults.append("error")
    with caplog.at_level(logging.WARNING, "digest.delivery.versions"):
        assert await notes.note([replaced(cards[0].arxiv_id)]) == 0
    assert "at most once" in caplog.text
    assert await notes.note([replaced(cards[0].arxiv_id)]) == 0  # claimed: not tried again
    assert replies(chat, EN) == []


async def test_a_replacement_never_becomes_a_new_card_in_a_later_digest(arxiv, store):
    chat = RecordingChat()
    sub = subscribe(store, EN)
    first = (await digest(arxiv, store, chat, sub, "week1"))[0].arxiv_id
    later = Window(date(2024, 4, 26), date(2024, 5, 2), "UTC")
    # arXiv's search of the next week returns the paper's v2 (and one new paper).
    v2 = atom_entry(id=first, version=2, title="Synthetic data for task 0, revised", authors=["A. Author"],
                    abstract="We propose synthetic data generation.", categories=["cs.CL"],
                    published="2024-04-29T12:00:00Z", comment="accepted at ICML 2026")  # fmt: skip
    new = atom_entry(id="2404.30001", title="Synthetic data at scale", authors=["C. Author"],
                     abstract="Synthetic data generation at scale.", categories=["cs.CL"], published="2024-04-30T12:00:00Z")  # fmt: skip
    with ArxivFeedServer([v2, new]) as next_week:
        cards = await digest(next_week, store, chat, sub, "week2", later)
    assert [d.arxiv_id for d in cards] == ["2404.30001"]
    assert [p.text for p in chat.posted(EN) if p.kind == "card"].count(first) == 1
    assert await VersionNotes(store, {"recording": chat}).note([replaced(first)]) == 1


async def test_on_slack_the_note_is_a_reply_under_the_card_escaped(tmp_path):
    from digest.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'v.db'}")
    c1, c2 = ChannelRef("slack", "T0TEAM", "C1"), ChannelRef("slack", "T0TEAM", "C2")
    try:
        with FakeSlackAPI() as slack, ArxivFeedServer(synthetic_week(3)) as arxiv:
            port = port_for(slack)
            en = await digest(arxiv, store, port, subscribe(store, c1), "en")
            ja = await digest(arxiv, store, port, subscribe(store, c2, "ja", "Asia/Tokyo"), "ja")
            notes = VersionNotes(store, {"slack": port})
            report = [replaced(en[0].arxiv_id, comment="accepted at ICML 2026 <https://evil.example|more> & <!here>")]
            assert await notes.note(report) == 2
            assert await notes.note(report) == 0
            for channel, card, text in (
                ("C1", en[0], "v2, 2024-04-29: accepted at ICML 2026 &lt;https://evil.example|more&gt; &amp; !here"),
                ("C2", ja[0], "v2（2024-04-30）：accepted at ICML 2026 &lt;https://evil.example|more&gt; &amp; !here"),
            ):
                threaded = [m for m in slack.messages(channel) if m.get("thread_ts") == card.message_id
                            and m["ts"] != card.message_id]  # fmt: skip
                assert [m["text"] for m in threaded] == [text]
    finally:
        store.close()


async def test_on_discord_the_note_opens_the_cards_thread_and_shows_the_comment_as_written(tmp_path):
    from tests.discord_fixtures import world

    async with world(tmp_path) as w:
        run = await w.deliverer.run(w.subscribe(max_papers=2), WEEK, "k")
        assert run.state == "done"
        card = [d for d in w.store.deliveries("k") if d.position != HEADER][0]
        notes = VersionNotes(w.store, {"discord": w.service.port})
        comment = "accepted at **ICML** [see](https://evil.example) @everyone"
        assert await notes.note([replaced(card.arxiv_id, comment=comment)]) == 1
        [call] = w.discord.calls_to("threads")
        assert call.path.endswith(f"/messages/{card.message_id}/threads")
        [note] = w.discord.messages(card.message_id)  # no bold, no masked link, no ping
        assert note["content"] == "v2, 2024-04-29: accepted at \\*\\*ICML\\*\\* \\[see](https://evil.example) @\u200beveryone"
        assert await notes.note([replaced(card.arxiv_id, comment=comment)]) == 0
        assert len(w.discord.messages(card.message_id)) == 1


def api_version(arxiv_id: str, version: int = 2, updated: str = "2024-04-27T15:30:00Z", comment: str | None = None):
    """The entry arXiv's API answers for ``<arxiv_id>v<version>``: its own comment and date."""
    return atom_entry(id=arxiv_id, version=version, title="Synthetic data, revised", authors=["A. Author"],
                      abstract="We propose.", categories=["cs.CL"], published="2024-04-19T12:00:00Z",
                      updated=updated, comment=comment)  # fmt: skip


async def test_a_listed_replacement_gets_arxivs_comment_and_date_in_one_batched_request(arxiv, store):
    chat = RecordingChat()
    en = await digest(arxiv, store, chat, subscribe(store, EN), "en")
    await digest(arxiv, store, chat, subscribe(store, JA, "ja", "Asia/Tokyo"), "ja")
    a, b, c = (d.arxiv_id for d in en)
    entries = [
        api_version(a, comment="accepted at ICML 2026"),
        api_version(b, 3, "2024-04-28T01:00:00Z", "This paper has been withdrawn by the author"),
        api_version(c, comment="from the API, not asked for"),
    ]
    with ArxivFeedServer(entries) as api:
        notes = VersionNotes(store, {"recording": chat}, arxiv_source(api.url, page_size=1))
        # From the RSS listing: no comment, the listing's date. c's comes from OAI-PMH: known.
        report = [replaced(a, comment=None), replaced(b, 3, comment=None), replaced(c, comment="camera-ready")]
        assert await notes.note(report) == 6
        asked = [r.params["id_list"] for r in api.requests]
    assert asked == [f"{a}v2", f"{b}v3"]  # only the versions lacking a comment; a page each (page_size 1)
    by_id = {f"reply:{d.message_id}": d.arxiv_id for d in store.deliveries("en") + store.deliveries("ja")}
    texts = {(channel, by_id[p.key]): p.text for channel in (EN, JA) for p in replies(chat, channel)}
    assert texts[EN, a] == "v2, 2024-04-27: accepted at ICML 2026"  # the version's date, not the listing's
    assert texts[JA, a] == "v2（2024-04-28）：accepted at ICML 2026"  # in Tokyo
    assert texts[EN, b] == "v3, 2024-04-28: withdrawn"  # the API's comment says so
    assert texts[EN, c] == "v2, 2024-04-29: camera-ready"


async def test_with_arxiv_down_the_note_goes_out_without_the_comment(arxiv, store, caplog):
    chat = RecordingChat()
    first = (await digest(arxiv, store, chat, subscribe(store, EN), "en"))[0].arxiv_id
    with ArxivFeedServer([api_version(first, comment="accepted at ICML 2026")]) as api:
        api.script([("status", 503)] * 10)
        notes = VersionNotes(store, {"recording": chat}, arxiv_source(api.url, retries=1))
        with caplog.at_level(logging.WARNING, "digest.delivery.versions"):
            assert await notes.note([replaced(first, comment=None)]) == 1
        assert len(api.requests) == 2  # tried, with its retry
    assert [p.text for p in replies(chat, EN)] == ["v2, 2024-04-29"]
    assert "noted without" in caplog.text


async def test_no_card_of_an_older_version_no_request_to_arxiv(arxiv, store):
    chat = RecordingChat()
    first = (await digest(arxiv, store, chat, subscribe(store, EN), "en"))[0].arxiv_id
    with ArxivFeedServer([api_version("2404.99999"), api_version(first, 1)]) as api:
        notes = VersionNotes(store, {"recording": chat}, arxiv_source(api.url))
        report = [replaced("2404.99999", comment=None), replaced(first, version=1, comment=None)]
        assert await notes.note(report) == 0
        assert await notes.note([]) == 0
        assert api.requests == []
    assert replies(chat, EN) == []


async def test_arxiv_answers_id_list_by_version_in_the_order_asked():
    entries = [api_version("2404.20001", 1, comment="v1"), api_version("2404.20001", 2, comment="v2"),
               api_version("2404.20002", 3, comment="other")]  # fmt: skip
    with ArxivFeedServer(entries) as api:
        source = arxiv_source(api.url)
        papers = await source.aby_ids(["2404.20002v3", "2404.20001v1", "2404.20001", "2404.77777v1"])
    assert [(p.versioned_id, p.comment) for p in papers] == [("2404.20002v3", "other"), ("2404.20001v2", "v2")]
    # 2404.20001v1 and 2404.20001 (its latest) are one paper twice: the highest kept, as a search keeps it.
