"""``/arxiv preview`` through Slack's and Discord's real dispatch, against the arXiv fake:
only the asker sees it, nothing reaches the channel or the ledger, and it shows what a
digest of the topic would have picked (compared with one that is then really posted)."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select

from bot.discord.embeds import DESCRIPTION
from bot.commands import PreviewCmd, help_text, parse
from bot.discord.preview import preview_text
from bot.preview_command import LIMITS, slack_length
from config.settings import LANGUAGES
from digest.arxiv.topics import to_query
from digest.models import HEADER
from digest.store.tables import CardRow, CardTextRow, ChannelPaperRow, DeliveryRow, RunRow, SubscriptionRow
from tests.discord_fixtures import world as discord_world
from tests.fakes.discord_payloads import EPHEMERAL
from tests.slack_fixtures import world as slack_world
from tests.test_manage_slack import run_command
from tests.test_slack_app import run_command as ack_of

_responses = itertools.count()
LEDGER = (RunRow, DeliveryRow, ChannelPaperRow, CardRow, CardTextRow, SubscriptionRow)
LINE = re.compile(r"^(\d+)\. `(\d+\.\d\d)` ")


def rows(store) -> dict[str, int]:
    """Rows of every table a digest or a subscription writes (the query cache aside)."""
    with store.engine.connect() as conn:
        return {t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in LEDGER}


def scored(text: str) -> list[tuple[str, float]]:
    """(arXiv id, score) of each paper line of a preview, in order."""
    found = []
    for line in text.splitlines():
        if (match := LINE.match(line)) and (link := re.search(r"arxiv\.org/abs/([0-9.]+)", line)):
            found.append((link.group(1), float(match.group(2))))
    return found


async def on_slack(w, text: str) -> dict:
    """The preview's last word: a refusal on the ack, or the result replacing the progress message."""
    response = f"p{next(_responses)}"
    ack = await ack_of(w, text, response=response)
    if ack:
        return ack

    def done():
        posts = w.slack.responses(response)
        return posts[-1] if posts and not posts[-1].get("text", "").startswith("Previewing") else None

    return await w.slack.until(done, timeout=15)


async def on_discord(w, *, work: bool = True, **options) -> dict:
    """The interaction's record once final: a refusal (``work`` False) or the progress message
    edited twice (the work's progress, then its result)."""
    iid = w.discord.slash("preview", **options)
    record = await w.discord.answered(iid)
    if not work:
        return record

    def done():
        record = w.discord.interaction(iid)
        return record if len(record.get("edits") or []) >= 2 else None

    return await w.discord.until(done, timeout=15)


# -- the grammar -------------------------------------------------------------------------


def test_preview_takes_subscribe_s_options_and_refuses_what_subscribe_refuses():
    command = parse('preview LLM agents max=5 tz=europe/berlin terms="llm agents"')
    assert isinstance(command, PreviewCmd)
    fields = command.fields
    assert (fields.topic, fields.max_papers, fields.tz, fields.terms) == ("LLM agents", 5, "Europe/Berlin", "llm agents")
    assert parse(preview_text("LLM  agents", 5, "llm agents", "Europe/Berlin")) == command

    def error(text: str) -> str:
        with pytest.raises(ValueError) as caught:
            parse(text)
        return caught.value.text("en")  # type: ignore[attr-defined]

    assert error("preview") == "preview needs a topic, e.g. `/arxiv preview synthetic data max=5`."
    assert error("preview synthetic data zone=UTC").startswith("`zone=` is not an option of preview. Did you mean `tz=`?")
    assert error("preview diffusion max=0") == "`max=0` is out of range; write a number from 1 to 100, e.g. max=10."
    assert error("preview cat:cs.CL AND").startswith("That topic cannot be searched on arXiv")


# -- Slack -------------------------------------------------------------------------------


# Titles that rank apart: the phrase twice, once, its words apart, neither.
TITLES = {0: "Graph pruning for task 0", 3: "Synthetic data, synthetic data everywhere", 5: "Data that is synthetic",
          7: "Synthetic data for retrieval", 9: "Sparse attention for task 9"}


async def test_slack_preview_is_the_asker_s_alone_and_is_what_the_digest_then_posts(tmp_path):
    with slack_world(tmp_path, titles=TITLES) as w:
        w.slack.add_user("U0USER")
        reply = await on_slack(w, "preview synthetic data max=3")
        assert reply["response_type"] == "ephemeral"
        text = reply["text"]
        assert text.startswith(
            "Preview of *synthetic data* (2024-04-19 ~ 2024-04-25): 12 paper(s) matched. The 3 a digest of 3 "
            "would pick, with their relevance scores:"
        )
        assert f"arXiv query: `{to_query('synthetic data')}`" in text
        assert text.endswith("Only you can see this; nothing was subscribed or posted.")
        picked = scored(text)
        assert len(picked) == 3 and picked[0][1] > picked[1][1] >= picked[2][1]
        assert text.splitlines()[1] == f"1. `{picked[0][1]:.2f}` Synthetic data, synthetic data everywhere · https://arxiv.org/abs/2404.20004"
        # Nothing in any channel, nothing in the ledger; arXiv was asked for the topic's query.
        assert w.slack.calls_to("chat.postMessage") == [] and rows(w.store) == dict.fromkeys(rows(w.store), 0)
        assert to_query("synthetic data") in w.arxiv.requests[-1].params["search_query"]
        # Truthful: the digest this topic then really posts holds those papers, those scores, that order.
        await run_command(w, "subscribe synthetic data max=3")
        await run_command(w, "now", response="now")
        await w.slack.until(lambda: len(w.slack.messages("C0CHAN")) >= 4, timeout=15)
        rows_of_run = w.store.deliveries(_now_key(w))
        posted = [(row.arxiv_id, round(row.score, 2)) for row in rows_of_run if row.position != HEADER]
        assert posted == picked


