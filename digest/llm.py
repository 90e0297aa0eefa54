"""The project's only OpenAI client: one JSON-answering Chat Completions call at a time.

``LLMClient.complete_json`` sends one request and returns the parsed JSON object. It
negotiates how to ask for JSON once per client (``json_schema`` → ``json_object`` →
schema in the prompt), bounds concurrency, and leaves retries on 429 (honouring
Retry-After), 5xx, connection errors and timeouts to the openai SDK's own ``max_retries``.
Every failure surfaces as ``LLMError`` whose message never contains the API key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import openai
from openai import AsyncOpenAI

from config.settings import LLMSettings

log = logging.getLogger(__name__)

Mode = Literal["json_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")
# llama.cpp's documented dummy key: local servers ignore it, the SDK insists on one.
PLACEHOLDER_KEY = "sk-no-key-required"
SCHEMA_INSTRUCTION = "Answer with only a JSON object matching this schema:"

_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*\n?(.*?)\n?\s*```$", re.S)
# Words a server uses when it is the response_format (not the prompt) it cannot take.
_FORMAT_WORDS = re.compile(r"response_format|json_schema|json_object|structured output|schema", re.I)


class LLMError(Exception):
    """The LLM gave no usable answer (HTTP failure after retries, refusal, junk)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LLMResponseError(LLMError):
    """The server answered, but the answer is unusable; ``content`` is what it said."""

    def __init__(self, message: str, *, content: str) -> None:
        super().__init__(message)
        self.content = content


class _FormatRejected(Exception):
    """The server refused the response_format we asked for (drives mode detection)."""

    def __init__(self, mode: Mode, message: str) -> None:
        super().__init__(message)
        self.mode = mode


