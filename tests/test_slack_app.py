"""The Slack app through bolt's real dispatcher: signed slash commands and events, the fake Web API.

Work after the ack runs in the background, so its effects are polled with ``until``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from datetime import time

import pytest

from bot.slack.app import build_slack_app
from bot.slack.texts import say
from tests.engine_fixtures import WEEK, llm_client
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.qa_model import _blocks, reader
from tests.fakes.slack_requests import (
    app_mention,
    event_callback,
    message_event,
    redelivered,
    slash_command,
    stale,
    tampered,
    unsigned,
    wrong_secret,
)
from tests.slack_fixtures import CHANNEL, SECRET, world


QUOTED = "No answer written (no LLM is configured). The passages of the paper that best match your question, quoted:"
ABSTRACT_ONLY = "(Answered from the abstract only: arXiv has no readable full text of this paper.)"


@pytest.fixture
def w(tmp_path):
    with world(tmp_path) as built:
        yield built


def command(w, text, *, user="U0USER", channel="C0CHAN", response="1", escaped=True):
    return slash_command(
        SECRET, text, user_id=user, channel_id=channel, response_url=w.slack.response_url(response), escaped=escaped
    )


async def run_command(w, text, **options):
    """The ack's JSON body ({} when it carries nothing)."""
    response = await w.dispatch(command(w, text, **options))
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


async def finished(w, response="1", count=None):
    """The response_url posts once the work after the ack has written its result."""

    def done():
        posts = w.slack.responses(response)
        last = posts[-1] if posts else {}
        if count is not None:
            return posts if len(posts) >= count else None
        return posts if last.get("delete_original") or (len(posts) > 1 and "…" not in last.get("text", "…")) else None

    return await w.slack.until(done, timeout=10)


def keys(w, channel="C0CHAN"):
    return [m["metadata"]["event_payload"]["key"] for m in w.slack.messages(channel) if "metadata" in m]


# -- commands -----------------------------------------------------------------------


async def test_help_rides_on_the_ack_escaped_for_slack(w):
    ack = await run_command(w, "help")
    assert ack["response_type"] == "ephemeral"
    assert "`/arxiv subscribe &lt;topic&gt; [day=mon]" in ack["text"]  # not a Slack link
    assert await run_command(w, "") == ack
    assert w.slack.responses("1") == [] and w.store.list_subscriptions() == []


async def test_subscribe_list_unsubscribe_in_the_owning_channel_only(w):
    ack = await run_command(w, "subscribe synthetic data day=fri time=18:30 tz=Europe/Berlin lang=en max=5")
    assert ack["response_type"] == "in_channel"
    assert ack["text"].startswith("Subscribed this channel to *synthetic data* (subscription 1): 5 papers every Fri 18:30")
    [sub] = w.store.list_subscriptions()
    assert (sub.channel, sub.tz, sub.time, sub.created_by) == (CHANNEL, "Europe/Berlin", time(18, 30), "U0USER")
    assert (await run_command(w, "list", channel="C0OTHER"))["text"].startswith("This channel has no subscriptions")
    assert (await run_command(w, "list"))["text"].startswith("1. *synthetic data*: Fri 18:30 Europe/Berlin, 5 papers")
    elsewhere = await run_command(w, "unsubscribe 1", channel="C0OTHER")
    assert elsewhere["text"].startswith("Subscription 1 is not one of this channel's")
    assert (await run_command(w, "now 1", channel="C0OTHER"))["text"].startswith("Subscription 1 is not one")
    gone = await run_command(w, "unsubscribe 1")
    assert gone["response_type"] == "in_channel" and gone["text"].startswith("Unsubscribed 1 (*synthetic data*)")
    assert w.store.list_subscriptions() == [] and w.slack.messages("C0CHAN") == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("subscribe synthetic data tz=Mars/Olympus", "`tz=Mars/Olympus` is not a time zone I know."),
        ("subscribe synthetic data time=25:00", "`time=25:00` is not a time"),
        ("subscribe synthetic data day=funday", "`day=funday` is not a day of the week"),
        ("subscribe synthetic data lang=xx", "`lang=xx` is not a supported language"),
        ("subscribe synthetic data max=500", "`max=500` is out of range"),
        ("subscribe synthetic data zone=UTC", "`zone=` is not an option of subscribe. Did you mean `tz=`?"),
        ("subscribe", "subscribe needs a topic"),
        ("subscribe cat:cs.CL AND", "That topic cannot be searched on arXiv"),
        ("subscibe synthetic data", "`subscibe` is not an /arxiv subcommand. Did you mean `subscribe`?"),
        ("unsubscribe", "unsubscribe needs a subscription id"),
        ("unsubscribe x", "`x` is not a subscription id"),
        ("unsubscribe 7", "Subscription 7 is not one of this channel's"),
        ("list all", "list takes nothing after it; remove `all`."),
        ("now 7", "Subscription 7 is not one of this channel's"),
        ("now", "This channel has no subscriptions yet."),
        ("paper", "paper needs an arXiv id or link"),
        ("paper 2404.999999", "`2404.999999` is not an arXiv id or link"),
    ],
)
async def test_bad_input_is_explained_ephemerally_and_changes_nothing(w, text, says):
    ack = await run_command(w, text)
    assert ack["response_type"] == "ephemeral" and ack["text"].startswith(says), ack["text"]
    assert w.store.list_subscriptions() == [] and w.slack.messages("C0CHAN") == []


