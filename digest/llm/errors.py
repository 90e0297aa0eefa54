"""How the LLM fails, as the rest of the engine sees it (no message holds the API key)."""

from __future__ import annotations


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