class LLMClient:
    """Async JSON completions against any OpenAI-compatible server."""

    def __init__(
        self,
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        concurrency: int = 4,
        response_format: Literal["auto", "json_schema", "json_object", "prompt"] = "auto",
    ) -> None:
        if response_format != "auto" and response_format not in MODES:
            raise ValueError(f"response_format must be auto or one of {', '.join(MODES)}")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.model = model
        self.base_url = base_url
        self.configured_mode = response_format
        self._mode: Mode | None = None if response_format == "auto" else response_format
        self._untried = 0  # index in MODES of the best format not yet rejected
        self._secret = api_key or ""
        key = api_key or (PLACEHOLDER_KEY if base_url else None)
        try:
            # With neither key nor URL the SDK reads OPENAI_API_KEY itself, or refuses.
            self._client = AsyncOpenAI(
                api_key=key, base_url=base_url, timeout=timeout, max_retries=max_retries
            )
        except openai.OpenAIError as err:
            raise LLMError(f"cannot build the OpenAI client: {self._redact(str(err))}") from None
        self._secret = self._secret or self._client.api_key
        self._slots = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self.calls = 0  # completions we started (SDK retries excluded; see .retries)
        self.retries = 0  # retries the SDK made inside those calls
        self.prompt_tokens = 0
        self.completion_tokens = 0

    @classmethod
    def from_settings(cls, s: LLMSettings) -> LLMClient:
        return cls(
            model=s.model,
            api_key=s.api_key.get_secret_value() if s.api_key else None,
            base_url=s.base_url,
            timeout=s.timeout,
            max_retries=s.max_retries,
            concurrency=s.concurrency,
            response_format=s.response_format,
        )

    @property
    def mode(self) -> Mode | None:
        """How JSON is requested: configured, or detected on the first call (None before)."""
        return self._mode

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def complete_json(
        self, messages: list[dict[str, Any]], schema: dict[str, Any], schema_name: str
    ) -> dict[str, Any]:
        """One completion whose answer must be a JSON object (not validated against schema)."""
        # Until a format has worked, each call probes from the best format known so far.
        # The first wave of concurrent calls thus probes in parallel (a server that
        # rejects json_schema sees at most `concurrency` rejected requests, once) rather
        # than queueing behind one probe: detection costs no extra round trip.
        while True:
            try:
                mode, message = await self._request(messages, schema, schema_name)
            except _FormatRejected as rejected:
                log.info("LLM server %s rejected response_format %s (%s)", self._where(), rejected.mode, rejected)
                self._untried = max(self._untried, MODES.index(rejected.mode) + 1)
                continue
            if self._mode is None:
                # The server took the format; junk content is the model's fault, not the mode's.
                self._mode = mode
                log.info("LLM response format for %s at %s: %s", self.model, self._where(), mode)
            return _parse(message)

    async def _request(
        self, messages: list[dict[str, Any]], schema: dict[str, Any], schema_name: str
    ) -> tuple[Mode, Any]:
        """One call in the best format known when its slot comes up."""
        async with self._slots:
            probing = self._mode is None
            mode = self._mode or MODES[self._untried]
            return mode, await self._send(mode, probing, messages, schema, schema_name)

    async def _send(
        self, mode: Mode, probing: bool, messages: list[dict[str, Any]], schema: dict[str, Any], schema_name: str
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        else:
            # Servers that ignore the schema (or take none) still learn it from the prompt.
            messages = _with_schema_instruction(messages, schema)
            if mode == "json_object":
                kwargs["response_format"] = {"type": "json_object", "schema": schema}
        self.calls += 1
        try:
            raw = await self._client.chat.completions.with_raw_response.create(
                model=self.model, messages=messages, **kwargs  # type: ignore[arg-type]
            )
        except openai.APIStatusError as err:
            detail = self._redact(_server_message(err))
            if probing and mode != "prompt" and _rejects_format(err, detail):
                raise _FormatRejected(mode, f"HTTP {err.status_code}: {detail}") from None
            raise LLMError(
                f"LLM request to {self.model} at {self._where()} failed: "
                f"HTTP {err.status_code}: {detail}",
                status=err.status_code,
            ) from None
        except openai.APITimeoutError:
            raise LLMError(
                f"LLM request to {self.model} at {self._where()} timed out "
                f"(after the client's retries)"
            ) from None
        except openai.OpenAIError as err:  # connection refused, DNS, TLS, ...
            raise LLMError(
                f"LLM request to {self.model} at {self._where()} failed: "
                f"{type(err).__name__}: {self._redact(str(err))}"
            ) from None
        self.retries += raw.retries_taken
        try:
            completion = raw.parse()
        except (openai.OpenAIError, ValueError) as err:  # e.g. a proxy's HTML page with 200
            raise LLMError(
                f"unreadable answer from {self._where()}: {type(err).__name__}"
            ) from None
        if completion.usage is not None:
            self.prompt_tokens += completion.usage.prompt_tokens
            self.completion_tokens += completion.usage.completion_tokens
        if not completion.choices:
            raise LLMResponseError(f"{self.model} answered no choices", content="")
        return completion.choices[0]

    def _where(self) -> str:
        """The server URL without any credentials or query string in it."""
        if not self.base_url:
            return "api.openai.com"
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def _redact(self, text: str) -> str:
        if self._secret and self._secret != PLACEHOLDER_KEY:
            text = text.replace(self._secret, "***")
        return text[:500]


def _with_schema_instruction(messages: list[dict[str, Any]], schema: dict[str, Any]) -> list[dict[str, Any]]:
    instruction = f"{SCHEMA_INSTRUCTION} {json.dumps(schema, ensure_ascii=False)}"
    out = [dict(m) for m in messages]
    for message in out:
        if message.get("role") == "system" and isinstance(message.get("content"), str):
            message["content"] = f"{message['content'].rstrip()}\n\n{instruction}"
            return out
    return [{"role": "system", "content": instruction}, *out]


def _server_message(err: openai.APIStatusError) -> str:
    body = err.body
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict) and body["error"].get("message"):
            return str(body["error"]["message"])
        if "detail" in body:  # FastAPI validation errors (llama-cpp-python)
            return json.dumps(body["detail"], ensure_ascii=False)
        if body.get("message"):
            return str(body["message"])
    return str(body) if body is not None else err.message


def _rejects_format(err: openai.APIStatusError, detail: str) -> bool:
    # 422 is a request-validation error: with the same messages working in other modes,
    # the response_format is what failed. A 400 must say so, lest a too-long prompt
    # (also 400) silently downgrade the mode.
    return err.status_code == 422 or (err.status_code == 400 and bool(_FORMAT_WORDS.search(detail)))


def _parse(choice: Any) -> dict[str, Any]:
    message = choice.message
    if getattr(message, "refusal", None):
        raise LLMResponseError(f"the model refused: {message.refusal[:200]}", content=message.refusal)
    content = (message.content or "").strip()
    if not content:
        raise LLMResponseError(
            f"the model answered nothing (finish_reason={choice.finish_reason})", content=""
        )
    text = content
    if fenced := _FENCE.match(text):
        text = fenced.group(1).strip()
    try:
        value = json.loads(text)
    except ValueError:
        # Prompt-mode models often wrap the object in chatter: take the first object found.
        start = text.find("{")
        try:
            value = json.JSONDecoder().raw_decode(text, start)[0] if start >= 0 else None
        except ValueError:
            value = None
        if value is None:
            raise LLMResponseError(
                f"the answer is not JSON (finish_reason={choice.finish_reason}): {content[:120]!r}",
                content=content,
            ) from None
    if not isinstance(value, dict):
        raise LLMResponseError(f"the answer is JSON but not an object: {content[:120]!r}", content=content)
    return value