async def test_now_posts_twelve_cards_in_order_with_one_progress_message(w):
    await run_command(w, "subscribe synthetic data max=12")
    assert await run_command(w, "now") == {}  # the ack carries nothing: the progress message follows
    assert await finished(w) == [
        {"text": "Building the digest of *synthetic data* (… ~ …)…", "response_type": "ephemeral"},
        {
            "text": "Building the digest of *synthetic data* (2024-04-19 ~ 2024-04-25)…",
            "response_type": "ephemeral",
            "replace_original": True,
        },
        {
            "text": "Posted the digest of *synthetic data*: 12 new paper(s) of 12.",
            "response_type": "ephemeral",
            "replace_original": True,
        },
    ]
    [run] = w.store.runs(subscription_id=1)
    assert keys(w) == [f"{run.key}#{i}" for i in range(13)]
    rows = w.store.deliveries(run.key)
    messages = w.slack.messages("C0CHAN")
    assert all(row.arxiv_id in message["text"] for row, message in zip(rows[1:], messages[1:]))
    assert [row.message_id for row in rows] == [m["ts"] for m in messages]


async def test_progress_keeps_within_the_five_posts_a_response_url_takes(w):
    for topic in ("synthetic data", "data synthesis", "synthetic corpora", "generated data", "fake data"):
        await run_command(w, f"subscribe {topic} max=2")
    await run_command(w, "now")
    posts = await finished(w, count=5)
    await asyncio.sleep(0.2)
    assert len(w.slack.responses("1")) == 5  # the first, three updates, the result
    assert posts[-1]["text"].startswith("Posted the digest of *synthetic data*: 2 new paper(s)")
    assert posts[-1]["text"].count("Posted the digest") == 5


async def test_a_429_mid_digest_still_posts_every_card_once_in_order(w):
    await run_command(w, "subscribe synthetic data max=12")
    w.slack.script([("ok",)] * 5 + [("ratelimited", 0)], channel="C0CHAN")
    await run_command(w, "now")
    assert (await finished(w))[-1]["text"] == "Posted the digest of *synthetic data*: 12 new paper(s) of 12."
    [run] = w.store.runs(subscription_id=1)
    assert keys(w) == [f"{run.key}#{i}" for i in range(13)]
    assert [c.status for c in w.slack.calls_to("chat.postMessage")].count(429) == 1


