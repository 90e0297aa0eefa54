"""The project's only OpenAI client: JSON-answering Chat Completions calls, one per slot.

``LLMClient.complete_json`` sends one request and returns the JSON object found in the
answer. One client serves a whole process (cards, thread answers, search keywords), so
the concurrency limit, the detected response format and the token counts are the
server's, not a caller's.

- **Format negotiation**, once per client: ``json_schema`` → ``json_object`` with the
  schema → the schema in the prompt. A server that refuses a format says so with a 400,
  422 or 500 whose body names it (llama-cpp-python answers ``json_schema`` with a 500
  wrapping "Input should be 'text' or 'json_object'"; see ``tests/fakes/openai_server.py``
  for each server's recorded answer): that means "try the next format", never "server
  down", and is not retried. The first call probes; concurrent calls wait for its verdict
  instead of each being refused.
- **Retries** on 429 (honouring Retry-After), 408, 409, 5xx, connection errors and
  timeouts, with tenacity's exponential backoff, ``max_retries`` times. The openai SDK's
  own retries are off, so that a format refusal sent as a 500 is not retried blindly.
- **One deadline**: a ``Budget`` of seconds covers every retry of a call and, when the
  caller passes the same budget again, its re-asks; a hung server costs a card that long.
- **What the server wraps the JSON in** is taken off: reasoning blocks
  (``<think>…</think>``, also when only the closing tag is there, as DeepSeek-R1 templates
  emit), code fences, prose before or after. When several objects appear (a draft in the
  reasoning), the one with the most of the schema's fields wins, the last on a tie.

Every failure surfaces as ``LLMError``, whose message never contains the API key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import openai
import tenacity
from openai import AsyncOpenAI

from digest.retry import retry_after_seconds

log = logging.getLogger(__name__)

Mode = Literal["json_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")
# llama.cpp's documented dummy key: local servers ignore it, the SDK insists on one.
PLACEHOLDER_KEY = "sk-no-key-required"
SCHEMA_INSTRUCTION = "Answer with only a JSON object matching this schema:"
RETRY_AFTER_MAX = 60.0  # seconds: a longer Retry-After is capped (the deadline still rules)

# Words a server uses when it is the response_format (not the prompt) it cannot take.
_FORMAT_WORDS = re.compile(
    r"response_format|json_schema|json_object|structured output|guided|grammar|schema", re.I
)
_REASONING = re.compile(r"<(think|thinking|reasoning|reflection)>.*?</\1>", re.S | re.I)
_REASONING_CLOSE = re.compile(r"</(?:think|thinking|reasoning|reflection)>", re.I)
_MAX_CANDIDATES = 200  # '{' positions tried when looking for the object in chatter


class LLMError(Exception):
    """The LLM gave no usable answer (HTTP failure after retries, deadline, refusal, junk)."""

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

    def __init__(self, mode: Mode, message: str, status: int) -> None:
        super().__init__(message)
        self.mode, self.status = mode, status


class _Transient(Exception):
    """A failure worth another attempt; ``retry_after`` in seconds when the server said."""

    def __init__(self, error: LLMError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error, self.retry_after = error, retry_after


@dataclass
class Budget:
    """Seconds of server time left to one piece of work (a card, an answer), retries included."""

    seconds: float
    spent: float = field(default=0.0)

    @property
    def left(self) -> float:
        return max(0.0, self.seconds - self.spent)


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
        deadline: float = 180.0,
        backoff: float = 1.0,
    ) -> None:
        if response_format != "auto" and response_format not in MODES:
            raise ValueError(f"response_format must be auto or one of {', '.join(MODES)}")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.model = model
        self.base_url = base_url
        self.configured_mode = response_format
        self.timeout = timeout
        self.max_retries = max_retries
        self.deadline = deadline
        self._mode: Mode | None = None if response_format == "auto" else response_format
        self._untried = 0  # index in MODES of the best format not yet rejected
        self._probe = asyncio.Lock()
        self._probe_failures = 0  # probes that got no answer (transport errors, deadline)
        self._probe_error: LLMError | None = None
        self._secret = api_key or ""
        key = api_key or (PLACEHOLDER_KEY if base_url else None)
        try:
            # With neither key nor URL the SDK reads OPENAI_API_KEY itself, or refuses.
            self._client = AsyncOpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=0)
        except openai.OpenAIError as err:
            raise LLMError(f"cannot build the OpenAI client: {self._redact(str(err))}") from None
        self._secret = self._secret or self._client.api_key
        self._backoff = tenacity.wait_exponential(multiplier=backoff, max=20)
        self._slots = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self.calls = 0  # completions asked for (retries excluded; see .retries)
        self.requests = 0  # HTTP requests sent, retries and format probes included
        self.retries = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0

    @property
    def mode(self) -> Mode | None:
        """How JSON is requested: configured, or detected on the first call (None before)."""
        return self._mode

    def budget(self) -> Budget:
        """A fresh deadline for one piece of work: pass it to every call that work makes."""
        return Budget(self.deadline)

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def complete_json(
        self,
        messages: list[dict[str, Any]],
        schema: dict[str, Any],
        schema_name: str,
        *,
        budget: Budget | None = None,
    ) -> dict[str, Any]:
        """One completion whose answer holds a JSON object (shape not validated against ``schema``).

        Raises ``LLMResponseError`` when the server answered without a usable object (its
        text in ``.content``), ``LLMError`` when it did not answer within the retries or
        the ``budget`` (default: a fresh one of ``deadline`` seconds).
        """
        budget = budget or self.budget()
        self.calls += 1
        async with self._slots:
            while True:
                mode = self._mode
                if mode is None:
                    failures = self._probe_failures
                    await self._wait_for_probe(budget)
                    async with self._probe:  # one probe per server; the others wait for it
                        if self._mode is None:
                            if self._probe_failures != failures and self._probe_error is not None:
                                # The probe this call waited for got no answer: nor would it.
                                raise LLMError(str(self._probe_error), status=self._probe_error.status)
                            try:
                                choice = await self._timed(MODES[self._untried], messages, schema, schema_name, budget)
                            except _FormatRejected as rejected:
                                self._refused(rejected)
                                continue
                            except LLMError as err:
                                self._probe_failures += 1
                                self._probe_error = err
                                raise
                            self._mode = MODES[self._untried]
                            log.info("LLM response format for %s at %s: %s", self.model, self._where(), self._mode)
                            return _parse(choice, schema)
                    continue
                try:
                    choice = await self._timed(mode, messages, schema, schema_name, budget)
                except _FormatRejected as rejected:
                    if self.configured_mode != "auto":
                        raise LLMError(
                            f"LLM server {self._where()} refuses the configured response_format "
                            f"{mode}: {rejected}; set DIGEST_LLM_RESPONSE_FORMAT=auto",
                            status=rejected.status,
                        ) from None
                    self._refused(rejected)  # e.g. a schema this server's grammar cannot take
                    if self._mode == mode:
                        self._mode = MODES[self._untried]
                    continue
                return _parse(choice, schema)

    async def _wait_for_probe(self, budget: Budget) -> None:
        """Wait while another call probes the server; the wait is charged to ``budget``."""
        if not self._probe.locked():
            return
        async with self._within(budget, f"LLM server {self._where()} gave no answer to the first request"):
            async with self._probe:
                pass

    def _refused(self, rejected: _FormatRejected) -> None:
        log.info("LLM server %s refused response_format %s (%s)", self._where(), rejected.mode, rejected)
        self._untried = max(self._untried, MODES.index(rejected.mode) + 1)

    async def _timed(
        self, mode: Mode, messages: list[dict[str, Any]], schema: dict[str, Any], name: str, budget: Budget
    ) -> Any:
        """``_send`` with retries, within what is left of ``budget``."""
        where = f"LLM request to {self.model} at {self._where()}"
        if budget.left <= 0:
            raise LLMError(f"{where}: no time left of the {budget.seconds:g} s deadline")
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Transient),
            before_sleep=self._note_retry,
            reraise=True,
        )
        try:
            async with self._within(budget, f"{where} gave no answer"):
                async for attempt in retrying:
                    with attempt:
                        return await self._send(mode, messages, schema, name)
        except _Transient as failure:
            raise failure.error from None
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.asynccontextmanager
    async def _within(self, budget: Budget, what: str) -> AsyncIterator[None]:
        """The block runs within what is left of ``budget``, and the time it takes is spent."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(budget.left):
                yield
        except TimeoutError:
            raise LLMError(f"{what} within the {budget.seconds:g} s deadline (DIGEST_LLM_DEADLINE)") from None
        finally:
            budget.spent += loop.time() - started

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Transient) and failure.retry_after is not None:
            return min(failure.retry_after, RETRY_AFTER_MAX)
        return self._backoff(state)

    def _note_retry(self, state: tenacity.RetryCallState) -> None:
        self.retries += 1
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("LLM request failed (%s), attempt %d; retrying in %.1f s", failure, state.attempt_number, wait)

    async def _send(self, mode: Mode, messages: list[dict[str, Any]], schema: dict[str, Any], schema_name: str) -> Any:
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
        self.requests += 1
        where = f"LLM request to {self.model} at {self._where()}"
        try:
            completion = await self._client.chat.completions.create(
                model=self.model, messages=messages, **kwargs  # type: ignore[arg-type]
            )
        except openai.APIStatusError as err:
            detail = self._redact(_server_message(err))
            if mode != "prompt" and _rejects_format(err.status_code, detail):
                raise _FormatRejected(mode, f"HTTP {err.status_code}: {detail}", err.status_code) from None
            error = LLMError(f"{where} failed: HTTP {err.status_code}: {detail}{_hint(err.status_code)}", status=err.status_code)
            if err.status_code in (408, 409, 429) or err.status_code >= 500:
                raise _Transient(error, _retry_after(err.response.headers)) from None
            raise error from None
        except openai.APITimeoutError:
            raise _Transient(LLMError(f"{where} timed out after {self.timeout:g} s")) from None
        except openai.APIConnectionError as err:  # refused, reset, DNS, TLS
            raise _Transient(LLMError(
                f"{where} failed: {type(err).__name__}: {self._redact(str(err))} "
                "(is the server running? OPENAI_BASE_URL names it)"
            )) from None
        except (openai.OpenAIError, ValueError) as err:  # e.g. a proxy's HTML page with 200
            raise LLMError(f"unreadable answer from {self._where()}: {type(err).__name__}") from None
        if completion.usage is not None:
            self.prompt_tokens += completion.usage.prompt_tokens or 0
            self.completion_tokens += completion.usage.completion_tokens or 0
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
        if body.get("message"):  # vLLM's {"object": "error", "message": ...}
            return str(body["message"])
        if isinstance(body.get("error"), str):  # Ollama's native {"error": "..."}
            return body["error"]
    return str(body) if body is not None else err.message


