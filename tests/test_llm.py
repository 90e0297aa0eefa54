"""LLMClient against the loopback fake: format negotiation, SDK retries, errors, limits."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
import traceback
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from pydantic import SecretStr

from bot.app import build_llm
from config.settings import LLMSettings, Settings
from digest.llm.client import PLACEHOLDER_KEY, LLMClient
from digest.llm.errors import LLMError, LLMResponseError
from digest.llm.formats import SCHEMA_INSTRUCTION
from tests.fakes.openai_server import FakeOpenAI

SCHEMA = {
    "type": "object",
    "properties": {
        "headline": {"type": "string"},
        "bullets": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
    },
    "required": ["headline", "bullets"],
    "additionalProperties": False,
}
MESSAGES = [
    {"role": "system", "content": "You summarise papers as JSON."},
    {"role": "user", "content": "<paper>\nTitle: Tiny Models\nAbstract: We train tiny models. They work.\n</paper>"},
]
SECRET = "sk-test-VERY-SECRET-0123456789"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[Callable[..., LLMClient]]:
    """Builds clients for a fake server and closes them after the test."""
    made: list[LLMClient] = []

    def make(server: FakeOpenAI, **kwargs: object) -> LLMClient:
        options: dict = {"model": "fake-model", "base_url": server.base_url, "timeout": 2.0, "max_retries": 2, "backoff": 0.05}
        options.update(kwargs)
        made.append(LLMClient(**options))
        return made[-1]

    yield make
    for llm in made:
        await llm.aclose()


async def test_json_schema_path(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    llm = client(fake)
    answer = await llm.complete_json(MESSAGES, SCHEMA, "card")
    assert answer == {"headline": "New: Tiny Models", "bullets": ["We train tiny models.", "They work."]}
    fmt = fake.requests[0]["response_format"]
    assert fmt == {"type": "json_schema", "json_schema": {"name": "card", "schema": SCHEMA, "strict": True}}
    assert fake.requests[0]["messages"] == MESSAGES  # schema mode leaves the prompt alone
    assert llm.mode == "json_schema" and llm.calls == 1
    assert llm.prompt_tokens > 0 and llm.completion_tokens > 0


async def test_422_falls_back_to_json_object_detected_once(client: Callable[..., LLMClient]) -> None:
    with FakeOpenAI(accept={"json_object"}, latency=0.05) as fake:
        llm = client(fake, concurrency=4)
        answers = await asyncio.gather(*(llm.complete_json(MESSAGES, SCHEMA, "card") for _ in range(5)))
        assert all(a["bullets"] == ["We train tiny models.", "They work."] for a in answers)
        # The first wave (at most `concurrency` calls) probes json_schema in parallel and is
        # rejected with 422; every call then succeeds with json_object.
        formats = fake.response_formats()
        assert 1 <= formats.count("json_schema") <= 4 and formats.count("json_object") == 5
        json_object = next(r for r in fake.requests if r["response_format"]["type"] == "json_object")
        assert json_object["response_format"] == {"type": "json_object", "schema": SCHEMA}
        assert SCHEMA_INSTRUCTION in json_object["messages"][0]["content"]
        assert llm.mode == "json_object" and llm.calls == 5 and llm.requests == len(formats)
        # Detected once: later calls go straight to json_object.
        await llm.complete_json(MESSAGES, SCHEMA, "card")
        assert fake.response_formats()[len(formats):] == ["json_object"]


async def test_both_rejected_uses_prompt_mode(client: Callable[..., LLMClient]) -> None:
    with FakeOpenAI(accept=()) as fake:
        llm = client(fake)
        first = await llm.complete_json(MESSAGES, SCHEMA, "card")
        second = await llm.complete_json(MESSAGES, SCHEMA, "card")
        assert first == second and len(first["bullets"]) == 2
        assert fake.response_formats() == ["json_schema", "json_object", None, None]
        assert "response_format" not in fake.requests[2]
        system = fake.requests[2]["messages"][0]
        assert system["role"] == "system" and system["content"].startswith("You summarise papers as JSON.")
        assert f"{SCHEMA_INSTRUCTION} {json.dumps(SCHEMA)}" in system["content"]
        assert llm.mode == "prompt"


async def test_configured_mode_skips_detection(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    llm = client(fake, response_format="json_object")
    assert llm.mode == "json_object"
    await llm.complete_json(MESSAGES, SCHEMA, "card")
    assert fake.response_formats() == ["json_object"]


async def test_configured_mode_rejected_is_an_error(client: Callable[..., LLMClient]) -> None:
    with FakeOpenAI(accept={"json_object"}) as fake:
        llm = client(fake, response_format="json_schema")
        with pytest.raises(LLMError) as caught:
            await llm.complete_json(MESSAGES, SCHEMA, "card")
        assert caught.value.status == 422 and fake.count == 1


async def test_unrelated_400_does_not_downgrade_the_mode(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    fake.script(("status", 400))
    llm = client(fake)
    with pytest.raises(LLMError, match="HTTP 400"):
        await llm.complete_json(MESSAGES, SCHEMA, "card")
    assert llm.mode is None  # undecided, so the next call probes again
    await llm.complete_json(MESSAGES, SCHEMA, "card")
    assert llm.mode == "json_schema" and fake.response_formats() == ["json_schema", "json_schema"]


async def test_429_retry_after_is_honoured(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    fake.script(("status", 429, {"Retry-After": "1"}))
    llm = client(fake)
    started = time.monotonic()
    answer = await llm.complete_json(MESSAGES, SCHEMA, "card")
    waited = time.monotonic() - started
    assert answer["headline"] == "New: Tiny Models"
    assert 0.95 <= waited < 2.0  # the SDK slept the server's 1 s, not its own 0.5 s backoff
    assert fake.count == 2 and llm.calls == 1 and llm.retries == 1


async def test_500_then_success(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    fake.script(("status", 500))
    llm = client(fake)
    assert (await llm.complete_json(MESSAGES, SCHEMA, "card"))["bullets"]
    assert fake.count == 2 and llm.retries == 1


async def test_hang_beyond_timeout_then_success(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    fake.script(("hang", 3.0))
    llm = client(fake, timeout=0.3)
    started = time.monotonic()
    assert (await llm.complete_json(MESSAGES, SCHEMA, "card"))["bullets"]
    assert time.monotonic() - started < 2.0
    assert fake.count == 2 and llm.retries == 1


async def test_final_http_failure_raises(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    fake.script(("status", 503), ("status", 503))
    llm = client(fake, max_retries=1)
    with pytest.raises(LLMError, match="HTTP 503") as caught:
        await llm.complete_json(MESSAGES, SCHEMA, "card")
    assert caught.value.status == 503 and fake.count == 2


async def test_unreachable_server_raises() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with LLMClient("m", base_url=f"http://127.0.0.1:{port}/v1", timeout=1.0, max_retries=0) as llm:
        with pytest.raises(LLMError, match="APIConnectionError"):
            await llm.complete_json(MESSAGES, SCHEMA, "card")


@pytest.mark.parametrize(
    ("fault", "message"),
    [(("refusal",), "refused"), (("empty",), "answered nothing"), (("junk",), "not JSON")],
)
async def test_unusable_answers_raise(fake: FakeOpenAI, fault: tuple, message: str, client: Callable[..., LLMClient]) -> None:
    fake.script(fault)
    with pytest.raises(LLMResponseError, match=message) as caught:
        await client(fake).complete_json(MESSAGES, SCHEMA, "card")
    if fault == ("junk",):
        assert caught.value.content.startswith("Sure!")


async def test_code_fences_are_stripped(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    fake.script(("fenced",))
    assert (await client(fake).complete_json(MESSAGES, SCHEMA, "card"))["headline"] == "New: Tiny Models"


async def test_api_key_never_in_errors_or_logs(fake: FakeOpenAI, caplog: pytest.LogCaptureFixture, client: Callable[..., LLMClient]) -> None:
    caplog.set_level(logging.DEBUG)
    fake.script(("status", 500), ("status", 401))  # the 401 body echoes the key back
    llm = client(fake, api_key=SECRET, max_retries=1)
    with pytest.raises(LLMError) as caught:
        await llm.complete_json(MESSAGES, SCHEMA, "card")
    assert fake.headers[0]["Authorization"] == f"Bearer {SECRET}"  # the key really was in play
    assert caught.value.status == 401 and "Incorrect API key provided" in str(caught.value)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value.args)
    # The SDK's error (which quotes the server) is suppressed from tracebacks too.
    assert SECRET not in "".join(traceback.format_exception(caught.value))
    assert caplog.records, "expected the SDK's debug logs"
    for record in caplog.records:
        assert SECRET not in record.getMessage()


async def test_local_server_gets_placeholder_key(fake: FakeOpenAI, client: Callable[..., LLMClient]) -> None:
    await client(fake).complete_json(MESSAGES, SCHEMA, "card")
    assert fake.headers[0]["Authorization"] == f"Bearer {PLACEHOLDER_KEY}"


async def test_concurrency_is_bounded(client: Callable[..., LLMClient]) -> None:
    with FakeOpenAI(latency=0.1) as fake:
        llm = client(fake, concurrency=3, response_format="json_schema")
        await asyncio.gather(*(llm.complete_json(MESSAGES, SCHEMA, "card") for _ in range(10)))
        assert fake.count == 10 and fake.max_in_flight == 3


def test_built_from_settings() -> None:
    llm_settings = LLMSettings(
        model="m1", api_key=SecretStr(SECRET), base_url="http://127.0.0.1:9/v1",
        concurrency=2, timeout=5, max_retries=1, response_format="prompt", deadline=30,
    )
    llm = build_llm(Settings(llm=llm_settings))
    assert llm is not None and llm.deadline == 30
    assert (llm.model, llm.mode, llm.concurrency, llm.base_url) == ("m1", "prompt", 2, "http://127.0.0.1:9/v1")
    assert llm.configured_mode == "prompt"
