"""Thread questions between the adapters and the engine: typed in (``ThreadQuestion``), typed out
(``Answer``), rendered by each platform in its own format."""

from __future__ import annotations

from bot.discord.questions import answer_text as discord_text
from bot.slack.app import answer_text as slack_text
from bot.threads import CardThread, ask
from digest.models import Card, CardText, Delivery
from digest.qa import Answer, QAService, Quote, Turn
from digest.qa.limits import QALimits
from digest.store import open_store
from tests.engine_fixtures import fulltext_fetcher, llm_client
from tests.fakes.arxiv_fulltext import FullTextServer, build_html, load_docs, week_papers
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.qa_model import _blocks, reader


async def test_the_runner_s_service_answers_from_the_full_text_with_citations(tmp_path):
    datatune = week_papers()["2404.14361"]
    text = CardText("DataTune", ("retrieval",), "", "en", "llm:x")
    found = CardThread(Delivery("k", 1, datatune.arxiv_id, 1, 1.0, text, "sent", "1.0"), Card(datatune, text, 1, 1.0))
    with FullTextServer() as arxiv, FakeOpenAI(responder=reader) as fake:
        arxiv.put("/html/2404.14361v1", build_html(datatune, load_docs()["2404.14361"]), "text/html")
        store = open_store(f"sqlite:///{tmp_path / 'qa.db'}")
        llm = llm_client(fake.base_url)
        fetcher = fulltext_fetcher(arxiv.html_url, arxiv.pdf_url)
        qa = QAService(store, fetcher, llm, QALimits(per_user=1, per_thread=10))
        try:
            history = [Turn("user", "hi"), Turn("bot", "hello")]
            answer = await ask(qa, store, found, "Which tasks did they evaluate on?", history,
                               user="slack:T:U", thread="slack:T:C:1")
            assert answer.citations == ("§4.1",) and "(§4.1)" in slack_text(answer)
            # The adapters' typed turns reach the model as the reader's and the bot's.
            assert _blocks(fake.requests[0]["messages"][1]["content"])["history"] == "reader: hi\nbot: hello"
            limited = await ask(qa, store, found, "And the datasets?", [], user="slack:T:U", thread="slack:T:C:1")
            assert fake.count == 1 and limited.source == "limited"  # the per-user limit answered, not the LLM
            assert "(§4.1)" not in slack_text(limited)
        finally:
            await llm.aclose()
            store.close()


def test_each_platform_renders_the_citations_the_text_does_not_name():
    uncited = Answer("It uses BIG-Bench.", ("§4.1", "§5"))
    assert slack_text(uncited) == "It uses BIG-Bench. (§4.1, §5)"
    assert discord_text(uncited) == "It uses BIG-Bench.\n-# §4.1 · §5"
    cited = Answer("It uses BIG-Bench (§4.1).", ("§4.1",), notes=("(Answered from the abstract only.)",))
    assert slack_text(cited) == discord_text(cited) == "It uses BIG-Bench (§4.1).\n(Answered from the abstract only.)"


def test_quotes_are_rendered_under_their_sections_without_a_citation_line():
    quotes = Answer("No answer written:", ("§4.1",), "passages", (Quote("4.1 Tasks", "BIG-Bench …"),), ("(note)",))
    expected = "No answer written:\n> [4.1 Tasks] BIG-Bench …\n(note)"
    assert slack_text(quotes) == discord_text(quotes) == expected
