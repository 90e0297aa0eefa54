"""The adapters' answer callable: the engine's full-text Q&A behind the adapters' calling convention."""

from __future__ import annotations

from bot.threads import FullTextAnswerer
from digest.qa.limits import QALimits
from digest.store import open_store
from tests.engine_fixtures import fulltext_fetcher, llm_client
from tests.fakes.arxiv_fulltext import FullTextServer, build_html, load_docs, week_papers
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.qa_model import _blocks, reader


async def test_the_runner_s_answerer_answers_from_the_full_text_with_citations(tmp_path):
    datatune = week_papers()["2404.14361"]
    with FullTextServer() as arxiv, FakeOpenAI(responder=reader) as fake:
        arxiv.put("/html/2404.14361v1", build_html(datatune, load_docs()["2404.14361"]), "text/html")
        store = open_store(f"sqlite:///{tmp_path / 'qa.db'}")
        llm = llm_client(fake.base_url)
        fetcher = fulltext_fetcher(arxiv.html_url, arxiv.pdf_url)
        answer = FullTextAnswerer(store, fetcher, llm, QALimits(per_user=1, per_thread=10))
        try:
            text = await answer(datatune, "Which tasks did they evaluate on?", ["question: hi", "answer: hello"], user="slack:T:U", thread="slack:T:C:1")
            assert "(§4.1)" in text
            # The adapters' "question: "/"answer: " lines reach the model as the reader's and the bot's turns.
            assert _blocks(fake.requests[0]["messages"][1]["content"])["history"] == "reader: hi\nbot: hello"
            limited = await answer(datatune, "And the datasets?", [], user="slack:T:U", thread="slack:T:C:1")
            assert fake.count == 1 and "(§4.1)" not in limited  # the per-user limit answered, not the LLM
        finally:
            await llm.aclose()
            store.close()