async def test_a_channel_the_bot_is_not_in_pauses_the_subscription(w):
    w.slack.add_channel("C0CHAN", is_member=False)
    await run_command(w, "subscribe synthetic data")
    await run_command(w, "now")
    final = (await finished(w))[-1]["text"]
    assert final.startswith("The digest of *synthetic data* stopped: Slack chat.postMessage in C0CHAN:")
    listing = (await run_command(w, "list", response="2"))["text"]
    assert "Paused by the bot: Slack chat.postMessage in C0CHAN: the bot is not a member of this channel" in listing
    assert listing.endswith("once that is fixed, `/arxiv resume 1`. Last digest: none yet. Next: none while paused.")
    # Someone else may not resume it; its subscriber may, once the bot is in the channel.
    other = await run_command(w, "resume 1", user="U0OTHER", response="3")
    assert other["text"].startswith("Subscription 1 is U0USER's") and w.store.get_subscription(1).paused
    w.slack.add_channel("C0CHAN", is_member=True)
    resumed = await run_command(w, "resume 1", response="4")
    assert resumed["response_type"] == "in_channel"
    assert resumed["text"] == "Resumed subscription 1 (*synthetic data*). Next digest: Mon 2024-04-29 09:00 JST."
    assert w.store.get_subscription(1).paused is None
    assert ". Active. Last digest: none yet. Next: Mon 2024-04-29" in (await run_command(w, "list", response="5"))["text"]


async def test_paper_posts_one_card_from_an_escaped_link_and_removes_the_progress(w):
    # Slack sends what the user typed with <, > and & escaped; the link must survive that.
    ack = await run_command(w, "paper <https://arxiv.org/abs/2404.20001v1>")
    assert ack == {}
    text = command(w, "paper <https://arxiv.org/abs/2404.20001v1>").payload["text"]
    assert text == "paper &lt;https://arxiv.org/abs/2404.20001v1&gt;"
    assert await finished(w) == [
        {"text": "Fetching arXiv 2404.20001…", "response_type": "ephemeral"},
        {"text": "", "delete_original": True},  # nothing to add: the card is in the channel
    ]
    [card] = w.slack.messages("C0CHAN")
    assert keys(w) == ["paper:slack:T0TEAM:C0CHAN:2404.20001#1"] and "Synthetic data for task 0" in card["text"]


async def test_admins_only_checks_admins_and_the_allow_list(tmp_path):
    with world(tmp_path, admins_only=True, allowed_users=["UFRIEND"]) as w:
        w.slack.add_user("UPLAIN")
        w.slack.add_user("UADMIN", is_admin=True)
        refused = await run_command(w, "subscribe synthetic data", user="UPLAIN")
        assert refused["text"].startswith("Only workspace admins") and w.store.list_subscriptions() == []
        assert (await run_command(w, "list", user="UPLAIN"))["text"].startswith("This channel has no")
        assert len(w.slack.calls_to("users.info")) == 1  # each person is looked up once (bot.slack.members.TTL)
        assert (await run_command(w, "subscribe synthetic data", user="UADMIN"))["response_type"] == "in_channel"
        assert (await run_command(w, "subscribe diffusion", user="UFRIEND"))["response_type"] == "in_channel"
        assert len(w.slack.calls_to("users.info")) == 3
        # Not theirs, and no admin: refused, nothing changed (UFRIEND is on the allow-list: an admin).
        assert (await run_command(w, "unsubscribe 1", user="UNOBODY"))["text"].startswith("Subscription 1 is UADMIN's")
        assert (await run_command(w, "unsubscribe 1", user="UFRIEND"))["text"].startswith("Unsubscribed 1")
        assert len(w.store.list_subscriptions()) == 1


