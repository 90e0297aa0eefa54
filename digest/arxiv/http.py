"""How this bot's requests to arxiv.org go: identified, paced at one gate, retried.

arXiv's terms count all of a client's requests, not per endpoint: the query API
(``source.py``), the HTML/PDF renderings (``fulltext.py``) and the harvest wait at the
same gate (``digest.pacing.process_gate``: this process's, or, where the bot shares
PostgreSQL with other processes, all of theirs together), where work a person waits
for (``interactive``: a question's full text, ``/arxiv paper``) takes this process's
next free slot ahead of queued bulk requests. Coroutines
reach these blocking clients through ``off_loop``: bulk work in a pool of its own, so
that 50 searches sleeping at the gate never hold the threads an interactive fetch (and
every other ``asyncio.to_thread``, the store's) needs. Timeouts, connection errors, 429
(honouring Retry-After) and 5xx are ``Transient`` and retried with tenacity's exponential
backoff; what else a response means is the caller's to say.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from typing import TypeVar

import arxiv
import requests
import tenacity

from digest.pacing import Gate, process_gate
from digest.ratelimit import BULK, INTERACTIVE
from digest.retry import Transient, retry_after_seconds, wait_retry_after

log = logging.getLogger(__name__)

GATE = "arxiv"  # every request to arxiv.org in the process waits at this one gate
MAX_WAIT = 300.0  # seconds: cap on one backoff or Retry-After wait
# Bulk calls run this many at a time, the rest queued in order: the gate lets one request
# through per interval anyway; several threads keep it busy while some read a slow answer
# or back off after a 503.
BULK_THREADS = 8

T = TypeVar("T")


def _user_agent() -> str:
    try:
        ours = version("arxiv-digest-bot")
    except PackageNotFoundError:
        ours = "0"
    # arXiv asks API clients to identify themselves; keep the arxiv package's token too.
    return f"arxiv-digest-bot/{ours} {arxiv._USER_AGENT}"


USER_AGENT = _user_agent()


_bulk_pool: ThreadPoolExecutor | None = None
_bulk_pool_lock = threading.Lock()


async def off_loop(call: Callable[[], T], *, interactive: bool) -> T:
    """``call()`` (blocking arXiv work) in a worker thread, awaited.

    Interactive work runs in the event loop's default executor, as ``asyncio.to_thread``;
    bulk work in a process-wide pool of ``BULK_THREADS``, in the order it was asked for,
    so however many searches a tick queues, their waits at the gate hold none of the
    default executor's threads: a question's fetch finds one free and goes to the gate
    at once, where it takes the next slot.
    """
    if interactive:
        return await asyncio.to_thread(call)
    global _bulk_pool
    with _bulk_pool_lock:
        if _bulk_pool is None:
            _bulk_pool = ThreadPoolExecutor(BULK_THREADS, thread_name_prefix="arxiv-bulk")
    return await asyncio.get_running_loop().run_in_executor(_bulk_pool, call)


class ArxivHttp:
    """One client's GETs to arxiv.org, each attempt after the process-wide gate.

    ``requests_made`` counts HTTP attempts, retries included (callers in several threads
    share one client). ``retries`` is the number of attempts after the first; ``backoff``
    the first backoff wait in seconds (doubling, at most ``MAX_WAIT``); ``timeout`` the
    seconds one attempt may wait for an answer. ``interactive``: its requests are for a
    person waiting (served first at the gate); else bulk, unless a ``get`` says otherwise.
    """

    def __init__(
        self, *, min_interval: float, retries: int, backoff: float, timeout: float, interactive: bool = False
    ) -> None:
        self.interactive = interactive
        self.retries = retries
        self.timeout = timeout
        self.requests_made = 0
        self.min_interval = min_interval
        self._count_lock = threading.Lock()
        self._wait = wait_retry_after(tenacity.wait_exponential(multiplier=backoff, max=MAX_WAIT), cap=MAX_WAIT)

    @property
    def gate(self) -> Gate:
        """arXiv's gate, looked up at each request: a pacer shared by every process may be
        set after this client was built (``digest.pacing.use_process_pacer``)."""
        return process_gate(GATE, self.min_interval)

    @contextlib.contextmanager
    def get(
        self, session: requests.Session, url: str, *, stream: bool = False, interactive: bool | None = None
    ) -> Iterator[requests.Response]:
        """One GET attempt: its response, closed when the block ends. ``interactive``: this
        request's priority at the gate (None: the client's).

        Raises ``Transient`` on a timeout, a connection error (also while the block reads a
        streamed body), 429 or 5xx (with the Retry-After in seconds); other
        ``requests.RequestException`` (a bad URL in the settings) as they are.
        """
        self.gate.wait(INTERACTIVE if (self.interactive if interactive is None else interactive) else BULK)
        with self._count_lock:
            self.requests_made += 1
        try:
            with session.get(url, headers={"User-Agent": USER_AGENT}, timeout=self.timeout, stream=stream) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    raise Transient(f"HTTP {status}", retry_after_seconds(response.headers.get("Retry-After")))
                yield response
        except requests.Timeout:
            raise Transient(f"timeout: no answer within {self.timeout:g} s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise Transient(f"connection error ({type(exc).__name__})") from None

    def retrying(self, attempt: Callable[[], T], what: str) -> T:
        """``attempt()``, tried again on ``Transient`` up to ``retries`` times; the last
        ``Transient`` is raised. ``what`` names the target in the retry warnings."""

        def warn(state: tenacity.RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            log.warning(
                "%s: %s (attempt %d of %d); retrying in %.1f s",
                what, failure, state.attempt_number, self.retries + 1, wait,
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(Transient),
            before_sleep=warn,
            reraise=True,
        )
        return retrying(attempt)
