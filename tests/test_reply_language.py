"""Replies in the reader's language, through each platform's real dispatch.

Slack: the user's ``users.info`` locale (asked with ``include_locale``), else the
channel's subscriptions' language. Discord: the interaction's ``locale``. Thread
replies: the question's language where its script tells, else the card's.
"""

from __future__ import annotations

from datetime import time

import discord
import pytest

from bot.ack import answer_command
from bot.command_text import MESSAGES, REPLIES
from bot.commands import help_text
from bot.discord.texts import say as discord_say
from bot.handlers import Reply
from bot.locales import language_of
from bot.slack.blocks import escape
from bot.slack.texts import say as slack_say
from tests.discord_fixtures import world as discord_world
from tests.engine_fixtures import WEEK
from tests.fakes.slack_requests import app_mention, event_callback
from tests.slack_fixtures import CHANNEL, SECRET, world as slack_world
from tests.test_ack_deadlines import Recorded, reply_after
from tests.test_discord_commands import content, ephemeral
from tests.test_slack_app import replies, run_command


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("ja-JP", "ja"), ("ja", "ja"), ("en-US", "en"), ("en-GB", "en"), ("zh-CN", "zh"), ("ko", "ko"),
        ("de", "de"), ("fr", "fr"), ("es-ES", "es"), ("es-419", "es"), ("en_US", "en"),
        ("zh-TW", None), ("zh-HK", None), ("pt-BR", None), ("", None), (None, None),
        (discord.Locale.japanese, "ja"), (discord.Locale.taiwan_chinese, None),
    ],
)
def test_a_platform_locale_is_a_reader_language_or_none(locale, language):
    assert language_of(locale) == language


async def test_the_failure_text_of_work_is_asked_for_only_when_work_fails():
    """Adapters give the text as a function: by then the reply has told them the invoker's language."""
    asked: list[str] = []

    async def failed() -> str:
        asked.append("asked")
        return slack_say("ja", "failed")

    async def fails(update):
        raise RuntimeError("arXiv fell over")

    async def works(update):
        return "done"

    for work, final in ((works, "done"), (fails, slack_say("ja", "failed"))):
        shown = Recorded()
        await answer_command(reply_after(0, Reply("working", work=work)), shown, budget=0.5, failed=failed, what="t")
        assert shown.shown()[-1] == ("finish", final)
    assert asked == ["asked"]


# -- Slack ----------------------------------------------------------------------------


@pytest.fixture
def w(tmp_path):
    with slack_world(tmp_path) as built:
        yield built


def subscribe_channel(w, language):
    return w.store.add_subscription(
        CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC", language=language, max_papers=3, created_by="U1"
    )


async def test_a_japanese_slack_user_gets_japanese_help_errors_and_confirmations(w):
    w.slack.add_user("U0USER", locale="ja-JP")
    assert (await run_command(w, "help"))["text"] == escape(help_text("ja"))
    error = await run_command(w, "subscribe synthetic data day=someday")
    assert error["text"] == escape(MESSAGES.text("ja", "bad_day", value="someday"))
    unknown = await run_command(w, "subscrbe x")
    assert unknown["text"].startswith("`subscrbe` は /arxiv のサブコマンドではありません。`subscribe` のことですか？")
    # The confirmation is the invoker's; the digests are in the lang= asked for.
    done = await run_command(w, "subscribe synthetic data lang=en")
    assert done["text"].startswith("このチャンネルで *synthetic data* を購読しました (購読 1): 毎週 月曜 09:00 Asia/Tokyo に")
    assert "(言語: 英語)。次回: 月曜 2024-04-29 09:00 JST。" in done["text"]  # the schedule in the reader's words
    assert w.store.list_subscriptions()[0].language == "en"
    [call] = w.slack.calls_to("users.info")  # asked once, then cached
    assert call.params["include_locale"] in ("1", "true", True)


async def test_an_english_slack_user_gets_english_in_a_japanese_channel(w):
    subscribe_channel(w, "ja")
    w.slack.add_user("U0USER", locale="en-US")
    assert (await run_command(w, "help"))["text"] == escape(help_text("en"))
    listed = await run_command(w, "list")
    assert listed["text"].startswith("1. *synthetic data*") and "Next:" in listed["text"]
    error = await run_command(w, "unsubscribe x")
    assert error["text"] == escape(MESSAGES.text("en", "bad_id", value="x", sub="unsubscribe"))


@pytest.mark.parametrize("known", [False, True], ids=["users.info fails", "no locale field"])
async def test_a_slack_user_of_unknown_locale_gets_the_channel_s_language(w, known):
    if known:
        w.slack.add_user("U0USER")  # users.info answers, without a locale
    subscribe_channel(w, "ja")
    assert (await run_command(w, "help"))["text"] == escape(help_text("ja"))
    error = await run_command(w, "now 99")
    assert error["text"] == escape(REPLIES.text("ja", "not_here", id=99))
    # A channel with no subscription: the settings' default language (English in these tests).
    other = await run_command(w, "list", channel="C0OTHER")
    assert other["text"] == escape(REPLIES.text("en", "no_subscriptions"))


async def test_a_slack_thread_reply_follows_the_card_s_language(w):
    sub = subscribe_channel(w, "ja")
    run = await w.deliverer.run(sub, WEEK, "k1")
    assert run.state == "done"
    _, first, *_ = [row.message_id for row in w.store.deliveries("k1")]
    await w.dispatch(event_callback(SECRET, app_mention("", thread_ts=first, channel="C0CHAN")))
    [reply] = await w.slack.until(lambda: replies(w, first))
    assert reply["text"] == escape(slack_say("ja", "empty_question"))


# -- Discord ----------------------------------------------------------------------------


async def test_a_japanese_discord_client_gets_japanese_and_an_english_one_english(tmp_path):
    async with discord_world(tmp_path) as w:
        helped = await w.discord.answered(w.discord.slash("help", locale="ja"))
        assert ephemeral(helped) and content(helped) == help_text("ja")
        error = await w.discord.answered(w.discord.slash("subscribe", topic="x", time="25:00", locale="ja"))
        assert content(error) == MESSAGES.text("ja", "bad_time", value="25:00")
        refused = await w.discord.answered(w.discord.slash("subscribe", topic="cat=cs.CL", locale="ja"))
        assert content(refused).startswith("このトピックはarXivで検索できません: ")
        done = await w.discord.answered(w.discord.slash("subscribe", topic="LLM agents", lang="de", locale="ja"))
        assert content(done).startswith("このチャンネルで *LLM agents* を購読しました")
        outside = await w.discord.answered(w.discord.slash("ask", question="what?", locale="ja"))
        assert content(outside) == discord_say("ja", "ask_outside")

        helped = await w.discord.answered(w.discord.slash("help", locale="en-US"))
        assert content(helped) == help_text("en")
        listed = await w.discord.answered(w.discord.slash("list", locale="en-US"))
        assert "*LLM agents*" in content(listed) and "papers" in content(listed)
        # A locale we have no texts for: the channel's language (its subscription's, German).
        helped = await w.discord.answered(w.discord.slash("help", locale="pt-BR"))
        assert content(helped) == help_text("de")
