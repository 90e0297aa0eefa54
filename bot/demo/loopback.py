"""A small HTTP server on 127.0.0.1 in a daemon thread: the base of the loopback fakes."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hung handler must never block shutdown
    request_queue_size = 128  # many clients connect at once in fan-out benchmarks


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
