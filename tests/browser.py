"""Browser support shared by the browser tests: a local static server and a watched page.

:class:`Watched` records everything that can go wrong on a page (console errors, page
errors, failed requests, HTTP errors, requests to another host) and is independent of the
machine's speed:

* each navigation waits until the page's own requests have finished, lazy ones included
  (a search worker fetching its language files after ``networkidle``), so a slow machine
  does not move on while a page is still loading;
* every request is tagged with the document it was made from (a counter of the main frame's
  navigations, in the browser's own event order, so no timing is involved). A cancelled
  request (``net::ERR_ABORTED``) is judged once the page has settled: made from a document that
  has since been replaced, navigation cut it off and it is not a failure (listed in
  ``cancelled``); made from the current document, it is. Every other failed request is a
  failure, whenever it happens.

The fixtures ``browser`` and ``base_url`` (``tests/conftest.py``) build on this module.
"""

from __future__ import annotations

import os
import threading
import time
from urllib.parse import urlsplit

from engine.static_site import StaticServer, site_pages  # noqa: F401 (the tests' server and pages)

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SETTLE_TIMEOUT_S = 60.0  # how long a page's own requests may take to finish on a slow machine
ABORTED = "net::ERR_ABORTED"


def chromium_executable(playwright=None) -> str | None:
    """The same chromium the PDFs are printed by (``COURSE_CHROMIUM``, Playwright's own, Debian's)."""
    from engine.pdf import chromium_executable as find

    return find(playwright)


def browser_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("REQUIRE_BROWSER") == "1"


class Watched:
    """A page that records console errors, page errors and failed or foreign requests."""

    def __init__(self, browser, base_url, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.cancelled: list[str] = []  # requests of a replaced document, cut off by navigation
        self.document = 0  # bumped when the main frame navigates
        self._pending: dict = {}  # request -> document it was made from
        self._aborted: list[tuple[str, int]] = []  # (url, document), judged in settle()
        self._lock = threading.Lock()
        host = urlsplit(base_url).netloc
        page = self.page
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

        def navigated(frame):
            if frame == page.main_frame:
                self.document += 1

        def request(r):
            with self._lock:
                self._pending[r] = self.document
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != host:
                self.problems.append(f"request to another site: {r.url}")

        def finished(r):
            with self._lock:
                self._pending.pop(r, None)

        def failed(r):
            with self._lock:
                made_from = self._pending.pop(r, self.document)
            if r.failure == ABORTED:
                self._aborted.append((r.url, made_from))
            else:
                self.problems.append(f"request failed: {r.url} {r.failure}")

        def response(r):
            if r.status >= 400:
                self.problems.append(f"HTTP {r.status}: {r.url}")

        page.on("framenavigated", navigated)
        page.on("request", request)
        page.on("requestfinished", finished)
        page.on("requestfailed", failed)
        page.on("response", response)

    def pending(self) -> list[str]:
        """URLs of requests of the current document that have not finished yet."""
        with self._lock:
            return [r.url for r, d in self._pending.items() if d == self.document]

    def settle(self, timeout: float = SETTLE_TIMEOUT_S) -> None:
        """Wait until the current document's requests have all finished (or record those that
        hang), then judge the cancelled ones."""
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > deadline:
                self.problems += [f"request still pending after {timeout:.0f} s: {u}" for u in self.pending()]
                break
            self.page.wait_for_timeout(100)
        aborted, self._aborted = self._aborted, []
        for url, made_from in aborted:
            if made_from < self.document:
                self.cancelled.append(url)
            else:
                self.problems.append(f"request failed: {url} {ABORTED}")

    def navigating(self) -> None:
        """Call before the test makes the page leave its document (a click on a link)."""
        self.settle()

    def goto(self, url: str):
        self.problems.clear()
        self.navigating()  # what fails while the previous page settles is still reported, marked
        self.problems[:] = [f"(previous page) {p}" for p in self.problems]
        self.page.goto(url, wait_until="networkidle")
        self.settle()
        return self.page

    def close(self):
        self.context.close()
