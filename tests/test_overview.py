"""The week at a glance: a digest's header opens with what its papers are about and which to read first."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from bot.discord.embeds import header_text, ref_line
from bot.discord.port import nonce_of
from digest.cards.overview import OverviewAnswer, review_overview, shown
from digest.cards.overview_text import OVERVIEW_TEXT
from digest.cards.render import digest_markdown
from digest.cards.themes import themes, themes_overview
from digest.delivery.deliverer import Deliverer
from digest.llm.language import LANGUAGES
from digest.models import Card, CardText, ChannelRef, Digest, Paper
from tests.discord_fixtures import world as discord_world
from tests.engine_fixtures import WEEK, Clock, delivered_digest, make_engine
from tests.fakes.arxiv import WEEK as WEEK_XML
from tests.fakes.arxiv import ArxivFeedServer
from tests.fakes.openai_server import FakeOpenAI, _find_schema, _write_card
from tests.fakes.recording_chat import Crash, RecordingChat
from tests.slack_fixtures import CHANNEL as SLACK_CHANNEL
from tests.slack_fixtures import NOW
from tests.slack_fixtures import world as slack_world

CHANNEL = ChannelRef("recording", "T1", "C1")
LEAD = "This week's 3 papers are mostly about how training data is made and used."


def overview_requests(fake: FakeOpenAI) -> list[dict]:
    return [body for body in fake.requests if "read_first" in (_find_schema(body).get("properties") or {})]


def answering(overview: dict):
    """A model writing cards as the fake does, and ``overview`` for the week at a glance."""

    def respond(body: dict) -> dict:
        schema = _find_schema(body)
        return overview if "read_first" in (schema.get("properties") or {}) else _write_card(body, schema, english=False)

    return respond


def subscribe(store, channel=CHANNEL, language="en", max_papers=3):
    return store.add_subscription(channel, "synthetic data", weekday=0, at=time(9), tz="UTC", language=language,
                                  max_papers=max_papers, created_by="U1")  # fmt: skip


class HeaderChat(RecordingChat):
    """RecordingChat keeping each header's overview as posted."""

    def __init__(self, faults=()) -> None:
        super().__init__(faults)
        self.overviews: list[tuple[str, ...]] = []

    async def post_header(self, channel, digest, key):
        posted = await super().post_header(channel, digest, key)
        self.overviews.append(digest.overview)
        return posted


async def test_slack_header_opens_with_the_llm_s_overview_first_in_the_notification_text(tmp_path):
    with FakeOpenAI() as fake, slack_world(tmp_path, papers=3) as w:
        engine = make_engine(w.arxiv.url, w.store, fake.base_url, clock=Clock(NOW))
        sub = w.store.add_subscription(SLACK_CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC",
                                       language="en", max_papers=3, created_by="U1")  # fmt: skip
        run = await Deliverer(engine, w.store, {"slack": w.port}).run(sub, WEEK, "k1")
        await engine.aclose()
    assert run.state == "done"
    header = w.slack.messages("C0CHAN")[0]
    first = w.store.get_papers([(r.arxiv_id, r.version) for r in w.store.deliveries("k1")[1:2]])
    title = next(iter(first.values())).title
    assert header["text"].startswith(LEAD + " Start with “" + title + "”")  # a phone shows this sentence
    assert header["blocks"][0]["type"] == "header"
    assert header["blocks"][1]["text"]["text"].startswith(LEAD)
    assert len(overview_requests(fake)) == 1  # one call for the digest, after its 3 cards
    assert w.store.overview_of("k1").source == "llm:fake-model"


async def test_discord_header_opens_with_the_overview_in_its_content(tmp_path):
    with FakeOpenAI() as fake:
        async with discord_world(tmp_path, 3) as w:
            engine = make_engine(w.arxiv.url, w.store, fake.base_url, clock=Clock(NOW))
            run = await Deliverer(engine, w.store, w.deliverer.ports).run(w.subscribe(max_papers=3), WEEK, "k1")
            await engine.aclose()
            content = w.discord.messages()[0]["content"]
            digest = delivered_digest(w.store, "k1")
    assert run.state == "done"
    assert content.startswith(LEAD)
    assert content == header_text(digest) + ref_line(nonce_of("k1#0"))
    assert digest.overview[0] == LEAD and len(overview_requests(fake)) == 1


async def test_the_overview_is_asked_once_and_posted_the_same_after_a_crash():
    with FakeOpenAI() as fake, ArxivFeedServer(WEEK_XML) as arxiv:
        from digest.store import open_store

        store = open_store("sqlite://")
        sub = subscribe(store)
        chat = HeaderChat(["crash_before"])  # the process dies as the header leaves
        with pytest.raises(Crash):
            await Deliverer(make_engine(arxiv.url, store, fake.base_url), store, {"recording": chat}).run(sub, WEEK, "k1")
        assert store.deliveries("k1")[0].state == "sending" and store.overview_of("k1") is not None
        # A new process: a new engine (no memo) over the same store.
        engine = make_engine(arxiv.url, store, fake.base_url)
        run = await Deliverer(engine, store, {"recording": chat}).run(sub, WEEK, "k1")
        await engine.aclose()
    assert run.state == "done"
    assert len(overview_requests(fake)) == 1  # not asked again
    assert chat.overviews == [store.overview_of("k1").sentences]
    assert chat.overviews[0][0] == LEAD


