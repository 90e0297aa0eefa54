"""Response-format negotiation: how a server is asked for JSON, found once per client.

``json_schema`` → ``json_object`` with the schema → the schema in the prompt. A server
that refuses a format says so with a 400, 422 or 500 whose body names it
(llama-cpp-python answers ``json_schema`` with a 500 wrapping "Input should be 'text' or
'json_object'"; see ``tests/fakes/openai_server.py`` for each server's recorded answer):
that means "try the next format", never "server down", and is not retried. The first
call probes; concurrent calls wait for its verdict instead of each being refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from digest.llm.errors import LLMError
from digest.llm.retries import Budget, within

log = logging.getLogger(__name__)

Mode = Literal["json_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")
SCHEMA_INSTRUCTION = "Answer with only a JSON object matching this schema:"

# Words a server uses when it is the response_format (not the prompt) it cannot take.
_FORMAT_WORDS = re.compile(
    r"response_format|json_schema|json_object|structured output|guided|grammar|schema", re.I
)

T = TypeVar("T")


class FormatRejected(Exception):
    """The server refused the response_format we asked for (drives mode detection)."""

    def __init__(self, mode: Mode, message: str, status: int) -> None:
        super().__init__(message)
        self.mode, self.status = mode, status


def format_request(
    mode: Mode, messages: list[dict[str, Any]], schema: dict[str, Any], schema_name: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The messages and the extra Chat Completions arguments that ask for ``schema`` in ``mode``."""
    if mode == "json_schema":
        json_schema = {"name": schema_name, "schema": schema, "strict": True}
        return messages, {"response_format": {"type": "json_schema", "json_schema": json_schema}}
    # Servers that ignore the schema (or take none) still learn it from the prompt.
    messages = _with_schema_instruction(messages, schema)
    if mode == "json_object":
        return messages, {"response_format": {"type": "json_object", "schema": schema}}
    return messages, {}


def _with_schema_instruction(messages: list[dict[str, Any]], schema: dict[str, Any]) -> list[dict[str, Any]]:
    instruction = f"{SCHEMA_INSTRUCTION} {json.dumps(schema, ensure_ascii=False)}"
    out = [dict(m) for m in messages]
    for message in out:
        if message.get("role") == "system" and isinstance(message.get("content"), str):
            message["content"] = f"{message['content'].rstrip()}\n\n{instruction}"
            return out
    return [{"role": "system", "content": instruction}, *out]


def rejects_format(status: int, detail: str) -> bool:
    """Is this refusal about the response_format rather than the request or the server?

    422 is request validation: with the same messages working in other modes, the
    response_format is what failed. A 400 or 500 must name it, lest a too-long prompt
    (400) or a crashed server (500) silently downgrade the mode.
    """
    return status == 422 or (status in (400, 500) and bool(_FORMAT_WORDS.search(detail)))


class FormatNegotiation:
    """The response format of one server: ``configured``, or, for "auto", found by the
    first call (the probe) and lowered whenever the server refuses the current one."""

    def __init__(self, configured: str, *, model: str, server: str) -> None:
        if configured != "auto" and configured not in MODES:
            raise ValueError(f"response_format must be auto or one of {', '.join(MODES)}")
        self.configured = configured
        self.model, self.server = model, server
        self._mode: Mode | None = None if configured == "auto" else configured  # type: ignore[assignment]
        self._untried = 0  # index in MODES of the best format not yet rejected
        self._probe = asyncio.Lock()
        self._probe_failures = 0  # probes that got no answer (transport errors, deadline)
        self._probe_error: LLMError | None = None

    @property
    def mode(self) -> Mode | None:
        """How JSON is requested: configured, or detected on the first call (None before)."""
        return self._mode

    async def complete(self, attempt: Callable[[Mode], Awaitable[T]], budget: Budget) -> T:
        """``attempt(mode)`` in the server's format, probing for it first when unknown.

        ``attempt`` raises ``FormatRejected`` when the server refuses the mode. Raises
        ``LLMError`` when the configured format is refused, when the probe this call
        waited for got no answer (nor would this call), or as ``attempt`` does.
        """
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
                            result = await attempt(MODES[self._untried])
                        except FormatRejected as rejected:
                            self._refused(rejected)
                            continue
                        except LLMError as err:
                            self._probe_failures += 1
                            self._probe_error = err
                            raise
                        self._mode = MODES[self._untried]
                        log.info("LLM response format for %s at %s: %s", self.model, self.server, self._mode)
                        return result
                continue
            try:
                return await attempt(mode)
            except FormatRejected as rejected:
                if self.configured != "auto":
                    raise LLMError(
                        f"LLM server {self.server} refuses the configured response_format "
                        f"{mode}: {rejected}; set DIGEST_LLM_RESPONSE_FORMAT=auto",
                        status=rejected.status,
                    ) from None
                self._refused(rejected)  # e.g. a schema this server's grammar cannot take
                if self._mode == mode:
                    self._mode = MODES[self._untried]

    async def _wait_for_probe(self, budget: Budget) -> None:
        """Wait while another call probes the server; the wait is charged to ``budget``."""
        if not self._probe.locked():
            return
        async with within(budget, f"LLM server {self.server} gave no answer to the first request"):
            async with self._probe:
                pass

    def _refused(self, rejected: FormatRejected) -> None:
        log.info("LLM server %s refused response_format %s (%s)", self.server, rejected.mode, rejected)
        self._untried = max(self._untried, MODES.index(rejected.mode) + 1)