def _now_key(w) -> str:
    with w.store.engine.connect() as conn:
        return conn.execute(select(RunRow.key)).scalar_one()


async def test_a_topic_not_in_english_without_an_llm_is_refused_as_subscribe_refuses_it(tmp_path):
    with slack_world(tmp_path) as w:
        asked = len(w.arxiv.requests)
        refused = (await on_slack(w, "preview 合成データ"))["text"]
        assert refused.startswith("*合成データ* is not in English, and arXiv is: it would find nothing.")
        assert refused == (await run_command(w, "subscribe 合成データ"))["text"]  # word for word
        assert len(w.arxiv.requests) == asked and rows(w.store) == dict.fromkeys(rows(w.store), 0)
        given = (await on_slack(w, 'preview 合成データ terms="synthetic data" max=2'))["text"]
        assert given.startswith("Preview of *合成データ* (2024-04-19 ~ 2024-04-25): 12 paper(s) matched. The 2 ")
        assert "Searched by the English terms `synthetic data`." in given and len(scored(given)) == 2


async def test_many_matches_fit_slack_s_limit_and_say_how_many_were_left_out(tmp_path):
    long = {i: f"Synthetic data & <tasks> {i}: " + "a rather long title about data generation " * 4 for i in range(100)}
    with slack_world(tmp_path, 100, titles=long) as w:
        text = (await on_slack(w, "preview synthetic data max=100"))["text"]  # as Slack got it: escaped
        assert len(text) <= LIMITS["slack"] and "&amp; &lt;tasks&gt;" in text
        shown = len(scored(text))
        left = re.search(r"^…and (\d+) more, not shown here \(too long for one message\)\.$", text, re.M)
        assert 10 < shown < 100 and left and shown + int(left.group(1)) == 100
        assert "100 paper(s) matched. The 100 a digest of 100 would pick" in text
        assert text.endswith("nothing was subscribed or posted.")


# -- Discord -----------------------------------------------------------------------------


async def test_discord_preview_is_ephemeral_posts_nothing_and_fits_discord_s_limit(tmp_path):
    long = {i: f"Synthetic data [v{i}] *bold* " + "with a long descriptive title " * 5 for i in range(60)}
    async with discord_world(tmp_path, 60, titles=long) as w:
        # tz= decides which days are the last 7: Kiritimati (UTC+14) is at 25 April 17:00 already, and
        # its 25 April ends at 09:59 UTC, before the 8 papers of 25 April 12:00 UTC.
        record = await on_discord(w, topic="synthetic data", max=3, tz="Pacific/Kiritimati")
        assert record["original"]["flags"] & EPHEMERAL
        text = record["original"]["content"]
        assert text.startswith("Preview of *synthetic data* (2024-04-19 ~ 2024-04-25): 52 paper(s) matched. The 3 ")
        assert "submittedDate:[202404181000 TO 202404250959]" in w.arxiv.requests[-1].params["search_query"]
        first = text.splitlines()[1]
        assert re.fullmatch(r"1\. `\d+\.\d\d` \[Synthetic data \(v\d+\) \\\*bold\\\* with .*\]\(<https://arxiv\.org/abs/2404\.2\d{4}>\)",
                            first)  # fmt: skip
        assert len(scored(text)) == 3 and f"arXiv query: `{to_query('synthetic data')}`" in text
        many = (await on_discord(w, topic="synthetic data", max=60))["original"]["content"]
        shown, left = len(scored(many)), re.search(r"^…and (\d+) more", many, re.M)
        assert len(many) <= LIMITS["discord"] and left and shown + int(left.group(1)) == 60
        assert many.endswith("Only you can see this; nothing was subscribed or posted.")
        assert w.discord.messages() == [] and rows(w.store) == dict.fromkeys(rows(w.store), 0)
        refused = await on_discord(w, work=False, topic="合成データ")
        assert refused["original"]["flags"] & EPHEMERAL
        assert refused["original"]["content"].startswith("*合成データ* is not in English")
        bad = await on_discord(w, work=False, topic="a=b")
        assert bad["original"]["content"].startswith("That topic cannot be searched on arXiv")


def test_slack_length_counts_the_adapter_s_entities():
    from bot.slack.blocks import escape

    text = "a & b < c > d"
    assert slack_length(text) == len(escape(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_help_with_preview_s_lines_still_fits_one_discord_message(language):
    text = help_text(language)  # longer than a message's content: Discord shows it as an embed's description
    assert "`/arxiv preview " in text and len(text) <= DESCRIPTION
