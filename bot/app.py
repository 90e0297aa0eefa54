"""Composition root: the only reader of settings; builds the engine from them."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError

from config.settings import Settings
from digest.arxiv.fulltext import FullTextFetcher
from digest.llm.client import LLMClient
from digest.engine import Engine, Summarizer
from digest.qa.limits import QALimits
from digest.arxiv.source import ArxivSource
from digest.store import open_store
from digest.cards.extractive import ExtractiveSummarizer
from digest.cards.summarize import LLMSummarizer


class ConfigError(Exception):
    """Settings that cannot work; the message names each key, its value and what is allowed."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as err:
        raise ConfigError(describe_validation_error(err)) from None
    except FileNotFoundError as err:
        raise ConfigError(str(err)) from None
    except tomllib.TOMLDecodeError as err:
        where = os.environ.get("DIGEST_CONFIG_FILE", "the configuration file")
        raise ConfigError(f"DIGEST_CONFIG_FILE={where} is not valid TOML: {err}") from None


def describe_validation_error(err: ValidationError) -> str:
    lines = []
    for problem in err.errors():
        key = ".".join(str(part) for part in problem["loc"])
        value = problem.get("input")
        secret = any(word in key for word in ("key", "token", "secret"))
        shown = "(hidden)" if secret or isinstance(value, SecretStr) else repr(value)
        env = "DIGEST_" + "_".join(str(p) for p in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":  # a typo: naming a variable for it would mislead
            lines.append(f"{key} = {shown}: unknown setting; see config/default.toml for the known ones")
            continue
        lines.append(f"{key} = {shown}: {message} (set it in DIGEST_CONFIG_FILE or {env})")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def masked_url(url: str) -> str:
    """``url`` with any password and query string values hidden: safe to print."""
    parts = urlsplit(url)
    if not parts.password and not parts.query:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@") if parts.password else parts.netloc
    query = "&".join(f"{pair.split('=', 1)[0]}=***" for pair in parts.query.split("&") if pair)
    masked = f"{parts.scheme}://{netloc}{parts.path}"
    return f"{masked}?{query}" if query else masked


def build_llm(settings: Settings) -> LLMClient | None:
    """The process's one LLM client (cards and thread answers share it), or None without one."""
    s = settings.llm
    if not s.configured:
        return None
    return LLMClient(
        model=s.model,
        api_key=s.api_key.get_secret_value() if s.api_key else None,
        base_url=s.base_url,
        timeout=s.timeout,
        max_retries=s.max_retries,
        concurrency=s.concurrency,
        response_format=s.response_format,
        deadline=s.deadline,
    )


def build_source(settings: Settings) -> ArxivSource:
    s = settings.arxiv
    return ArxivSource(s.api_url, s.min_interval, s.page_size, s.max_candidates, s.retries, s.backoff, s.timeout)


def build_fulltext(settings: Settings) -> FullTextFetcher:
    s = settings.arxiv
    return FullTextFetcher(s.html_url, s.pdf_url, s.min_interval, s.retries, s.backoff, s.timeout)


def build_qa_limits(settings: Settings) -> QALimits:
    s = settings.qa
    return QALimits(
        s.per_user_per_hour,
        s.per_thread_per_hour,
        passages=s.passages,
        max_context_tokens=s.max_context_tokens,
        max_answer_chars=s.max_answer_chars,
    )


def build_summarizer(llm: LLMClient | None) -> Summarizer:
    return LLMSummarizer(llm) if llm is not None else ExtractiveSummarizer()


@contextmanager
def engine(settings: Settings) -> Iterator[Engine]:
    store = open_store(settings.database.url)
    try:
        yield Engine(
            source=build_source(settings),
            store=store,
            summarizer=build_summarizer(build_llm(settings)),
            cache_ttl=timedelta(hours=settings.arxiv.cache_hours),
        )
    finally:
        store.close()
