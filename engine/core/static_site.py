"""A built site as files: its pages, and a local server for a browser to load them from.

Used by the PDF printer (:mod:`engine.products.pdf`), the page-weight report (:mod:`engine.tools.page_weight`)
and the browser tests; nothing here knows about MkDocs.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path


def site_pages(site: Path) -> list[str]:
    """Every page of the built ``site`` (its ``index.html`` folders), as relative URLs.

    Not ``404.html``: its links are absolute under ``site_url`` (it is served at any missing
    address), so it only loads from the real site; it loads the same files as the others.
    """
    pages = []
    for path in sorted(Path(site).rglob("index.html")):
        parent = path.parent.relative_to(site).as_posix()
        if not parent.startswith(("assets/", "search/")):
            pages.append("" if parent == "." else parent + "/")
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class StaticServer:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread: ``with StaticServer(d) as s: s.url``."""

    def __init__(self, directory: Path):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
