"""A small HTTP server on 127.0.0.1 in a daemon thread: the base of the loopback fakes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

log = logging.getLogger(__name__)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hung handler must never block shutdown
    request_queue_size = 128  # many clients connect at once in fan-out benchmarks


def get_handler(respond: Callable[[BaseHTTPRequestHandler], None]) -> type[BaseHTTPRequestHandler]:
    """A handler class answering each GET with ``respond(handler)``; a client that gave up
    is no error, and access lines go to the debug log."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            try:
                respond(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug("%s " + format, self.address_string(), *args)

    return Handler


class LoopbackServer:
    """Serves ``handler`` on a free port of 127.0.0.1 between ``start()`` and ``close()``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], name: str) -> None:
        self._name = name
        self._closing = threading.Event()  # set on close: wakes handlers that hang on purpose
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def start(self) -> Self:
        if self._thread is None:
            # A short poll makes close() quick: tests start and stop servers all the time.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.05,), name=self._name, daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
