"""``digest-bot site serve``: the built site on loopback, for a preview (stdlib ``http.server``)."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass  # a preview: no line per request

    def send_head(self):  # type: ignore[no-untyped-def]  # the stdlib's signature
        # The builder's own files (.site-files, its manifest) are not the site's pages.
        if any(part.startswith(".") for part in self.path.split("?", 1)[0].split("/")):
            self.send_error(404)
            return None
        return super().send_head()


def site_server(folder: Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server of ``folder`` on ``host:port`` (port 0: any free one; ``server_address`` says
    which), not yet serving: call ``serve_forever``. Loopback by default: a preview is
    not a web server for the world. Raises FileNotFoundError when ``folder`` has no
    ``index.html`` (no site built there), OSError when the port is taken."""
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(f"{folder} has no index.html: build the site first (digest-bot site build --out {folder})")
    handler = functools.partial(_Quiet, directory=str(folder))
    return ThreadingHTTPServer((host, port), handler)
