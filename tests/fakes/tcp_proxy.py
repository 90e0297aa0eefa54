"""A tiny TCP proxy on 127.0.0.1 that can cut every connection through it at once.

``with TcpProxy(5432) as proxy:`` then point a client at ``proxy.port``; ``proxy.cut()``
resets (RST, ``SO_LINGER`` 0) both ends of every connection open at that moment, as a
network failure or a firewall reset would: the client's next read fails, the server's
backend sees its session end. New connections are accepted and forwarded as before, so
a client that reconnects gets through. ``proxy.cut_on(b"UPDATE digest_runs SET state=")``
instead cuts them all the moment a client sends a statement containing those bytes (not
forwarded: the server never sees it, the client waits for its answer in vain), to land
a failure on one exact write. Runs its own asyncio loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from types import TracebackType
from typing import Self

_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST, not FIN


class TcpProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.accepted = 0  # connections accepted so far
        self.tripped = threading.Event()  # set when an armed pattern was seen and everything cut
        self._armed: bytes | None = None
        self._loop = asyncio.new_event_loop()
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)

    def start(self) -> Self:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def open_connections(self) -> int:
        return self._call(self._count())

    def cut(self) -> int:
        """Reset both ends of every connection open now; how many were cut."""
        return self._call(self._cut())

    def cut_on(self, pattern: bytes) -> None:
        """Cut every connection when a client next sends ``pattern`` (once; then disarmed)."""
        self.tripped.clear()
        self._armed = pattern

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- in the proxy's loop -------------------------------------------------------------

    def _call(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _count(self) -> int:
        return len(self._pairs)

    async def _cut(self) -> int:
        pairs, self._pairs = list(self._pairs), set()
        for pair in pairs:
            for writer in pair:
                sock = writer.get_extra_info("socket")
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
                writer.transport.abort()
        return len(pairs)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_w.transport.abort()
            return
        pair = (client_w, upstream_w)
        self._pairs.add(pair)
        pumps = [asyncio.ensure_future(self._pump(client_r, upstream_w, watch=True)),
                 asyncio.ensure_future(self._pump(upstream_r, client_w))]  # fmt: skip
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)  # one side closed: close both
        finally:
            self._pairs.discard(pair)
            for pump in pumps:
                pump.cancel()
            for writer in pair:
                writer.close()  # graceful: what was forwarded (a Terminate message) still goes out

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, watch: bool = False) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if watch and self._armed is not None and self._armed in data:
                    self._armed = None
                    await self._cut()
                    self.tripped.set()
                    return
                writer.write(data)
                await writer.drain()