async def test_a_slow_command_is_acked_empty_and_answered_by_response_url(tmp_path):
    with world(tmp_path, admins_only=True) as w:
        w.slack.add_user("UADMIN", is_admin=True)
        w.slack.script([("ratelimited", 3)], method="users.info")  # waited out: past the ack budget
        assert await run_command(w, "subscribe synthetic data", user="UADMIN") == {}
        [post] = await w.slack.until(lambda: w.slack.responses("1"), timeout=10)
        assert post["response_type"] == "in_channel" and post["text"].startswith("Subscribed this channel")


@pytest.mark.parametrize("spoil", [tampered, lambda r: stale(r, SECRET), unsigned, wrong_secret])
async def test_unverified_requests_are_rejected_before_any_handler(w, spoil):
    for request in (
        command(w, "subscribe synthetic data"),
        event_callback(SECRET, app_mention("what?", thread_ts="1.000001", channel="C0CHAN")),
    ):
        assert (await w.dispatch(spoil(request))).status == 401
    assert w.store.list_subscriptions() == [] and w.slack.calls == []  # not even auth.test


# -- questions in card threads -----------------------------------------------------


async def deliver(w, cards=3):
    sub = w.store.add_subscription(
        CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC", language="en", max_papers=cards, created_by="U1"
    )
    run = await w.deliverer.run(sub, WEEK, "k1")
    assert run.state == "done"
    return [row.message_id for row in w.store.deliveries("k1")]  # header, then the cards


def replies(w, thread_ts):
    return [m for m in w.slack.messages("C0CHAN") if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]


async def test_a_question_in_a_card_thread_is_answered_once_despite_redelivery(w):
    header, first, second, _ = await deliver(w)
    mention = event_callback(
        SECRET, app_mention("which corpus do they train on?", thread_ts=second, channel="C0CHAN"), event_id="Ev1"
    )
    assert (await w.dispatch(mention)).status == 200
    [answer] = await w.slack.until(lambda: replies(w, second))
    head, quote, note = answer["text"].splitlines()
    assert head == QUOTED  # no LLM in this world: the best passage is quoted, and labelled so
    assert quote.startswith("&gt; [Abstract] ") and "We train on the public Pile corpus." in quote
    assert note == ABSTRACT_ONLY  # the made-up paper has no full text on (fake) arXiv
    for attempt in (1, 2):
        assert (await w.dispatch(redelivered(mention, SECRET, attempt=attempt))).status == 200
    await asyncio.sleep(0.3)  # time enough for a second answer, were there one
    assert len(replies(w, second)) == 1 and w.store.claim_event("slack", "Ev1") is False


async def test_other_threads_bots_and_plain_replies_are_ignored(w):
    header, first, *_ = await deliver(w)
    posted = len(w.slack.calls_to("chat.postMessage"))
    for event in (
        app_mention("about the header?", thread_ts=header, channel="C0CHAN"),
        app_mention("a thread of no card", thread_ts="1714000000.000100", channel="C0CHAN"),
        app_mention("not in a thread", channel="C0CHAN"),
        message_event("a reply without a mention", thread_ts=first, channel="C0CHAN"),  # answer_all_replies off
    ):
        assert (await w.dispatch(event_callback(SECRET, event))).status == 200
    answered = event_callback(SECRET, app_mention("what is new?", thread_ts=first, channel="C0CHAN"))
    await w.dispatch(answered)
    await w.slack.until(lambda: replies(w, first))
    assert len(w.slack.calls_to("chat.postMessage")) == posted + 1


