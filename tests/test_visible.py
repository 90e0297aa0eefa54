"""Topics without invisible characters: digest.text.visible, the /arxiv grammar, Slack, the CLI."""

from __future__ import annotations

import json
import unicodedata

import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from bot.commands import CommandError, Subscribe, parse
from digest.text.visible import visible
from tests.engine_fixtures import WEEK
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.slack_requests import slash_command
from tests.slack_fixtures import SECRET, world

ZERO_WIDTH = "\u200b"
RLO = "\u202e"  # right-to-left override: what follows reads backwards
BOM = "\ufeff"
# Zero-width space, non-joiner, joiner, word joiner, BOM, LRM, RLM, bidi embeddings,
# overrides and isolates, a soft hyphen, a Hangul filler, a variation selector, NUL.
ONLY_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad\u3164\ufe0f\x00"
TOPICS = {
    "zero-width space": f"synthetic{ZERO_WIDTH} data",
    "right-to-left override": f"{RLO}synthetic data",
    "byte order mark": f"{BOM}synthetic data{BOM}",
}


def shown(text: str) -> bool:
    """True when ``text`` has no format or control character (line breaks aside)."""
    return not any(unicodedata.category(ch) in ("Cf", "Cs", "Cc") for ch in text.replace("\n", " "))


def test_visible_removes_what_shows_nothing_and_keeps_every_letter():
    assert visible(f"synthetic{ZERO_WIDTH} data") == "synthetic data"
    assert visible(f"synthetic{ZERO_WIDTH}data") == "syntheticdata"  # as it reads on screen
    assert visible(f"{RLO}synthetic data") == "synthetic data"
    assert visible(f"{BOM}synthetic\u2066 data\u2069") == "synthetic data"
    assert visible(ONLY_INVISIBLE) == "" and visible("") == ""
    assert visible(" synthetic\t\n data\u3000 ") == "synthetic data"  # tabs, breaks, ideographic space
    assert visible("合成データ ＬＬＭ") == "合成データ ＬＬＭ"  # full-width stays full-width: no NFKC
    assert visible("naïve café 👩\u200d🔬") == "naïve café 👩🔬"  # letters and accents kept
    assert visible("a\ud800b") == "ab"  # a lone surrogate (JSON's \ud800) no UTF-8 store takes


@pytest.mark.parametrize("typed", list(TOPICS.values()), ids=list(TOPICS))
def test_the_grammar_cleans_topics_and_terms(typed):
    command = parse(f"subscribe {typed} day=mon")
    assert isinstance(command, Subscribe) and command.topic == "synthetic data"
    terms = parse(f'subscribe 合成データ terms="{typed}"')
    assert isinstance(terms, Subscribe) and (terms.topic, terms.terms) == ("合成データ", "synthetic data")


def test_a_topic_of_invisible_characters_only_is_no_topic():
    for text in (f"subscribe {ONLY_INVISIBLE}", f"subscribe {ZERO_WIDTH} day=mon", f"subscribe {BOM}{RLO}"):
        with pytest.raises(CommandError) as problem:
            parse(text)
        assert problem.value.phrase.key == "no_topic"
    with pytest.raises(CommandError) as problem:
        parse(f"subscribe synthetic data terms={ZERO_WIDTH}")
    assert problem.value.phrase.key == "no_terms"


@pytest.fixture
def w(tmp_path):
    with world(tmp_path) as built:
        yield built


async def subscribe(w, text):
    response = await w.dispatch(slash_command(SECRET, f"subscribe {text}", response_url=w.slack.response_url()))
    assert response.status == 200
    return json.loads(response.body)["text"]


@pytest.mark.parametrize("typed", list(TOPICS.values()), ids=list(TOPICS))
async def test_slack_stores_searches_and_echoes_the_visible_topic(w, typed):
    reply = await subscribe(w, typed)
    assert "*synthetic data*" in reply and shown(reply)
    [sub] = w.store.list_subscriptions()
    assert sub.topic == "synthetic data" and sub.search_terms is None
    await w.deliverer.run(sub, WEEK, "k1")
    asked = [request.params["search_query"] for request in w.arxiv.requests]
    assert asked and all("synthetic" in query and shown(query) for query in asked)  # the query arXiv got
    header = w.slack.messages("C0CHAN")[0]["text"]
    assert "synthetic data" in header and shown(header)  # the digest's header in the channel
    listed = json.loads((await w.dispatch(slash_command(SECRET, "list"))).body)["text"]
    assert "synthetic data" in listed and shown(listed)


async def test_slack_refuses_a_topic_of_invisible_characters_only(w):
    reply = await subscribe(w, ONLY_INVISIBLE)
    assert reply.startswith("subscribe needs a topic")
    assert w.store.list_subscriptions() == [] and w.arxiv.requests == []


def run(tmp_path, arxiv, *args):
    env = {
        "OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "DIGEST_CONFIG_FILE": None,
        "DIGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "DIGEST_DEFAULTS_TIMEZONE": "UTC",
        "DIGEST_ARXIV_MIN_INTERVAL": "0", "DIGEST_ARXIV_API_URL": arxiv.url,
    }
    week = ("--from", "2024-04-19", "--to", "2024-04-25", "--format", "json")
    return CliRunner().invoke(app, ["digest", *args, *week], env=env, catch_exceptions=False)


def test_the_cli_topic_is_cleaned_and_an_invisible_one_refused(tmp_path):
    with ArxivFeedServer(WEEK_XML) as arxiv:
        result = run(tmp_path, arxiv, "--topic", f"{RLO}synthetic{ZERO_WIDTH} data{BOM}")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["topic"] == "synthetic data"
        asked = len(arxiv.requests)
        refused = run(tmp_path, arxiv, "--topic", ONLY_INVISIBLE)
        assert refused.exit_code == 2 and "invalid topic: the topic is empty" in refused.stderr
        assert len(arxiv.requests) == asked  # refused before any request
