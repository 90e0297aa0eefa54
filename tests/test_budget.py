"""LLM tokens per subscription and month, and the monthly budget: recorded through the real
client against the OpenAI fake, enforced mid-digest (extractive cards, labelled, one
notice a month), shown by ``/arxiv usage`` (Slack and Discord, real dispatch) and by
``digest-bot status``, set by ``edit budget=``."""

from __future__ import annotations

from datetime import date, time

import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from bot.commands import parse
from bot.commands import CommandError
from digest.cards.view import card_view
from digest.delivery.budget import Budgets
from digest.delivery.deliverer import Deliverer
from digest.llm.usage import Account, charged_to, this_month
from digest.models import Card, ChannelRef, Window
from digest.store import open_store
from tests.engine_fixtures import WEEK, llm_client, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.recording_chat import RecordingChat

CHANNEL = ChannelRef("recording", "T1", "C1")
OTHER = ChannelRef("recording", "T1", "C2")
SCHEMA = {"type": "object", "properties": {"terms": {"type": "string"}}, "required": ["terms"]}
MESSAGES = [{"role": "user", "content": "Reply with the JSON object {\"terms\": \"synthetic data\"}."}]


@pytest.fixture
def arxiv():
    with ArxivFeedServer(WEEK_XML) as server:
        yield server


def billed(fake: FakeOpenAI, since: int = 0) -> tuple[int, int]:
    """(prompt, completion) tokens the fake reported in its answers from ``since`` on."""
    usage = [body["usage"] for status, body in fake.answers[since:] if status == 200]
    return sum(u["prompt_tokens"] for u in usage), sum(u["completion_tokens"] for u in usage)


def subscribe(store, channel=CHANNEL, max_papers=5):
    return store.add_subscription(
        channel, "synthetic data", weekday=0, at=time(9), tz="UTC", language="en", max_papers=max_papers, created_by="U1"
    )


async def test_tokens_are_recorded_per_account_through_the_real_client(store):
    with FakeOpenAI() as fake:
        llm = llm_client(fake.base_url)
        llm.usage_sink = store
        try:
            with charged_to(Account(CHANNEL, 7)):  # a block of work, as a digest's cards
                await llm.complete_json(MESSAGES, SCHEMA, "topic_terms")
                await llm.complete_json(MESSAGES, SCHEMA, "topic_terms")
            sub_prompt, sub_completion = billed(fake)
            await llm.complete_json(MESSAGES, SCHEMA, "topic_terms", account=Account(CHANNEL))  # one call, named
            own = billed(fake, since=2)
            await llm.complete_json(MESSAGES, SCHEMA, "topic_terms")  # no account: counted, not recorded
        finally:
            await llm.aclose()
    assert sub_prompt > 0 and sub_completion > 0
    usage = {u.subscription_id: u for u in store.usage_of(this_month(), CHANNEL)}
    assert set(usage) == {0, 7}
    assert (usage[7].prompt_tokens, usage[7].completion_tokens, usage[7].calls) == (sub_prompt, sub_completion, 2)
    assert (usage[0].prompt_tokens, usage[0].completion_tokens, usage[0].calls) == (*own, 1)
    assert store.subscription_tokens(7, this_month()) == sub_prompt + sub_completion
    assert store.usage_of("1999-01") == [] and store.usage_of(this_month(), OTHER) == []
    assert (llm.prompt_tokens, llm.completion_tokens) == billed(fake)  # the client's own counters: every call


async def test_a_budget_reached_mid_digest_turns_the_rest_extractive_with_one_notice(arxiv, store):
    chat = RecordingChat()
    sub = subscribe(store)
    store.update_subscription(sub.id, budget=100)  # fewer tokens than one card: reached by the first
    with FakeOpenAI(latency=0.3) as fake:
        engine = make_engine(arxiv.url, store, fake.base_url)
        engine.summarizer.llm.usage_sink = store
        deliverer = Deliverer(engine, store, {"recording": chat}, budgets=Budgets(monthly_tokens=10**9))
        try:
            await deliverer.run(sub, WEEK, "week1")
            # Under a limit the cards are checked and written one by one: the first one's
            # tokens reach the budget, so the rest are extractive.
            rows = store.deliveries("week1")[1:]
            kinds = [row.text.summarizer for row in rows]
            assert kinds == ["llm:fake-model"] + ["extractive:budget"] * 4
            assert store.subscription_tokens(sub.id, this_month()) == sum(billed(fake)) > 100
            posted = chat.posted(CHANNEL)
            assert [p.kind for p in posted] == ["header", "card", "notice", "card", "card", "card", "card"]
            notice = posted[2].text
            assert "*synthetic data* (#1) has used 90% of its monthly LLM budget (100 tokens)" in notice
            card = Card(store.get_paper(rows[1].arxiv_id, rows[1].version), rows[1].text, 2, rows[1].score)
            assert card_view(card, "synthetic data", "ja", "UTC").note == "アブストラクトからの抽出要約（今月のLLM予算に達したため）"
            asked = fake.count
            # The next run of the month: the channel's remaining papers, extractive, no second notice.
            await deliverer.run(sub, Window(date(2024, 4, 19), date(2024, 4, 25), "UTC"), "week2")
            assert fake.count == asked
            assert [row.text.summarizer for row in store.deliveries("week2")[1:]] == ["extractive:budget"] * 3
            assert [p.kind for p in chat.posted(CHANNEL)].count("notice") == 1
            # Budget cards are never cached: a channel under budget gets the LLM's card.
            other = subscribe(store, OTHER, max_papers=8)
            await deliverer.run(other, WEEK, "other")
            assert {row.text.summarizer for row in store.deliveries("other")[1:]} == {"llm:fake-model"}
        finally:
            await engine.aclose()
    # Card 1 was cached when sub 1 wrote it: the other channel paid for the rest.
    assert store.subscription_tokens(other.id, this_month()) == sum(billed(fake, since=asked))


