"""A loopback OpenAI-compatible Chat Completions server acting as a deterministic fake model.

Tests point the real ``openai`` client at it (only ``base_url`` changes). It reads the
paper fenced in ``<paper>`` tags in the user message and answers a card shaped by the
JSON schema it was given (``response_format``, or the schema text in a system message).

Which ``response_format`` it takes, and how it refuses the rest, is set one of two ways:

* ``accept=`` (the default, ``server=None``): the historical knob. Types outside
  ``accept`` get a FastAPI-style 422 ``{"detail": [...]}`` (or a 400 naming
  response_format when ``accept`` is empty).
* ``server=``: a *personality* imitating a real server, status and body as recorded
  below. All were read from the servers' source; the llama-cpp-python one was also
  reproduced by running its real ``errors.py``/``types.py`` under FastAPI 0.115.6 and
  0.165.0 (pydantic 2.14).

  ``"openai"``: api.openai.com. Takes text/json_object/json_schema. ``strict`` json_schema
    without ``additionalProperties: false`` or with a property missing from ``required``
    -> 400 ``{"error": {"message": "Invalid schema for response_format '<name>': In
    context=(), 'additionalProperties' is required to be supplied and to be false.",
    "type": "invalid_request_error", "param": "response_format", "code": null}}``
    (bodies quoted in github.com/dottxt-ai/outlines/issues/1666, moeru-ai/xsai/issues/145,
    vercel/ai/issues/6484). json_object needs the word "json" in the messages, else 400
    ``param: "messages"`` (message from memory of the API, not re-checked).
  ``"llama-cpp-python"``: ``python -m llama_cpp.server`` 0.3.x (checked at v0.3.35,
    abetlen/llama-cpp-python llama_cpp/server/errors.py + llama_types.py). The request
    model types ``response_format.type`` as ``Literal["text", "json_object"]``; the route
    class ``RouteErrorHandler`` catches the RequestValidationError like any exception and
    answers **500** ``{"error": {"message": str(exc), "type": "internal_server_error",
    "param": null, "code": null}}``. str(exc) under FastAPI < 0.116 is the repr of the
    error list (``[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'),
    'msg': "Input should be 'text' or 'json_object'", 'input': 'json_schema', 'ctx':
    {'expected': "'text' or 'json_object'"}}]``); newer FastAPI prefixes "1 validation
    error:\n  " and appends the endpoint's file/line. ``{"type": "json_object",
    "schema": {...}}`` is accepted (200; the schema becomes a grammar).
  ``"vllm"``: vLLM 0.8.x, V1 engine, xgrammar backend (vllm-project/vllm issue #16880,
    v0.8.4; vllm/model_executor/guided_decoding/utils.py of that era). Takes all three
    types; a json_schema using a keyword that xgrammar version lacked (minItems, maxItems,
    enum, pattern, minLength, maxLength, format, numeric ranges, uniqueItems, ...) -> 400
    flat body ``{"object": "error", "message": "The provided JSON schema contains features
    not supported by xgrammar.", "type": "BadRequestError", "param": null, "code": 400}``.
    Our card schema (minItems/maxItems) trips it. Request validation errors (unknown type)
    -> the same flat 400 with str(RequestValidationError) as message (api_server.py
    ``validation_exception_handler``; the message text here is approximate).
  ``"vllm-0.10"``: vLLM >= 0.10.1 (PR #22099 nested the body; fms-guardrails-orchestrator
    issue #511, neutree-ai/neutree PR #350): same statuses, body ``{"error": {"message":
    ..., "type": "BadRequestError", "param": null, "code": 400}}``; xgrammar now only
    lacks multipleOf/uniqueItems/contains/minContains/maxContains/patternProperties/
    propertyNames/unknown string formats, so our card schema is accepted.
  ``"ollama"``: Ollama >= 0.5 /v1/chat/completions (ollama/ollama openai/openai.go at
    v0.5.0..v0.12.0): json_object -> format "json"; json_schema -> format = the schema;
    **any other type is silently ignored** (200, unconstrained). A schema llama.cpp's
    converter cannot take -> 500 ``{"error": {"message": "invalid JSON schema in format",
    "type": "api_error", "param": null, "code": null}}`` (llm/server.go; NewError maps 400
    to invalid_request_error, anything else to api_error). A response_format that does not
    bind (e.g. a string) -> 400 invalid_request_error with Go's unmarshal message.
    Ollama < 0.5 ignored json_schema entirely. Reasoning goes to ``message.reasoning``.
  ``"llama-server"``: llama.cpp's C++ server (tools/server, server-common.cpp
    ``oaicompat_chat_params_parse``, server.cpp ``ex_wrapper``, late 2025): json_object
    (+ optional ``schema``) and json_schema (``json_schema.schema``) both become a grammar;
    another type -> 400 ``{"error": {"code": 400, "message": "response_format type must be
    one of \"text\" or \"json_object\", but got: <type>", "type": "invalid_request_error"}}``
    (builds before the http refactor threw runtime_error -> 500 "server_error"); a schema
    json_schema_to_grammar rejects -> 400 same shape, message ``"json_schema": JSON
    schema conversion failed:\n<reasons>``.

It replays a fault script, one entry per request:

    ("status", 429, {"Retry-After": "1"})   # any status, optional headers
    ("hang", 2.0)                           # answer only after 2 s
    ("junk",)  ("wrong_count",)  ("refusal",)  ("english",)  ("empty",)  ("fenced",)
    # what real models do to the card they were asked for:
    ("think",)             # <think>…{braces}…$\\LaTeX$…</think> then the JSON (DeepSeek-R1)
    ("think_unclosed",)    # reasoning in message.reasoning_content (ollama: .reasoning), JSON in content
    ("think_no_open",)     # reasoning then "</think>" then JSON: the template opened the tag
    ("prose",)             # "Here is the card:\n```json\n{...}\n```\nHope this helps!"
    ("null_comment",)      # "comment": null
    ("numbered",)          # bullets start "1. ", "2) ", "・", "(4) "
    ("overlong",)          # headline ~260 chars, first bullet ~520, comment ~400
    ("invented",)          # one bullet states "97.3%" accuracy the abstract never gives
    ("missing_headline",)  # no "headline" key

A request for the week at a glance (its schema has "read_first") is answered with two
sentences over the fenced ``<cards>``, in Japanese or English, naming [1] to read first.

Requests rejected for their ``response_format`` do not consume a fault. A ``responder``
(request body -> JSON object or raw text) replaces the card writer for other kinds of
prompt, e.g. the thread Q&A reader in ``tests/fakes/qa_model.py``; the wrapping faults
(think*, prose) still wrap its text.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

DEFAULT_ACCEPT = frozenset({"json_schema", "json_object"})
SERVERS = ("openai", "llama-cpp-python", "vllm", "vllm-0.10", "ollama", "llama-server")
WRAPPING_FAULTS = frozenset({"think", "think_unclosed", "think_no_open", "prose"})
CARD_FAULTS = frozenset({"null_comment", "numbered", "overlong", "invented", "missing_headline"})
INVENTED_FIGURE = "97.3%"

_PAPER = re.compile(r"<paper>(.*?)</paper>", re.S)
_FIELD = re.compile(r"^(Title|Abstract):[ \t]*(.*)$", re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_SCHEMA_TEXT = "matching this schema"

# Keywords vLLM 0.8.x refused to hand to xgrammar (has_xgrammar_unsupported_json_features).
_XGRAMMAR_08_UNSUPPORTED = {
    None: ("pattern", "enum"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "array": ("uniqueItems", "contains", "minContains", "maxContains", "minItems", "maxItems"),
    "string": ("minLength", "maxLength", "format"),
    "object": ("minProperties", "maxProperties", "propertyNames", "patternProperties"),
}
# ... and what vLLM >= 0.10 still refuses (string formats outside xgrammar's list aside).
_XGRAMMAR_010_UNSUPPORTED = {
    None: (),
    "integer": ("multipleOf",),
    "number": ("multipleOf",),
    "array": ("uniqueItems", "contains", "minContains", "maxContains"),
    "object": ("patternProperties", "propertyNames"),
}
_JSON_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


class FakeOpenAI:
    """Context manager running the fake on 127.0.0.1 in its own thread and event loop."""

    def __init__(
        self,
        *,
        latency: float | tuple[float, float] = 0.0,
        accept: Iterable[str] | None = None,
        faults: Iterable[tuple[Any, ...]] = (),
        responder: Callable[[dict[str, Any]], dict[str, Any] | str] | None = None,
        server: str | None = None,
    ) -> None:
        if server is not None and server not in SERVERS:
            raise ValueError(f"server must be one of {', '.join(SERVERS)}")
        if server is not None and accept is not None:
            raise ValueError("pass either server= (a personality) or accept=, not both")
        self.server = server
        # Seconds before each answer: fixed, or (low, high) drawn uniformly per request
        # from a seeded generator (a model answering in 1 to 3 s), so runs repeat.
        self.latency = latency
        self.latencies: list[float] = []  # what each answer waited, in answer order
        self._draw = random.Random(0)
        self.responder = responder
        self.accept = frozenset(DEFAULT_ACCEPT if accept is None else accept)
        self.faults: deque[tuple[Any, ...]] = deque(faults)
        self.junk_for: set[str] = set()  # titles of papers whose every answer is junk
        self.requests: list[dict[str, Any]] = []  # every body received, in arrival order
        self.headers: list[dict[str, str]] = []
        self.answers: list[tuple[int, dict[str, Any]]] = []  # (status, JSON body) per request, in answer order
        self.models = ["fake-model"]  # what GET /v1/models lists (any model name is answered)
        self.in_flight = 0
        self.max_in_flight = 0
        self.base_url = ""
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # --- test-facing helpers -------------------------------------------------------

    @property
    def count(self) -> int:
        return len(self.requests)

    def script(self, *faults: tuple[Any, ...]) -> None:
        """Queue faults for the next requests (thread-safe)."""
        with self._lock:
            self.faults.extend(faults)

    def response_formats(self) -> list[str | None]:
        """The response_format type of every request, in order (None when absent)."""
        return [(body.get("response_format") or {}).get("type") for body in self.requests]

    def card_requests(self) -> list[dict[str, Any]]:
        """The requests that carried a fenced paper (card prompts, repairs included)."""
        return [body for body in self.requests if _has_fence(body)]

    def contents(self) -> list[str | None]:
        """message.content of every 200 answer, in answer order."""
        return [b["choices"][0]["message"]["content"] for s, b in self.answers if s == 200]

    # --- lifecycle -----------------------------------------------------------------

    def __enter__(self) -> FakeOpenAI:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake OpenAI server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._runner is not None:
            done = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            done.result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_get("/v1/models", self._models)
        # Cancel a hung handler when the client gives up, as a real server would stop work.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        ready.set()
        loop.run_forever()
        loop.close()

    # --- the fake model ------------------------------------------------------------

    async def _models(self, request: web.Request) -> web.Response:
        """OpenAI's model list: ``{"object": "list", "data": [{"id", "object": "model", ...}]}``."""
        data = [{"id": name, "object": "model", "created": 0, "owned_by": "fake"} for name in self.models]
        return web.json_response({"object": "list", "data": data})

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            status, payload, headers = await self._answer(request, body)
            with self._lock:
                self.answers.append((status, payload))
            return web.json_response(payload, status=status, headers=headers)
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _answer(self, request: web.Request, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        rejected = self._reject_format(body)
        if rejected is not None:
            return rejected[0], rejected[1], {}
        with self._lock:
            fault = self.faults.popleft() if self.faults else None
        kind = fault[0] if fault else None
        if kind is None and _paper(body)[0] in self.junk_for:
            kind = "junk"  # a paper this model always answers badly
        if kind == "status":
            return self._status(fault, request)  # type: ignore[arg-type]
        if kind == "hang":
            await asyncio.sleep(fault[1])  # type: ignore[index]
        elif self.latency:
            with self._lock:
                wait = self._draw.uniform(*self.latency) if isinstance(self.latency, tuple) else self.latency
                self.latencies.append(wait)
            await asyncio.sleep(wait)

        refusal = None
        reasoning = None
        if kind == "junk":
            content: str | None = "Sure! This paper proposes a new method and shows it works well."
        elif kind == "refusal":
            content, refusal = None, "I'm sorry, but I can't help with that request."
        elif kind == "empty":
            content = ""
        elif self.responder is not None:
            reply = self.responder(body)
            content = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        elif "read_first" in (_find_schema(body).get("properties") or {}):  # the week at a glance
            content = json.dumps(_write_overview(body, english=kind == "english"), ensure_ascii=False)
        else:
            schema = _find_schema(body)
            card = _write_card(body, schema, english=kind == "english")
            if kind == "wrong_count" and isinstance(card.get("bullets"), list):
                card["bullets"] = (card["bullets"] * 3)[:3]
            if kind in CARD_FAULTS:
                _alter_card(card, kind, body)
            content = json.dumps(card, ensure_ascii=False)
            if kind == "fenced":  # what chatty local models do in prompt mode
                content = f"```json\n{content}\n```"
        if kind in WRAPPING_FAULTS and content is not None:
            content, reasoning = _wrap(content, kind, body)
        completion = _completion(body, content, refusal, len(self.requests))
        if reasoning is not None:
            field = "reasoning" if self.server == "ollama" else "reasoning_content"
            completion["choices"][0]["message"][field] = reasoning
        return 200, completion, {}

    def _reject_format(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        fmt = body.get("response_format")
        if fmt is None:
            return None
        if self.server is not None:
            return _PERSONALITIES[self.server](body, fmt)
        if fmt.get("type") in self.accept:
            return None
        if self.accept:  # llama-cpp-python (FastAPI) validation error shape
            detail = [
                {
                    "type": "literal_error",
                    "loc": ["body", "response_format", "type"],
                    "msg": f"Input should be {' or '.join(sorted(self.accept))}",
                    "input": fmt.get("type"),
                }
            ]
            return 422, {"detail": detail}
        error = {
            "message": "response_format is not supported by this server",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
        return 400, {"error": error}

    @staticmethod
    def _status(fault: tuple[Any, ...], request: web.Request) -> tuple[int, dict[str, Any], dict[str, str]]:
        status = int(fault[1])
        headers = dict(fault[2]) if len(fault) > 2 else {}
        message = f"fake error {status}"
        if status == 401:
            # Echo the presented key, as a careless proxy might: our client must not repeat it.
            message = f"Incorrect API key provided: {request.headers.get('Authorization', '')}"
        error = {"message": message, "type": "fake_error", "param": None, "code": None}
        return status, {"error": error}, headers


# --- server personalities: (request body, response_format) -> (status, body) or None ----------


def _schema_of(fmt: dict[str, Any]) -> dict[str, Any] | None:
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
    else:
        schema = fmt.get("schema")
    return schema if isinstance(schema, dict) else None


def _openai(body: dict[str, Any], fmt: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    kind = fmt.get("type")

    def error(message: str, param: str, code: str | None = None) -> tuple[int, dict[str, Any]]:
        return 400, {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}

    if kind == "json_schema":
        wrapper = fmt.get("json_schema") or {}
        name = wrapper.get("name", "")
        if wrapper.get("strict"):
            problem = _strict_problem(wrapper.get("schema") or {}, ())
            if problem:
                return error(f"Invalid schema for response_format '{name}': {problem}", "response_format")
        return None
    if kind == "json_object":
        text = " ".join(str(m.get("content") or "") for m in body.get("messages", []))
        if "json" not in text.lower():
            return error(
                "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                "messages",
            )
        return None
    if kind == "text":
        return None
    return error(
        f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', and 'json_schema'.",
        "response_format.type",
        "invalid_value",
    )


def _strict_problem(schema: dict[str, Any], context: tuple[str, ...]) -> str | None:
    """The first violation of OpenAI strict mode's object rules, worded as the API words it."""
    if schema.get("type") == "object" or "properties" in schema:
        where = f"In context={context!r}"
        if schema.get("additionalProperties") is not False:
            return f"{where}, 'additionalProperties' is required to be supplied and to be false."
        props = schema.get("properties") or {}
        missing = [k for k in props if k not in (schema.get("required") or [])]
        if missing:
            return (
                f"{where}, 'required' is required to be supplied and to be an array including every key in"
                f" properties. Missing '{missing[0]}'."
            )
        for key, sub in props.items():
            if isinstance(sub, dict) and (problem := _strict_problem(sub, (*context, "properties", key))):
                return problem
    if isinstance(schema.get("items"), dict):
        return _strict_problem(schema["items"], (*context, "items"))
    return None


def _llama_cpp_python(body: dict[str, Any], fmt: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    kind = fmt.get("type")
    if kind in ("text", "json_object"):
        return None
    # str(RequestValidationError) under FastAPI < 0.116: the repr of exc.errors().
    errors = [
        {
            "type": "literal_error",
            "loc": ("body", "response_format", "type"),
            "msg": "Input should be 'text' or 'json_object'",
            "input": kind,
            "ctx": {"expected": "'text' or 'json_object'"},
        }
    ]
    error = {"message": repr(errors), "type": "internal_server_error", "param": None, "code": None}
    return 500, {"error": error}


def _vllm(nested: bool) -> Callable[[dict[str, Any], dict[str, Any]], tuple[int, dict[str, Any]] | None]:
    unsupported = _XGRAMMAR_010_UNSUPPORTED if nested else _XGRAMMAR_08_UNSUPPORTED

    def error(message: str) -> tuple[int, dict[str, Any]]:
        info = {"message": message, "type": "BadRequestError", "param": None, "code": 400}
        return 400, ({"error": info} if nested else {"object": "error", **info})

    def answer(body: dict[str, Any], fmt: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        kind = fmt.get("type")
        if kind not in ("text", "json_object", "json_schema"):
            errors = [
                {
                    "type": "literal_error",
                    "loc": ("body", "response_format", "type"),
                    "msg": "Input should be 'text', 'json_object' or 'json_schema'",
                    "input": kind,
                    "ctx": {"expected": "'text', 'json_object' or 'json_schema'"},
                }
            ]
            return error(f"1 validation error:\n  {errors[0]}" if nested else repr(errors))
        schema = _schema_of(fmt) if kind == "json_schema" else None  # json_object's "schema" is ignored
        if schema is not None and _uses_keywords(schema, unsupported):
            return error("The provided JSON schema contains features not supported by xgrammar.")
        return None

    return answer


def _uses_keywords(schema: Any, table: dict[str | None, tuple[str, ...]]) -> bool:
    if isinstance(schema, list):
        return any(_uses_keywords(item, table) for item in schema)
    if not isinstance(schema, dict):
        return False
    if any(key in schema for key in table[None]) or any(key in schema for key in table.get(schema.get("type"), ())):
        return True
    return any(_uses_keywords(value, table) for value in schema.values() if isinstance(value, (dict, list)))


def _gbnf_problems(schema: Any, root: dict[str, Any] | None = None) -> list[str]:
    """What llama.cpp's json_schema_to_grammar would refuse (a small, sure subset)."""
    root = schema if root is None else root
    problems: list[str] = []
    if isinstance(schema, list):
        for item in schema:
            problems += _gbnf_problems(item, root)
        return problems
    if not isinstance(schema, dict):
        return problems
    kind = schema.get("type")
    if isinstance(kind, str) and kind not in _JSON_TYPES:
        problems.append(f"Unrecognized schema: {json.dumps(schema, separators=(',', ':'))}")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and not (pattern.startswith("^") and pattern.endswith("$")):
        problems.append("Pattern must start with '^' and end with '$'")
    ref = schema.get("$ref")
    if isinstance(ref, str) and not _resolves(ref, root):
        problems.append(f"Error resolving ref {ref}: not found")
    for key, value in schema.items():
        if key not in ("enum", "const", "default", "examples") and isinstance(value, (dict, list)):
            problems += _gbnf_problems(value, root)
    return problems


def _resolves(ref: str, root: dict[str, Any]) -> bool:
    if not ref.startswith("#"):
        return False
    node: Any = root
    for part in [p for p in ref[1:].split("/") if p]:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _ollama(body: dict[str, Any], fmt: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    if not isinstance(fmt, dict):
        message = (
            "json: cannot unmarshal string into Go struct field ChatCompletionRequest.response_format"
            " of type openai.ResponseFormat"
        )
        return 400, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
    schema = _schema_of(fmt) if str(fmt.get("type", "")).strip().lower() == "json_schema" else None
    if schema is not None and _gbnf_problems(schema):
        error = {"message": "invalid JSON schema in format", "type": "api_error", "param": None, "code": None}
        return 500, {"error": error}
    return None  # json_object, json_schema, and any other type (silently ignored)


def _llama_server(body: dict[str, Any], fmt: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    kind = fmt.get("type") or ""

    def error(message: str) -> tuple[int, dict[str, Any]]:
        return 400, {"error": {"code": 400, "message": message, "type": "invalid_request_error"}}

    if kind not in ("", "text", "json_object", "json_schema"):
        return error(f'response_format type must be one of "text" or "json_object", but got: {kind}')
    schema = _schema_of(fmt)
    if schema is not None and (problems := _gbnf_problems(schema)):
        return error('"json_schema": JSON schema conversion failed:\n' + "\n".join(problems))
    return None


_PERSONALITIES: dict[str, Callable[[dict[str, Any], dict[str, Any]], tuple[int, dict[str, Any]] | None]] = {
    "openai": _openai,
    "llama-cpp-python": _llama_cpp_python,
    "vllm": _vllm(nested=False),
    "vllm-0.10": _vllm(nested=True),
    "ollama": _ollama,
    "llama-server": _llama_server,
}


# --- card writing (pure functions) ------------------------------------------------------


def _find_schema(body: dict[str, Any]) -> dict[str, Any]:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["schema"]
    if isinstance(fmt.get("schema"), dict):
        return fmt["schema"]
    for message in body.get("messages", []):
        text = message.get("content") or ""
        at = text.find(_SCHEMA_TEXT)
        start = text.find("{", at) if at >= 0 else -1
        if start >= 0:
            try:
                return json.JSONDecoder().raw_decode(text, start)[0]
            except ValueError:
                pass
    return {"type": "object", "properties": {}}


def _instructions(body: dict[str, Any]) -> str:
    """All message text outside the paper fence (so a paper mentioning Japanese can't flip it)."""
    texts = [m.get("content") or "" for m in body.get("messages", []) if isinstance(m.get("content"), str)]
    return _PAPER.sub(" ", "\n".join(texts))


def _paper(body: dict[str, Any]) -> tuple[str, list[str]]:
    for message in body.get("messages", []):
        if message.get("role") != "user":
            continue
        fence = _PAPER.search(message.get("content") or "")
        if fence:
            fields = dict(_FIELD.findall(fence.group(1)))
            sentences = _SENTENCE_END.split(fields.get("Abstract", "").strip())
            return fields.get("Title", "").strip(), [s for s in sentences if s]
    return "", []


def _write_card(body: dict[str, Any], schema: dict[str, Any], *, english: bool) -> dict[str, Any]:
    title, sentences = _paper(body)
    japanese = "Japanese" in _instructions(body) and not english
    title = title or "an untitled paper"
    out: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("type") == "array":
            n = int(prop.get("minItems", prop.get("maxItems", 3)))
            items = [sentences[i] if i < len(sentences) else f"Point {i + 1} of {title}" for i in range(n)]
            said = [sentences[i] if i < len(sentences) else "" for i in range(n)]  # never invent in Japanese either
            out[name] = [(_japanese_point(i, s) if japanese else items[i])[:380] for i, s in enumerate(said)]
        elif name == "headline":
            out[name] = (f"新提案：「{_short(title)}」という手法を紹介する論文" if japanese else f"New: {title}")[:190]
        elif name == "comment":
            out[name] = (
                "これはすごく面白いかも！実際にどこまで使えるのか試してみたいな。"
                if japanese
                else "This looks really fun! I'd love to see how far it holds up in practice."
            )
        elif prop.get("type") in ("integer", "number"):
            out[name] = 0
        elif prop.get("type") == "boolean":
            out[name] = True
        else:
            out[name] = f"{name} of {title}"
    return out


_CARDS = re.compile(r"<cards>(.*?)</cards>", re.S)


def _write_overview(body: dict[str, Any], *, english: bool) -> dict[str, Any]:
    """The week at a glance over the fenced cards: their count, and [1] to read first."""
    fence = next((m for x in body.get("messages", []) if x.get("role") == "user" and (m := _CARDS.search(str(x.get("content") or "")))), None)
    count = len(re.findall(r"^\[\d+\] ", fence.group(1), re.M)) if fence else 0
    if "Japanese" in _instructions(body) and not english:
        sentences = [f"今週の{count}本の論文は、データの作り方と使い方に関する研究が中心です。",
                     "まずは[1]を読むのがおすすめです。全体の流れがつかめます。"]
    else:
        sentences = [f"This week's {count} papers are mostly about how training data is made and used.",
                     "Start with [1]: it gives the clearest picture of the whole week."]
    return {"sentences": sentences, "read_first": 1}


_ORDINALS = ("第一に", "第二に", "第三に", "第四に", "第五に", "第六に", "第七に", "第八に", "第九に", "第十に")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*\s?(?:%|[BMK]\b|x\b)?")


def _short(text: str, words: int = 4) -> str:
    return " ".join(text.split(":")[0].split()[:words])


def _japanese_point(i: int, sentence: str) -> str:
    """A Japanese bullet on an English sentence: its opening words, and every figure it states."""
    if not sentence:
        return f"{_ORDINALS[i % len(_ORDINALS)]}、詳しくは本文を読む必要がある。"
    figures = "、".join(m.group(0).strip() for m in _FIGURE.finditer(sentence))
    stated = f"数値としては{figures}が示されている。" if figures else "詳しい説明がある。"
    return f"{_ORDINALS[i % len(_ORDINALS)]}、この論文は「{_short(sentence)}」について述べており、{stated}"


def _has_fence(body: dict[str, Any]) -> bool:
    return any(
        m.get("role") == "user" and _PAPER.search(str(m.get("content") or "")) for m in body.get("messages", [])
    )


def _is_japanese(body: dict[str, Any]) -> bool:
    return "Japanese" in _instructions(body)


# --- what real models do to a card (pure functions) ---------------------------------------

_THINKING = (
    "Okay, the user wants a card for this paper. Let me consider the cost first: the method is"
    " $\\mathcal{O}(n \\log n)$ rather than $\\mathcal{O}(n^2)$, and the bound $\\sum_{i=1}^{n} x_i \\le"
    " \\frac{1}{2}$ holds for every $\\{x_i\\}$. A first draft could be {\"headline\": \"draft\", \"bullets\":"
    " [\"TODO\"]} but that is too short. Also the set notation {a, b} is not JSON, and neither is"
    " `{ ... }`. Wait, I should check the required keys again: headline, bullets, comment. Let me write it."
)


def _wrap(content: str, kind: str, body: dict[str, Any]) -> tuple[str, str | None]:
    """Wrap the answer text as a reasoning or chatty model does: (content, reasoning field or None)."""
    if kind == "think":  # DeepSeek-R1 and its distills with the reasoning left in the content
        return f"<think>\n{_THINKING}\n</think>\n\n{content}", None
    if kind == "think_no_open":  # the chat template already emitted "<think>\n", so only the close shows
        return f"{_THINKING}\n</think>\n\n{content}", None
    if kind == "think_unclosed":  # vLLM --reasoning-parser / llama-server / Ollama split the reasoning out
        return content, _THINKING
    # "prose"
    lead = "以下がカードです：" if _is_japanese(body) else "Here is the card:"
    tail = "お役に立てば幸いです！" if _is_japanese(body) else "Hope this helps!"
    return f"{lead}\n```json\n{content}\n```\n{tail}", None


_NUMBER_MARKERS = ("{n}. ", "{n}) ", "・", "({n}) ")


def _alter_card(card: dict[str, Any], kind: str, body: dict[str, Any]) -> None:
    """Mutate a written card the way a sloppy model would (one fault kind)."""
    title, sentences = _paper(body)
    title = title or "an untitled paper"
    japanese = _is_japanese(body)
    bullets = card.get("bullets") if isinstance(card.get("bullets"), list) else []
    if kind == "null_comment":
        card["comment"] = None
    elif kind == "missing_headline":
        card.pop("headline", None)
    elif kind == "numbered":
        card["bullets"] = [
            _NUMBER_MARKERS[i % len(_NUMBER_MARKERS)].format(n=i + 1) + b for i, b in enumerate(bullets)
        ]
    elif kind == "invented":
        abstract = " ".join(sentences)
        figure = INVENTED_FIGURE if INVENTED_FIGURE not in abstract else "98.6%"
        if bullets:
            i = len(bullets) - 1
            if japanese:
                bullets[i] = bullets[i].rstrip("。") + f"。主要ベンチマークで精度{figure}を達成した。"
            else:
                bullets[i] = bullets[i].rstrip(".") + f", reaching {figure} accuracy on the main benchmark."
    elif kind == "overlong":
        card["headline"] = _long_text(title, sentences, 260, japanese, "headline")
        if bullets:
            bullets[0] = _long_text(title, sentences, 520, japanese, "bullet")
        card["comment"] = _long_text(title, sentences, 400, japanese, "comment")


_EN_FILLER = (
    "The authors compare against strong baselines on several standard benchmarks.",
    "The gains hold across model sizes, which suggests the idea is not a tuning artefact.",
    "An ablation study isolates which component matters most.",
    "The code and the trained checkpoints are released for others to build on.",
    "Limitations are discussed openly, including the cost of the extra training stage.",
    "Overall it reads as a careful, well-motivated piece of work.",
)
_JA_FILLER = (
    "著者らは複数の標準ベンチマークで強力な既存手法と比較している。",
    "改善はモデルの規模を変えても一貫して見られ、単なる調整の結果ではないことを示唆している。",
    "アブレーション実験により、どの構成要素が最も効いているかが切り分けられている。",
    "コードと学習済みモデルは公開されており、追試や応用がしやすい。",
    "追加の学習段階にかかるコストなど、限界についても率直に議論されている。",
    "全体として、動機がはっきりした丁寧な研究だと言える。",
)


def _long_text(title: str, sentences: list[str], target: int, japanese: bool, what: str) -> str:
    """Realistic text of about ``target`` characters: whole sentences, then cut at ``target``."""
    if japanese:
        opener = {
            "headline": f"新提案：{title}。",
            "bullet": f"要点1：本論文は{title}を提案する。",
            "comment": "これはすごく面白いかも！",
        }[what]
        parts = [opener, *_JA_FILLER, *_JA_FILLER]
    else:
        opener = {
            "headline": f"New: {title}.",
            "bullet": sentences[0] if sentences else f"This paper presents {title}.",
            "comment": "This looks really fun!",
        }[what]
        parts = [opener, *sentences[1:], *_EN_FILLER, *_EN_FILLER]
    text = ""
    for part in parts:
        if len(text) >= target:
            break
        text += part if japanese or not text else f" {part}"
    while len(text) < target:  # a very long title or short abstract: keep going
        text += ("" if japanese else " ") + (parts[len(text) % len(parts)])
    return text[:target]


def _completion(body: dict[str, Any], content: str | None, refusal: str | None, n: int) -> dict[str, Any]:
    prompt_tokens = sum(len(str(m.get("content") or "")) // 4 for m in body.get("messages", []))
    completion_tokens = len(content or refusal or "") // 4
    return {
        "id": f"chatcmpl-fake{n:06d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