async def test_with_answer_all_replies_any_reply_is_a_question_but_bots_are_not(tmp_path):
    with world(tmp_path, answer_all_replies=True) as w:
        header, first, *_ = await deliver(w)
        for event in (
            message_event("from another bot", user=None, bot_id="B0OTHER", thread_ts=first, channel="C0CHAN"),
            message_event("edited", subtype="message_changed", thread_ts=first, channel="C0CHAN"),
            message_event("a top-level message", channel="C0CHAN"),
        ):
            await w.dispatch(event_callback(SECRET, event))
        # A reply that mentions the bot arrives twice (message and app_mention): one answer.
        both = "<@U0BOT> does it use the Pile?"
        await w.dispatch(event_callback(SECRET, message_event(both, thread_ts=first, channel="C0CHAN")))
        await w.dispatch(event_callback(SECRET, app_mention("does it use the Pile?", thread_ts=first, channel="C0CHAN")))
        await w.slack.until(lambda: replies(w, first))
        await w.dispatch(event_callback(SECRET, message_event("and the accuracy?", thread_ts=first, channel="C0CHAN")))
        await w.slack.until(lambda: len(replies(w, first)) == 2)
        # ">" is escaped like everything else; Slack stores quotes as "&gt;" and shows them as quotes.
        quote = replies(w, first)[1]["text"].splitlines()[1]
        assert quote.startswith("&gt; [Abstract] ") and "It improves accuracy by 1 points on three benchmarks." in quote


def echo_title(body):
    """A model that repeats the paper's title (a title can say anything) and links somewhere."""
    title = re.search(r"^Paper: (.*) \(arXiv ", body["messages"][1]["content"], re.M).group(1)
    return {"answer": f"{title}, see <https://evil.example|click>", "citations": ["Abstract"], "found": True}


async def test_llm_answers_are_escaped_so_they_cannot_ping(tmp_path):
    with FakeOpenAI(responder=echo_title) as fake:
        llm = llm_client(fake.base_url)
        with world(tmp_path, papers=1, llm=llm, titles={0: "Synthetic data <!channel> <@U0BOSS> <!here>"}) as w:
            header, card = await deliver(w, cards=1)
            await w.dispatch(event_callback(SECRET, app_mention("summary?", thread_ts=card, channel="C0CHAN")))
            [answer] = await w.slack.until(lambda: replies(w, card))
        await llm.aclose()
    # The engine unwraps the mentions, the adapter escapes what is left: no ping, no link.
    first = answer["text"].splitlines()[0]
    assert first == "Synthetic data !channel @U0BOSS !here, see &lt;https://evil.example|click&gt; (Abstract)"
    assert "<!" not in json.dumps(w.slack.messages("C0CHAN")) and fake.count == 1
    assert not re.search(r"<[@#h]", json.dumps(replies(w, card)))


# -- a slow answer: a placeholder first --------------------------------------------


async def test_a_slow_answer_replaces_a_placeholder_posted_first(tmp_path):
    with world(tmp_path, placeholder_after=0) as w:
        header, card = await deliver(w, cards=1)
        posted = len(w.slack.calls_to("chat.postMessage"))
        await w.dispatch(event_callback(SECRET, app_mention("which corpus do they train on?", thread_ts=card)))
        [update] = await w.slack.until(lambda: w.slack.calls_to("chat.update"))
        [placeholder] = w.slack.calls_to("chat.postMessage")[posted:]
        assert placeholder.params["thread_ts"] == card and placeholder.params["text"] == "Reading the paper…"
        [reply] = replies(w, card)  # one message in the thread: the placeholder, now the answer
        assert update.params["ts"] == reply["ts"] and update.params["channel"] == "C0CHAN"
        assert update.params["text"] == reply["text"] and "edited" in reply
        assert reply["text"].splitlines()[0] == QUOTED and "Pile corpus" in reply["text"]


async def test_the_placeholder_is_in_the_question_s_language(tmp_path):
    with world(tmp_path, placeholder_after=0) as w:
        header, card = await deliver(w, cards=1)
        await w.dispatch(event_callback(SECRET, app_mention("どのコーパスで学習しましたか？", thread_ts=card)))
        await w.slack.until(lambda: w.slack.calls_to("chat.update"))
        placeholder = w.slack.calls_to("chat.postMessage")[-1].params
        assert placeholder["text"] == "論文を読んでいます…"
        assert replies(w, card)[0]["text"].startswith("回答は作成していません")  # the answer is in Japanese too