async def test_a_card_shared_by_two_channels_is_charged_to_the_run_that_wrote_it(arxiv, store):
    first, second = subscribe(store), subscribe(store, OTHER)
    with FakeOpenAI() as fake:
        engine = make_engine(arxiv.url, store, fake.base_url)
        engine.summarizer.llm.usage_sink = store
        deliverer = Deliverer(engine, store, {"recording": RecordingChat()})
        try:
            await deliverer.run(first, WEEK, "first")
            await deliverer.run(second, WEEK, "second")
        finally:
            await engine.aclose()
    assert store.subscription_tokens(first.id, this_month()) == sum(billed(fake)) > 0
    assert store.subscription_tokens(second.id, this_month()) == 0  # the same five cards, cached


def test_edit_budget_is_read_and_checked():
    assert parse("edit 3 budget=500k").fields.budget == 500_000
    assert parse("edit 3 budget=2m").fields.budget == 2_000_000
    assert parse("edit 3 budget=1,000").fields.budget == 1000
    assert parse("edit 3 budget=0").fields.budget == 0
    assert parse("edit 3 budget=default").fields.budget == -1
    for bad in ("lots", "-5", "3g", "9999999999"):
        with pytest.raises(CommandError) as err:
            parse(f"edit 3 budget={bad}")
        assert str(err.value).startswith(f"`budget={bad}` is not a monthly token budget")


def test_a_workspace_budget_and_a_subscription_s_own(store):
    budgets = Budgets(monthly_tokens=1000, workspaces={"T2": 50})
    sub = subscribe(store)
    assert budgets.limit(sub) == 1000
    assert budgets.limit(subscribe(store, ChannelRef("recording", "T2", "C9"))) == 50
    assert budgets.limit(store.update_subscription(sub.id, budget=0)) == 0  # its own: unlimited
    assert not budgets.reached(10**9, 0) and budgets.reached(900, 1000) and not budgets.reached(899, 1000)
    assert budgets.cost(1_000_000, 1_000_000) == pytest.approx(0.15 + 0.60)  # gpt-4o-mini's list price


