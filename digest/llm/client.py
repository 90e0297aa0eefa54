"""The project's only OpenAI client: JSON-answering Chat Completions calls, one per slot.

``LLMClient.complete_json`` sends one request and returns the JSON object found in the
answer. One client serves a whole process (cards, thread answers, search keywords), so
the concurrency limit, the detected response format and the token counts are the
server's, not a caller's. Its parts:

- **Format negotiation** (``formats.py``), once per client: ``json_schema`` →
  ``json_object`` with the schema → the schema in the prompt; a refusal naming the
  format means "try the next one", is not retried, and the first call probes for all.
- **Retries** (``retries.py``) on 429 (honouring Retry-After), 408, 409, 5xx, connection
  errors and timeouts, with tenacity's exponential backoff, ``max_retries`` times. The
  openai SDK's own retries are off, so that a format refusal sent as a 500 is not
  retried blindly.
- **One deadline**: a ``Budget`` of seconds covers every retry of a call and, when the
  caller passes the same budget again, its re-asks; a hung server costs a card that long.
- **What the server wraps the JSON in** (``replies.py``) is taken off: reasoning blocks,
  code fences, prose before or after.
- **Tokens** the server reports (``usage``) are counted here and, when an account is in
  force (``usage.py``: ``charged_to``, or ``account=``), recorded through ``usage_sink``.

Every failure surfaces as ``LLMError`` (``errors.py``), whose message never contains the
API key.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import openai
import tenacity
from openai import AsyncOpenAI

from digest.llm.errors import LLMError, LLMResponseError
from digest.llm.formats import FormatNegotiation, FormatRejected, Mode, format_request, rejects_format
from digest.llm.replies import reply_object
from digest.llm.retries import Budget, Retryable, backoff_wait, retried
from digest.llm.slots import PrioritySlots
from digest.llm.usage import Account, UsageSink, current_account, this_month
from digest.retry import retry_after_seconds

log = logging.getLogger(__name__)

# llama.cpp's documented dummy key: local servers ignore it, the SDK insists on one.
PLACEHOLDER_KEY = "sk-no-key-required"


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
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.model = model
        self.base_url = base_url
        self.configured_mode = response_format
        self.timeout = timeout
        self.max_retries = max_retries
        self.deadline = deadline
        self._formats = FormatNegotiation(response_format, model=model, server=self._where())
        self._secret = api_key or ""
        key = api_key or (PLACEHOLDER_KEY if base_url else None)
        try:
            # With neither key nor URL the SDK reads OPENAI_API_KEY itself, or refuses.
            self._client = AsyncOpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=0)
        except openai.OpenAIError as err:
            raise LLMError(f"cannot build the OpenAI client: {self._redact(str(err))}") from None
        self._secret = self._secret or self._client.api_key
        self._wait = backoff_wait(backoff)
        self._slots = PrioritySlots(concurrency)  # a question first, then overviews, then cards
        self.concurrency = concurrency
        self.calls = 0  # completions asked for (retries excluded; see .retries)
        self.requests = 0  # HTTP requests sent, retries and format probes included
        self.retries = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        # Where an account's tokens are recorded (the store; set by the composition root).
        self.usage_sink: UsageSink | None = None

    @property
    def mode(self) -> Mode | None:
        """How JSON is requested: configured, or detected on the first call (None before)."""
        return self._formats.mode

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
        account: Account | None = None,
    ) -> dict[str, Any]:
        """One completion whose answer holds a JSON object (shape not validated against ``schema``).

        Its tokens are charged to ``account`` (default: the one in force, ``usage.charged_to``).

        Raises ``LLMResponseError`` when the server answered without a usable object (its
        text in ``.content``), ``LLMError`` when it did not answer within the retries or
        the ``budget`` (default: a fresh one of ``deadline`` seconds).
        """
        budget = budget or self.budget()
        account = account or current_account()
        self.calls += 1
        where = f"LLM request to {self.model} at {self._where()}"

        async def attempt(mode: Mode) -> Any:  # the chosen reply, asked for in ``mode``
            return await retried(
                lambda: self._send(mode, messages, schema, schema_name, account),
                budget=budget, where=where, attempts=self.max_retries + 1, wait=self._wait,
                before_sleep=self._note_retry,
            )

        async with self._slots.take():
            return reply_object(await self._formats.complete(attempt, budget), schema)

    def _note_retry(self, state: tenacity.RetryCallState) -> None:
        self.retries += 1
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("LLM request failed (%s), attempt %d; retrying in %.1f s", failure, state.attempt_number, wait)

    async def _send(
        self, mode: Mode, messages: list[dict[str, Any]], schema: dict[str, Any], schema_name: str,
        account: Account | None = None,
    ) -> Any:
        """One request asking for JSON in ``mode``: the reply's first choice.

        Raises ``FormatRejected`` (the server refuses ``mode``), ``Retryable`` (worth
        another attempt), ``LLMError`` (not), ``LLMResponseError`` (no choice at all).
        """
        messages, kwargs = format_request(mode, messages, schema, schema_name)
        self.requests += 1
        where = f"LLM request to {self.model} at {self._where()}"
        try:
            completion = await self._client.chat.completions.create(
                model=self.model, messages=messages, **kwargs  # type: ignore[arg-type]
            )
        except openai.APIStatusError as err:
            detail = self._redact(_server_message(err))
            if mode != "prompt" and rejects_format(err.status_code, detail):
                raise FormatRejected(mode, f"HTTP {err.status_code}: {detail}", err.status_code) from None
            error = LLMError(f"{where} failed: HTTP {err.status_code}: {detail}{_hint(err.status_code)}", status=err.status_code)
            if err.status_code in (408, 409, 429) or err.status_code >= 500:
                raise Retryable(error, _retry_after(err.response.headers)) from None
            raise error from None
        except openai.APITimeoutError:
            raise Retryable(LLMError(f"{where} timed out after {self.timeout:g} s")) from None
        except openai.APIConnectionError as err:  # refused, reset, DNS, TLS
            raise Retryable(LLMError(
                f"{where} failed: {type(err).__name__}: {self._redact(str(err))} "
                "(is the server running? OPENAI_BASE_URL names it)"
            )) from None
        except (openai.OpenAIError, ValueError) as err:  # e.g. a proxy's HTML page with 200
            raise LLMError(f"unreadable answer from {self._where()}: {type(err).__name__}") from None
        if completion.usage is not None:
            await self._count(completion.usage.prompt_tokens or 0, completion.usage.completion_tokens or 0, account)
        if not completion.choices:
            raise LLMResponseError(f"{self.model} answered no choices", content="")
        return completion.choices[0]

    async def _count(self, prompt: int, completion: int, account: Account | None) -> None:
        """Every request's tokens, a refused format probe's and a re-ask's included: the
        server bills them all. A failure to record is logged, never the call's failure."""
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        if account is None or self.usage_sink is None or not prompt + completion:
            return
        try:
            await asyncio.to_thread(self.usage_sink.record_usage, account, this_month(), prompt, completion)
        except Exception as err:  # the store down: the card still goes out
            log.warning("LLM tokens not recorded for %s: %s", account, type(err).__name__)

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


def _hint(status: int) -> str:
    """What to check, for the statuses a setting causes."""
    if status in (401, 403):
        return " (check OPENAI_API_KEY)"
    if status == 404:
        return " (check DIGEST_LLM_MODEL and OPENAI_BASE_URL, which usually ends in /v1)"
    return ""


def _retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` (OpenAI's) or ``retry-after`` (``digest.retry.retry_after_seconds``)."""
    if headers is None:
        return None
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000)
    except ValueError:
        pass
    return retry_after_seconds(headers.get("retry-after"))