async def test_a_fast_answer_is_posted_directly_without_a_placeholder(w):
    assert w.settings.placeholder_after == 1.5  # the default; a quoted abstract takes milliseconds
    header, card, *_ = await deliver(w)
    posted = len(w.slack.calls_to("chat.postMessage"))
    await w.dispatch(event_callback(SECRET, app_mention("which corpus do they train on?", thread_ts=card)))
    [reply] = await w.slack.until(lambda: replies(w, card))
    [call] = w.slack.calls_to("chat.postMessage")[posted:]
    assert call.params["text"] == reply["text"] and reply["text"].splitlines()[0] == QUOTED
    assert w.slack.calls_to("chat.update") == [] and "edited" not in reply


async def test_an_answer_whose_placeholder_cannot_be_edited_is_posted_as_a_new_reply(tmp_path):
    with world(tmp_path, placeholder_after=0) as w:
        header, card = await deliver(w, cards=1)
        w.slack.script([("error", "edit_window_closed")], method="chat.update")
        await w.dispatch(event_callback(SECRET, app_mention("which corpus do they train on?", thread_ts=card)))
        placeholder, answer = await w.slack.until(lambda: len(replies(w, card)) == 2 and replies(w, card))
        [update] = w.slack.calls_to("chat.update")
        assert update.params["ts"] == placeholder["ts"] and placeholder["text"] == "Reading the paper…"
        assert answer["text"] == update.params["text"] and answer["text"].splitlines()[0] == QUOTED


class BrokenQA:
    """A Q&A service whose every answer fails (whatever it raises, the thread hears back)."""

    writes = False

    async def answer(self, question):
        raise RuntimeError("the database went away")


async def test_a_failed_answer_replaces_the_placeholder_with_an_apology(tmp_path):
    with world(tmp_path, placeholder_after=0) as w:
        header, card = await deliver(w, cards=1)
        app = build_slack_app(w.settings, w.handlers, w.store, w.port, BrokenQA())
        await dataclasses.replace(w, app=app).dispatch(event_callback(SECRET, app_mention("why?", thread_ts=card)))
        await w.slack.until(lambda: w.slack.calls_to("chat.update"))
        [reply] = replies(w, card)
        assert reply["text"] == say("en", "answer_failed") and "edited" in reply


# -- comparing papers of one digest ------------------------------------------------

TITLES = {0: "Synthetic data on phones", 1: "Synthetic data for robots", 2: "Synthetic music data",
          3: "Synthetic chemistry data"}


async def test_a_comparison_question_sees_the_other_cards_of_the_same_digest_only(tmp_path):
    with FakeOpenAI(responder=reader) as fake:
        llm = llm_client(fake.base_url)
        with world(tmp_path, papers=4, llm=llm, titles=TITLES) as w:
            for key in ("k1", "k2"):  # two digests in one channel: two papers each, none twice
                sub = w.store.add_subscription(
                    CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC", language="en", max_papers=2,
                    created_by="U1",
                )
                assert (await w.deliverer.run(sub, WEEK, key)).state == "done"
            _, asked, other = w.store.deliveries("k1")
            later = [d.arxiv_id for d in w.store.deliveries("k2")[1:]]
            papers = w.store.get_papers((d.arxiv_id, d.version) for d in (asked, other)).values()
            title = {paper.arxiv_id: paper.title for paper in papers}
            question = "How does it differ from the phones, robots, music and chemistry papers?"
            await w.dispatch(event_callback(SECRET, app_mention(question, thread_ts=asked.message_id)))
            await w.slack.until(lambda: replies(w, asked.message_id))
        await llm.aclose()
    others = _blocks(fake.requests[-1]["messages"][1]["content"])["other_papers"]
    assert others.startswith(f'Digest card of "{title[other.arxiv_id]}" (arXiv {other.arxiv_id}v1): ')
    assert len(others.splitlines()) == 1 and title[asked.arxiv_id] not in others
    assert not any(arxiv_id in others for arxiv_id in later) and len(later) == 2  # the other digest's cards
