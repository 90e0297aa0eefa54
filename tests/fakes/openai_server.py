"""A loopback OpenAI-compatible Chat Completions server acting as a deterministic fake model.

Tests point the real ``openai`` client at it (only ``base_url`` changes). It reads the
paper fenced in ``<paper>`` tags in the user message and answers a card shaped by the
JSON schema it was given (``response_format``, or the schema text in a system message).
It can imitate servers that reject ``json_schema`` (llama.cpp: 422) or any
``response_format`` (400), and replays a fault script, one entry per request:

    ("status", 429, {"Retry-After": "1"})   # any status, optional headers
    ("hang", 2.0)                           # answer only after 2 s
    ("junk",)  ("wrong_count",)  ("refusal",)  ("english",)  ("empty",)  ("fenced",)

Requests rejected for their ``response_format`` do not consume a fault. A ``responder``
(request body -> JSON object or raw text) replaces the card writer for other kinds of
prompt, e.g. the thread Q&A reader in ``tests/fakes/qa_model.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

DEFAULT_ACCEPT = frozenset({"json_schema", "json_object"})

_PAPER = re.compile(r"<paper>(.*?)</paper>", re.S)
_FIELD = re.compile(r"^(Title|Abstract):[ \t]*(.*)$", re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_SCHEMA_TEXT = "matching this schema"


class FakeOpenAI:
    """Context manager running the fake on 127.0.0.1 in its own thread and event loop."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        accept: Iterable[str] = DEFAULT_ACCEPT,
        faults: Iterable[tuple[Any, ...]] = (),
        responder: Callable[[dict[str, Any]], dict[str, Any] | str] | None = None,
    ) -> None:
        self.latency = latency
        self.responder = responder
        self.accept = frozenset(accept)
        self.faults: deque[tuple[Any, ...]] = deque(faults)
        self.junk_for: set[str] = set()  # titles of papers whose every answer is junk
        self.requests: list[dict[str, Any]] = []  # every body received, in arrival order
        self.headers: list[dict[str, str]] = []
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

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _answer(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        rejected = self._reject_format(body)
        if rejected is not None:
            return rejected
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
            await asyncio.sleep(self.latency)

        refusal = None
        if kind == "junk":
            content: str | None = "Sure! This paper proposes a new method and shows it works well."
        elif kind == "refusal":
            content, refusal = None, "I'm sorry, but I can't help with that request."
        elif kind == "empty":
            content = ""
        elif self.responder is not None:
            reply = self.responder(body)
            content = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
        else:
            schema = _find_schema(body)
            card = _write_card(body, schema, english=kind == "english")
            if kind == "wrong_count" and isinstance(card.get("bullets"), list):
                card["bullets"] = (card["bullets"] * 3)[:3]
            content = json.dumps(card, ensure_ascii=False)
            if kind == "fenced":  # what chatty local models do in prompt mode
                content = f"```json\n{content}\n```"
        return web.json_response(_completion(body, content, refusal, len(self.requests)))

    def _reject_format(self, body: dict[str, Any]) -> web.Response | None:
        fmt = body.get("response_format")
        if fmt is None or fmt.get("type") in self.accept:
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
            return web.json_response({"detail": detail}, status=422)
        error = {
            "message": "response_format is not supported by this server",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
        return web.json_response({"error": error}, status=400)

    @staticmethod
    def _status(fault: tuple[Any, ...], request: web.Request) -> web.Response:
        status = int(fault[1])
        headers = dict(fault[2]) if len(fault) > 2 else {}
        message = f"fake error {status}"
        if status == 401:
            # Echo the presented key, as a careless proxy might: our client must not repeat it.
            message = f"Incorrect API key provided: {request.headers.get('Authorization', '')}"
        error = {"message": message, "type": "fake_error", "param": None, "code": None}
        return web.json_response({"error": error}, status=status, headers=headers)


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
            out[name] = [(f"要点{i + 1}：{s}" if japanese else s)[:380] for i, s in enumerate(items)]
        elif name == "headline":
            out[name] = (f"新提案：{title}" if japanese else f"New: {title}")[:190]
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