def _rejects_format(status: int, detail: str) -> bool:
    """Is this refusal about the response_format rather than the request or the server?

    422 is request validation: with the same messages working in other modes, the
    response_format is what failed. A 400 or 500 must name it, lest a too-long prompt
    (400) or a crashed server (500) silently downgrade the mode.
    """
    return status == 422 or (status in (400, 500) and bool(_FORMAT_WORDS.search(detail)))


def _hint(status: int) -> str:
    """What to check, for the statuses a setting causes."""
    if status in (401, 403):
        return " (check OPENAI_API_KEY)"
    if status == 404:
        return " (check DIGEST_LLM_MODEL and OPENAI_BASE_URL, which usually ends in /v1)"
    return ""


def _retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` (OpenAI's) or ``retry-after`` (``source.retry_after_seconds``)."""
    if headers is None:
        return None
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000)
    except ValueError:
        pass
    return retry_after_seconds(headers.get("retry-after"))


def strip_reasoning(text: str) -> str:
    """``text`` without reasoning blocks; everything up to a lone closing tag is reasoning too."""
    text = _REASONING.sub(" ", text)
    closes = list(_REASONING_CLOSE.finditer(text))
    return text[closes[-1].end() :] if closes else text


def extract_object(text: str, fields: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The JSON object in ``text`` that has the most of ``fields`` (the last on a tie), or None.

    ``text`` may hold code fences, prose and drafts around the object; reasoning blocks
    are removed first (``strip_reasoning``).
    """
    text = strip_reasoning(text)
    decoder = json.JSONDecoder()
    best: tuple[int, dict[str, Any]] | None = None
    at, tried = text.find("{"), 0
    while at >= 0 and tried < _MAX_CANDIDATES:
        tried += 1
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            at = text.find("{", at + 1)
            continue
        if isinstance(value, dict):
            score = sum(name in value for name in fields)
            if best is None or score >= best[0]:
                best = (score, value)
        at = text.find("{", end)
    return best[1] if best else None


def _parse(choice: Any, schema: dict[str, Any]) -> dict[str, Any]:
    message = choice.message
    if getattr(message, "refusal", None):
        raise LLMResponseError(f"the model refused: {message.refusal[:200]}", content=message.refusal)
    content = (message.content or "").strip()
    if not content:
        raise LLMResponseError(f"the model answered nothing (finish_reason={choice.finish_reason})", content="")
    fields = tuple(schema.get("required") or schema.get("properties") or ())
    value = extract_object(content, fields)
    if value is None:
        cut = " (cut off at the server's max_tokens)" if choice.finish_reason == "length" else ""
        raise LLMResponseError(f"the answer is not JSON, nor holds a JSON object{cut}: {content[:120]!r}", content=content)
    return value