@pytest.mark.parametrize(("answer", "language"), [
    ({"sentences": ["This week is about data.", "Start with [7], the best of all."], "read_first": 7}, "en"),
    ({"sentences": ["This week builds on 2401.00001.", "Start with [1] for the basics."], "read_first": 1}, "en"),
    ({"sentences": ["This week's papers are about synthetic data.", "Start with [1]."], "read_first": 1}, "ja"),
], ids=["number-not-in-digest", "arxiv-id-not-in-digest", "wrong-language"])
async def test_an_overview_naming_another_paper_or_in_another_language_gives_the_themes(answer, language):
    with FakeOpenAI(responder=answering(answer)) as fake, ArxivFeedServer(WEEK_XML) as arxiv:
        from digest.store import open_store

        store = open_store("sqlite://")
        chat = HeaderChat()
        engine = make_engine(arxiv.url, store, fake.base_url)
        run = await Deliverer(engine, store, {"recording": chat}).run(subscribe(store, language=language), WEEK, "k1")
        await engine.aclose()
    assert run.state == "done"
    assert len(overview_requests(fake)) == 2  # asked, then re-asked naming the fault
    assert store.overview_of("k1").source == "themes:llm-failed"
    label = OVERVIEW_TEXT.text(language, "themes", terms="").split("{")[0][:4]
    assert chat.overviews[0][0].startswith(label) and len(chat.overviews[0]) == 2


async def test_without_an_llm_the_header_gives_the_themes_labelled_and_the_top_paper(tmp_path):
    with slack_world(tmp_path) as w:
        sub = w.store.add_subscription(SLACK_CHANNEL, "synthetic data", weekday=0, at=time(9), tz="UTC",
                                       language="ja", max_papers=5, created_by="U1")  # fmt: skip
        assert (await w.deliverer.run(sub, WEEK, "k1")).state == "done"
    text = w.slack.messages("C0CHAN")[0]["text"]
    assert text.startswith("今週のテーマ：") and "まず読むなら：「" in text
    assert w.store.overview_of("k1").source == "themes"


def paper(n: int, title: str, abstract: str) -> Paper:
    at = datetime(2024, 4, 20, tzinfo=timezone.utc)
    return Paper(f"2404.{n:05d}", 1, title, ("A",), abstract, ("cs.CL",), "cs.CL", None, at, at,
                 f"http://arxiv.org/abs/2404.{n:05d}v1", None)  # fmt: skip


PAPERS = [
    paper(1, "Diffusion Models for Synthetic Tables", "We study diffusion models and tabular data generation."),
    paper(2, "Evaluating LLM Judges", "Diffusion models and LLM judges are compared; evaluation of LLM judges."),
    paper(3, "Privacy in Synthetic Data", "Differential privacy for LLM training with diffusion models."),
]


def test_themes_are_terms_several_papers_share_without_the_topic():
    found = themes(PAPERS, "synthetic data")
    assert found[0] == "diffusion models" and "LLM" in found
    assert not any("synthetic" in t for t in found)  # the topic's own words are no theme
    assert themes(PAPERS[:1], "synthetic data") == []  # one paper shares nothing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_labels_the_themes_and_the_paper_to_read_first(language):
    overview = themes_overview(PAPERS, "synthetic data", language)
    assert overview.source == "themes" and len(overview.sentences) == 2
    assert "diffusion models" in overview.sentences[0] and PAPERS[0].title in overview.sentences[1]
    if language != "en":
        assert overview.sentences != themes_overview(PAPERS, "synthetic data", "en").sentences


def cards() -> list[Card]:
    return [Card(p, CardText("h", ("b",), "", "en", "llm:m"), i, 1.0) for i, p in enumerate(PAPERS, start=1)]


def test_the_review_names_each_fault_and_numbers_become_titles():
    ok = OverviewAnswer(sentences=["This week is mostly about diffusion models for data.", "Read [2] first."], read_first=2)
    assert review_overview(ok, cards(), "en", "system") == []
    assert shown(ok.sentences, cards(), "en")[1] == "Read “Evaluating LLM Judges” first."
    kinds = {f.kind for f in review_overview(OverviewAnswer(sentences=["x" * 700], read_first=5), cards(), "en", "s")}
    assert kinds == {"count", "length", "mention"}
    unread = OverviewAnswer(sentences=["This week is mostly about diffusion models.", "All three are good."], read_first=1)
    assert [f.kind for f in review_overview(unread, cards(), "en", "s")] == ["read_first"]
    defused = shown(["See [1] @everyone <!channel>."], cards(), "en")[0]
    assert "@everyone" not in defused and "<!channel>" not in defused


def test_markdown_shows_the_overview_under_the_intro():
    digest = Digest("synthetic data", WEEK, "en", (), overview=("Themes this week: *LLM*.", "Read first: x."))
    text = digest_markdown(digest)
    assert "Papers on synthetic data (2024-04-19 ~ 2024-04-25)\n\nThemes this week: \\*LLM\\*. Read first: x.\n" in text
    assert date(2024, 4, 19).isoformat() in text