def test_status_shows_each_subscription_s_tokens_and_cost(tmp_path):
    url = f"sqlite:///{tmp_path / 'status.db'}"
    store = open_store(url)
    sub = subscribe(store)
    subscribe(store, OTHER)  # no tokens yet: a zero, not a blank
    store.update_subscription(sub.id, budget=2_000_000)
    store.record_usage(Account(CHANNEL, sub.id), this_month(), 1_200_000, 400_000)
    store.record_usage(Account(CHANNEL, sub.id), "2020-01", 5, 5)  # another month: not shown
    store.close()
    env = {"DIGEST_CONFIG_FILE": None, "DIGEST_DATABASE_URL": url, "SLACK_BOT_TOKEN": None,
           "SLACK_APP_TOKEN": None, "DISCORD_TOKEN": None, "COLUMNS": "240"}  # fmt: skip
    result = CliRunner().invoke(app, ["status"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "tokens" in result.stdout
    assert "1,600,000 (~$0.42) of 2,000,000" in result.stdout  # 1.2M x $0.15/M + 0.4M x $0.60/M; 80 %: not reached
    assert "0 (~$0.00)" in result.stdout


async def test_usage_and_edit_budget_through_slack_s_dispatch(tmp_path):
    from tests.slack_fixtures import CHANNEL as SLACK_CHANNEL
    from tests.slack_fixtures import world
    from tests.test_manage_slack import run_command

    with world(tmp_path) as w:
        assert (await run_command(w, "usage"))["text"] == "No LLM tokens used in this channel this month (" + this_month() + ", UTC)."
        await run_command(w, "subscribe synthetic data max=3")
        refused = await run_command(w, "edit 1 budget=lots")
        assert refused["text"].startswith("`budget=lots` is not a monthly token budget")
        assert w.store.get_subscription(1).budget is None
        await run_command(w, "edit 1 budget=500k")
        assert w.store.get_subscription(1).budget == 500_000
        w.store.record_usage(Account(SLACK_CHANNEL, 1), this_month(), 300_000, 160_000)
        w.store.record_usage(Account(SLACK_CHANNEL), this_month(), 2000, 1000)  # a thread answer of a paper card
        usage = await run_command(w, "usage")
        assert "response_type" not in usage or usage["response_type"] == "ephemeral"
        assert usage["text"].split("\n") == [
            f"*LLM tokens this month* ({this_month()}, UTC), estimated at $0.00015 / $0.0006 per 1,000 prompt / "
            "completion tokens:",
            "1. *synthetic data*: 460,000 tokens (300,000 prompt + 160,000 completion), ~$0.14; budget 500,000 tokens, "
            "92% used (reached: new cards are extractive until the 1st)",
            "This channel's own (`/arxiv paper` cards and their threads, topics' English terms): 3,000 tokens, ~$0.0009",
            "Total: 463,000 tokens, ~$0.14",
        ]
        await run_command(w, "edit 1 budget=default")
        assert w.store.get_subscription(1).budget is None
        assert "budget unlimited" in (await run_command(w, "usage"))["text"]


async def test_usage_and_edit_budget_through_discord_s_dispatch(tmp_path):
    from tests.discord_fixtures import world
    from tests.fakes.discord_payloads import EPHEMERAL

    async with world(tmp_path) as w:
        sub = w.subscribe()
        edited = await w.discord.answered(w.discord.slash("edit", id=sub.id, budget="2m"))
        assert edited["original"]["content"].startswith(f"Changed subscription {sub.id}")
        assert w.store.get_subscription(sub.id).budget == 2_000_000
        w.store.record_usage(Account(w.channel(), sub.id), this_month(), 10_000, 2_000)
        w.store.record_usage(Account(w.channel("999"), sub.id + 1), this_month(), 7, 7)  # another channel's
        record = await w.discord.answered(w.discord.slash("usage"))
        assert record["original"]["flags"] & EPHEMERAL
        lines = record["original"]["content"].split("\n")
        assert lines[1] == (
            f"{sub.id}. *synthetic data*: 12,000 tokens (10,000 prompt + 2,000 completion), ~$0.0027; "
            "budget 2,000,000 tokens, 1% used"
        )
        assert lines[2:] == ["Total: 12,000 tokens, ~$0.0027"]


def test_the_budget_notice_key_keeps_its_format():
    """Posted notices carry it (found again after a lost reply): a changed format would post twice."""
    from digest.delivery.keys import budget_key

    assert budget_key(3, "2026-11") == "budget:sub3@2026-11"


async def test_a_thread_answer_is_charged_to_the_subscription_whose_digest_posted_the_card(tmp_path):
    from tests.fakes.qa_model import reader
    from tests.fakes.slack_requests import app_mention, event_callback
    from tests.slack_fixtures import CHANNEL as SLACK_CHANNEL
    from tests.slack_fixtures import SECRET
    from tests.slack_fixtures import world as slack_world
    from tests.test_flows import answered

    with FakeOpenAI(responder=reader) as fake:
        llm = llm_client(fake.base_url)
        with slack_world(tmp_path, papers=1, llm=llm) as w:
            llm.usage_sink = w.store
            sub = subscribe(w.store, SLACK_CHANNEL, max_papers=1)
            await w.deliverer.run(sub, WEEK, "k1")  # extractive cards: no LLM in the slack world's engine
            assert fake.count == 0
            [_, card] = [row.message_id for row in w.store.deliveries("k1")]
            await w.dispatch(event_callback(SECRET, app_mention("which corpus?", thread_ts=card, channel="C0CHAN")))
            await w.slack.until(lambda: answered(w, card), timeout=120)
            assert fake.count > 0
            assert w.store.subscription_tokens(sub.id, this_month()) == sum(billed(fake)) > 0
        await llm.aclose()


async def test_a_topic_s_english_terms_are_charged_to_the_channel_then_to_the_subscription(tmp_path):
    from tests.slack_fixtures import CHANNEL as SLACK_CHANNEL
    from tests.slack_fixtures import world
    from tests.test_manage_slack import run_command
    from tests.test_topic_terms import translator

    with FakeOpenAI(responder=translator()) as fake:
        llm = llm_client(fake.base_url)
        try:
            with world(tmp_path, llm=llm) as w:
                llm.usage_sink = w.store
                await run_command(w, "subscribe 合成データ max=5")  # before the subscription exists
                own = sum(billed(fake))
                [sub] = w.store.list_subscriptions()
                await run_command(w, "edit 1 topic=拡散モデル")
                usage = {u.subscription_id: u.tokens for u in w.store.usage_of(this_month(), SLACK_CHANNEL)}
        finally:
            await llm.aclose()
    assert fake.count == 2 and own > 0
    assert usage == {0: own, sub.id: sum(billed(fake, since=1))}
