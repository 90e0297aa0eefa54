"""Tests of the fake OpenAI-compatible server itself: its server personalities and model quirks.

These pin down what the fake answers (status, body, raw content) so that tests of the
client code built on it rest on recorded behaviour of real servers, not on guesses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from tests.fakes.openai_server import INVENTED_FIGURE, SERVERS, FakeOpenAI

TITLE = "Tiny Models Learn Fast"
ABSTRACT = (
    "We train tiny models on curated data. They match larger models on reasoning benchmarks. "
    "Training costs drop by an order of magnitude. The recipe transfers to code generation."
)
SCHEMA = {
    "type": "object",
    "properties": {
        "headline": {"type": "string"},
        "bullets": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 3},
        "comment": {"type": "string"},
    },
    "required": ["headline", "bullets", "comment"],
    "additionalProperties": False,
}
JSON_SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {"name": "card", "schema": SCHEMA, "strict": True}}
JSON_OBJECT_FORMAT = {"type": "json_object", "schema": SCHEMA}


def messages(language: str = "English") -> list[dict[str, str]]:
    return [
        {"role": "system", "content": f"You summarise papers as JSON cards in {language}."},
        {"role": "user", "content": f"<paper>\nTitle: {TITLE}\nAbstract: {ABSTRACT}\n</paper>"},
    ]


def client(fake: FakeOpenAI) -> openai.AsyncOpenAI:
    # No SDK retries: a 500 must reach the test once, as recorded.
    return openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)


async def ask(fake: FakeOpenAI, response_format: Any = JSON_SCHEMA_FORMAT, language: str = "English") -> Any:
    kwargs: dict[str, Any] = {"model": "fake-model", "messages": messages(language)}
    if response_format is not None:
        kwargs["response_format"] = response_format
    async with client(fake) as llm:
        return await llm.chat.completions.create(**kwargs)


async def rejected(fake: FakeOpenAI, response_format: Any) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as caught:
        await ask(fake, response_format)
    return caught.value


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


# --- personalities: what each real server answers to a response_format it cannot take -------


async def test_llama_cpp_python_answers_json_schema_with_its_500_wrapped_validation_error() -> None:
    with FakeOpenAI(server="llama-cpp-python") as fake:
        err = await rejected(fake, JSON_SCHEMA_FORMAT)
        assert isinstance(err, openai.InternalServerError) and err.status_code == 500
        assert err.response.json() == {
            "error": {
                "message": (
                    "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
                    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
                    "'ctx': {'expected': \"'text' or 'json_object'\"}}]"
                ),
                "type": "internal_server_error",
                "param": None,
                "code": None,
            }
        }
        assert "response_format" in err.message
        # json_object with a schema is what it takes (the schema becomes a grammar).
        answer = await ask(fake, JSON_OBJECT_FORMAT)
        assert json.loads(answer.choices[0].message.content)["headline"] == f"New: {TITLE}"
        assert fake.response_formats() == ["json_schema", "json_object"]


async def test_vllm_08_rejects_a_schema_xgrammar_could_not_take_with_its_flat_400() -> None:
    with FakeOpenAI(server="vllm") as fake:
        err = await rejected(fake, JSON_SCHEMA_FORMAT)  # minItems/maxItems: unsupported by xgrammar then
        assert isinstance(err, openai.BadRequestError) and err.status_code == 400
        assert err.response.json() == {
            "object": "error",
            "message": "The provided JSON schema contains features not supported by xgrammar.",
            "type": "BadRequestError",
            "param": None,
            "code": 400,
        }
        assert "JSON schema" in err.message
        plain = {"type": "json_schema", "json_schema": {"name": "card", "schema": {"type": "object"}}}
        assert (await ask(fake, plain)).choices[0].message.content is not None
        assert (await ask(fake, JSON_OBJECT_FORMAT)).choices[0].message.content is not None  # schema ignored


async def test_vllm_010_nests_its_error_and_takes_the_card_schema() -> None:
    with FakeOpenAI(server="vllm-0.10") as fake:
        answer = await ask(fake, JSON_SCHEMA_FORMAT)
        assert len(json.loads(answer.choices[0].message.content)["bullets"]) == 3
        unique = json.loads(json.dumps(SCHEMA))
        unique["properties"]["bullets"]["uniqueItems"] = True
        err = await rejected(fake, {"type": "json_schema", "json_schema": {"name": "card", "schema": unique}})
        assert isinstance(err, openai.BadRequestError)
        assert err.response.json() == {
            "error": {
                "message": "The provided JSON schema contains features not supported by xgrammar.",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
            }
        }
        bad_type = await rejected(fake, {"type": "regex"})
        assert bad_type.status_code == 400 and "response_format" in bad_type.response.json()["error"]["message"]


async def test_ollama_takes_both_types_ignores_others_and_500s_on_a_schema_it_cannot_convert() -> None:
    with FakeOpenAI(server="ollama") as fake:
        assert json.loads((await ask(fake, JSON_SCHEMA_FORMAT)).choices[0].message.content)["headline"]
        for fmt in ({"type": "json_object"}, {"type": "made_up"}):  # no schema to follow: any object
            assert isinstance(json.loads((await ask(fake, fmt)).choices[0].message.content), dict)
        assert fake.count == 3 and [status for status, _ in fake.answers] == [200, 200, 200]
        broken = {"type": "object", "properties": {"id": {"type": "string", "pattern": "[a-z]+"}}}
        err = await rejected(fake, {"type": "json_schema", "json_schema": {"name": "card", "schema": broken}})
        assert isinstance(err, openai.InternalServerError)
        assert err.response.json() == {
            "error": {"message": "invalid JSON schema in format", "type": "api_error", "param": None, "code": None}
        }


async def test_llama_server_rejects_unknown_types_and_unconvertible_schemas_with_400() -> None:
    with FakeOpenAI(server="llama-server") as fake:
        for fmt in (JSON_SCHEMA_FORMAT, JSON_OBJECT_FORMAT, {"type": "text"}):
            assert (await ask(fake, fmt)).choices[0].message.content
        err = await rejected(fake, {"type": "regex"})
        assert isinstance(err, openai.BadRequestError)
        assert err.response.json() == {
            "error": {
                "code": 400,
                "message": 'response_format type must be one of "text" or "json_object", but got: regex',
                "type": "invalid_request_error",
            }
        }
        assert "response_format" in err.message
        dangling = {"type": "object", "properties": {"x": {"$ref": "#/$defs/Missing"}}}
        err = await rejected(fake, {"type": "json_schema", "json_schema": {"name": "card", "schema": dangling}})
        message = err.response.json()["error"]["message"]
        assert err.status_code == 400 and message.startswith('"json_schema": JSON schema conversion failed:\n')


async def test_openai_rejects_a_strict_schema_outside_its_subset() -> None:
    with FakeOpenAI(server="openai") as fake:
        assert (await ask(fake, JSON_SCHEMA_FORMAT)).choices[0].message.content
        loose = {k: v for k, v in SCHEMA.items() if k != "additionalProperties"}
        strict = {"name": "card", "schema": loose, "strict": True}
        err = await rejected(fake, {"type": "json_schema", "json_schema": strict})
        assert isinstance(err, openai.BadRequestError)
        assert err.response.json() == {
            "error": {
                "message": (
                    "Invalid schema for response_format 'card': In context=(), "
                    "'additionalProperties' is required to be supplied and to be false."
                ),
                "type": "invalid_request_error",
                "param": "response_format",
                "code": None,
            }
        }
        partial = {**SCHEMA, "required": ["headline", "bullets"]}
        strict = {"name": "card", "schema": partial, "strict": True}
        err = await rejected(fake, {"type": "json_schema", "json_schema": strict})
        assert err.response.json()["error"]["message"].endswith("Missing 'comment'.")


@pytest.mark.parametrize("server", SERVERS)
async def test_every_personality_answers_a_request_without_response_format(server: str) -> None:
    with FakeOpenAI(server=server) as fake:
        answer = await ask(fake, None)
        assert json.loads(answer.choices[0].message.content) == {}  # no schema given: an empty object


async def test_a_rejected_request_does_not_consume_a_fault() -> None:
    with FakeOpenAI(server="llama-cpp-python", faults=[("junk",)]) as fake:
        await rejected(fake, JSON_SCHEMA_FORMAT)
        answer = await ask(fake, JSON_OBJECT_FORMAT)
        assert answer.choices[0].message.content.startswith("Sure!")


async def test_the_accept_knob_keeps_its_422_and_400() -> None:
    with FakeOpenAI(accept={"json_object"}) as fake:
        err = await rejected(fake, JSON_SCHEMA_FORMAT)
        assert err.status_code == 422 and err.response.json()["detail"][0]["loc"] == ["body", "response_format", "type"]
    with FakeOpenAI(accept=()) as fake:
        err = await rejected(fake, JSON_OBJECT_FORMAT)
        assert err.status_code == 400 and err.response.json()["error"]["param"] == "response_format"


def test_server_and_accept_are_exclusive_and_servers_are_known() -> None:
    with pytest.raises(ValueError, match="not both"):
        FakeOpenAI(server="vllm", accept={"json_object"})
    with pytest.raises(ValueError, match="server must be one of"):
        FakeOpenAI(server="tgi")


# --- model quirks: the raw content each fault kind produces ---------------------------------


async def clean_card(language: str = "English") -> dict[str, Any]:
    with FakeOpenAI() as fake:
        return json.loads((await ask(fake, language=language)).choices[0].message.content)


async def faulted(kind: str, language: str = "English", server: str | None = None) -> Any:
    with FakeOpenAI(faults=[(kind,)], server=server) as fake:
        return (await ask(fake, language=language)).choices[0].message


async def test_think_puts_a_reasoning_block_with_braces_and_latex_before_the_json() -> None:
    content = (await faulted("think")).content
    assert content.startswith("<think>\n")
    thinking, _, rest = content.partition("</think>")
    assert "$\\mathcal{O}(n \\log n)$" in thinking and '{"headline": "draft"' in thinking
    assert json.loads(rest) == await clean_card()


async def test_think_no_open_has_only_the_closing_tag() -> None:
    content = (await faulted("think_no_open")).content
    assert "<think>" not in content and content.count("</think>") == 1
    assert json.loads(content.split("</think>", 1)[1]) == await clean_card()


@pytest.mark.parametrize(
    ("server", "field"), [(None, "reasoning_content"), ("vllm-0.10", "reasoning_content"), ("ollama", "reasoning")]
)
async def test_think_unclosed_moves_the_reasoning_into_the_server_s_field(server: str | None, field: str) -> None:
    message = await faulted("think_unclosed", server=server)
    assert "\\mathcal{O}" in message.model_extra[field]
    assert json.loads(message.content) == await clean_card()


async def test_prose_wraps_a_fenced_card_in_chatter() -> None:
    content = (await faulted("prose")).content
    match = re.fullmatch(r"Here is the card:\n```json\n(.*)\n```\nHope this helps!", content, re.S)
    assert match and json.loads(match.group(1)) == await clean_card()


async def test_null_comment_and_missing_headline() -> None:
    assert json.loads((await faulted("null_comment")).content)["comment"] is None
    card = json.loads((await faulted("missing_headline")).content)
    assert "headline" not in card and len(card["bullets"]) == 3


async def test_numbered_bullets_carry_one_marker_style_each() -> None:
    bullets = json.loads((await faulted("numbered")).content)["bullets"]
    clean = (await clean_card())["bullets"]
    assert bullets == ["1. " + clean[0], "2) " + clean[1], "・" + clean[2]]


@pytest.mark.parametrize("language", ["English", "Japanese"])
async def test_overlong_fields_are_long_realistic_text(language: str) -> None:
    card = json.loads((await faulted("overlong", language)).content)
    assert (len(card["headline"]), len(card["bullets"][0]), len(card["comment"])) == (260, 520, 400)
    end = "。" if language == "Japanese" else ". "
    assert all(field.count(end) >= 2 for field in (card["headline"], card["bullets"][0], card["comment"]))
    if language == "Japanese":
        assert card["headline"].startswith("新提案：")
    else:
        assert card["bullets"][0].startswith("We train tiny models")


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("English", f"reaching {INVENTED_FIGURE} accuracy"), ("Japanese", f"精度{INVENTED_FIGURE}を達成")],
)
async def test_invented_states_a_figure_the_abstract_never_gives_only_once(language: str, phrase: str) -> None:
    assert INVENTED_FIGURE not in ABSTRACT
    with FakeOpenAI(faults=[("invented",)]) as fake:
        first = json.loads((await ask(fake, language=language)).choices[0].message.content)
        second = json.loads((await ask(fake, language=language)).choices[0].message.content)
    assert [phrase in b for b in first["bullets"]] == [False, False, True]
    assert INVENTED_FIGURE not in json.dumps(second, ensure_ascii=False)


async def test_wrapping_faults_also_wrap_a_responder_s_text() -> None:
    with FakeOpenAI(faults=[("think",)], responder=lambda body: {"answer": "42"}) as fake:
        content = (await ask(fake, None)).choices[0].message.content
    assert content.startswith("<think>") and content.endswith('{"answer": "42"}')


async def test_helpers_list_card_requests_and_answer_contents(fake: FakeOpenAI) -> None:
    fake.script(("prose",))
    await ask(fake)
    async with client(fake) as llm:
        await llm.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "hi"}])
    assert fake.count == 2 and fake.card_requests() == fake.requests[:1]
    assert fake.contents()[0].startswith("Here is the card:") and fake.contents()[1] == "{}"
    assert [status for status, _ in fake.answers] == [200, 200]
