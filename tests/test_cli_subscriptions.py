"""`digest-bot subscriptions`: the chat's rules from the command line, through typer's runner
against a private store (and the OpenAI fake for a topic's English terms)."""

from __future__ import annotations

import re
from datetime import time

import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from bot.cli_subscriptions import operator_form
from bot.command_text import MESSAGES, REPLIES
from bot.manage_text import TEXTS
from bot.options import normalized
from digest.models import ChannelRef
from digest.store import open_store
from tests.fakes.openai_server import FakeOpenAI
from tests.test_topic_terms import translator

CHANNEL = "slack:T0TEAM:C0CHAN"


@pytest.fixture
def env(tmp_path):
    return {
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
        "DIGEST_CONFIG_FILE": None,
        "DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "DIGEST_DEFAULTS_TIMEZONE": "UTC",
        "DIGEST_DEFAULTS_LANGUAGE": "en",
        "DIGEST_CHANNELS_MAX_SUBSCRIPTIONS": "2",
    }


def run(env, *args):
    return CliRunner().invoke(app, ["subscriptions", *args], env=env, catch_exceptions=False)


def stored(env):
    store = open_store(env["DIGEST_DATABASE_URL"])
    try:
        return store.list_subscriptions()
    finally:
        store.close()


def test_add_edit_pause_resume_remove_and_list(env):
    added = run(env, "add", CHANNEL, "synthetic", "data", "day=fri", "time=17:30", "max=5")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("Subscribed this channel to synthetic data (subscription 1): 5 papers every Fri 17:30 UTC")
    [sub] = stored(env)
    assert (sub.channel, sub.created_by, sub.weekday, sub.time) == (ChannelRef("slack", "T0TEAM", "C0CHAN"), "operator", 4,
                                                                     time(17, 30))  # fmt: skip
    mine = run(env, "add", "discord:123456789012345678:223456789012345678", "diffusion", "--by", "100000000000000001")
    assert mine.exit_code == 0 and stored(env)[1].created_by == "100000000000000001"
    # The operator counts as an admin: anyone's subscription may be changed.
    edited = run(env, "edit", "2", "topic=LLM agents", "tz=Europe/Berlin", "lang=de")
    assert edited.exit_code == 0, edited.output
    assert edited.stdout.startswith("Changed subscription 2: LLM agents, 10 papers every Mon 09:00 Europe/Berlin, in German.")
    assert run(env, "pause", "2").stdout.startswith("Paused subscription 2 (LLM agents)")
    assert stored(env)[1].paused_by == "operator"
    listing = run(env, "list").stdout
    assert "slack:T0TEAM:C0CHAN\n  1. synthetic data: Fri 17:30 UTC, 5 papers, English. Active. Last digest: none yet." in listing
    assert "discord:123456789012345678:223456789012345678\n  2. LLM agents" in listing
    assert "Paused by the bot's operator" in listing
    assert "2. LLM agents" not in run(env, "list", CHANNEL).stdout
    assert run(env, "resume", "2").stdout.startswith("Resumed subscription 2 (LLM agents). Next digest: Mon ")
    assert run(env, "remove", "1").stdout.startswith("Unsubscribed 1 (synthetic data)")
    assert [s.id for s in stored(env)] == [2] and stored(env)[0].paused is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "slack:T0TEAM", "x"), "'slack:T0TEAM' is not a channel; write slack:<team id>:<channel id>"),
        (("add", "teams:T1:C1", "x"), "'teams:T1:C1' is not a channel"),
        (("add", "discord:abc:123456789", "x"), "'discord:abc:123456789' is not a channel"),
        (("add", CHANNEL, "x", "day=funday"), "day=funday is not a day of the week"),
        (("add", CHANNEL, "x", "zone=UTC"), "zone= is not an option of subscribe. Did you mean tz=?"),
        (("add", CHANNEL, "合成データ"), "合成データ is not in English"),
        (("add", CHANNEL, "Synthetic", "Data"), "This channel already subscribes to synthetic data (subscription 1)"),
        (("edit", "1", "max=500"), "max=500 is out of range"),
        (("edit", "1", "fast"), "edit takes a subscription id, then key=value options; fast is neither."),
        (("edit", "1", 'topic=""'), 'topic= needs a topic, e.g. topic="LLM agents".'),
        (("edit", "9", "max=5"), "there is no subscription 9; `digest-bot subscriptions list` shows them"),
        (("pause", "9"), "there is no subscription 9"),
        (("remove", "9"), "there is no subscription 9"),
    ],
)
def test_bad_input_is_exit_2_with_the_message_and_changes_nothing(env, args, says):
    assert run(env, "add", CHANNEL, "synthetic data").exit_code == 0
    before = stored(env)
    result = run(env, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {says}")
    assert stored(env) == before


def test_the_channel_limit_holds_from_the_command_line_too(env):
    for topic in ("synthetic data", "diffusion"):
        assert run(env, "add", CHANNEL, topic).exit_code == 0
    full = run(env, "add", CHANNEL, "agents")
    assert full.exit_code == 2 and "This channel already holds 2 subscriptions, the most it may (2)" in full.stderr
    assert run(env, "add", "slack:T0TEAM:C0OTHER", "agents").exit_code == 0


def test_a_topic_in_another_language_gets_english_terms_from_the_llm(env):
    with FakeOpenAI(responder=translator()) as fake:
        result = run({**env, "OPENAI_BASE_URL": fake.base_url}, "add", CHANNEL, "合成データ")
        assert fake.count == 1
    assert result.exit_code == 0, result.output
    assert "Searching arXiv for: synthetic data." in result.stdout
    assert stored(env)[0].search_terms == "synthetic data"


class _Any(dict):
    def __missing__(self, key):
        return "X"


def _english(catalog):
    return [(key, text.format_map(_Any())) for key, text in catalog.english.items()]


@pytest.mark.parametrize(
    ("key", "reply"),
    [*_english(MESSAGES), *_english(REPLIES), *_english(TEXTS)],
)
def test_every_chat_reply_reads_in_the_operators_form(key, reply):
    shown = operator_form(reply, CHANNEL)
    assert not re.search(r"/arxiv (edit|pause|resume|unsubscribe|list|subscribe)\b", shown), (key, shown)
    assert "`" not in shown and not re.search(r"\*\S", shown), (key, shown)


def test_operator_form_names_the_command_line():
    assert operator_form("Change that one with `/arxiv edit 1`, or `/arxiv unsubscribe <id>` (`/arxiv list`).") == (
        "Change that one with digest-bot subscriptions edit 1, or digest-bot subscriptions remove <id> "
        "(digest-bot subscriptions list)."
    )
    assert operator_form("e.g. /arxiv subscribe x", CHANNEL) == f"e.g. digest-bot subscriptions add {CHANNEL} x"
    assert operator_form("*LLM agents* until `/arxiv resume 2`; `/arxiv pause 2`") == (
        "LLM agents until digest-bot subscriptions resume 2; digest-bot subscriptions pause 2"
    )


def test_the_command_lines_replies_name_its_own_commands_without_chat_markup(env):
    assert run(env, "add", CHANNEL, "LLM agents").stdout.startswith("Subscribed this channel to LLM agents (subscription 1)")
    duplicate = run(env, "add", CHANNEL, "llm agents")
    assert "Change that one with digest-bot subscriptions edit 1, or choose another topic." in duplicate.stderr
    paused = run(env, "pause", "1").stdout
    assert paused.startswith("Paused subscription 1 (LLM agents): no digests until digest-bot subscriptions resume 1.")
    again = run(env, "pause", "1").stdout
    assert again.startswith("Subscription 1 (LLM agents) is already paused (Paused by the bot's operator)")
    assert "paused by operator" not in again
    bad_id = run(env, "edit", "--", "-1", "day=mon")
    assert bad_id.exit_code == 2 and "e.g. digest-bot subscriptions edit 3" in bad_id.stderr
    assert "/arxiv" not in bad_id.stderr
    assert run(env, "add", CHANNEL, "diffusion").exit_code == 0
    full = run(env, "add", CHANNEL, "agents")
    assert f"digest-bot subscriptions remove <id> (digest-bot subscriptions list {CHANNEL} shows them)" in full.stderr
    for shown in (duplicate.stderr, paused, again, bad_id.stderr, full.stderr, run(env, "list").stdout):
        assert "*" not in shown and "/arxiv" not in shown and "`" not in shown


def test_full_width_letters_are_read_as_the_letters_they_are(env):
    added = run(env, "add", CHANNEL, "ＬＬＭ\u200b agents", "terms=ｄｉｆｆｕｓｉｏｎ")
    assert added.exit_code == 0, added.output
    [sub] = stored(env)
    assert (sub.topic, sub.search_terms) == ("LLM agents", "diffusion")
    edited = run(env, "edit", "1", "topic=ｓｙｎｔｈｅｔｉｃ ｄａｔａ")  # English once NFKC'd: no LLM asked
    assert edited.exit_code == 0, edited.output
    assert stored(env)[0].topic == "synthetic data"


def test_normalized_keeps_japanese_and_widens_half_width_katakana():
    assert normalized("合成データ　生成") == "合成データ 生成"  # full-width kana, kanji, ideographic space
    assert normalized("ｺﾞｳｾｲﾃﾞｰﾀ") == "ゴウセイデータ"
    assert normalized("ＬＬＭ\u200b ａｇｅｎｔｓ") == "LLM agents"
