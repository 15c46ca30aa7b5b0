"""The browser tests' page watcher (``tests/browser.py``) on a tiny site with known timing.

A page whose worker keeps fetching after ``networkidle`` must not make the *next* page fail
(the race that turned CI red on a slower machine), while a request that really fails must
still be reported, whatever the machine's speed.
"""

from __future__ import annotations

import http.server
import threading
import time

import pytest

pytest.importorskip("playwright.sync_api")

from tests.browser import Watched  # noqa: E402

SLOW_S = 1.5

ICON = "<link rel='icon' href='data:,'>"  # no favicon request
PAGES = {
    # a worker that starts a slow fetch once the page is idle, like the search worker
    "/lazy.html": ICON + "<script>setTimeout(() => new Worker('worker.js'), 600)</script><p>lazy</p>",
    "/worker.js": "fetch('slow.txt').then(r => r.text()).then(t => postMessage(t));",
    "/plain.html": ICON + "<p>plain</p>",
    "/broken.html": ICON + "<script>fetch('broken.txt').catch(() => {})</script><p>broken</p>",
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/slow.txt":
            time.sleep(SLOW_S)
            body, kind = b"done", "text/plain"
        elif path == "/broken.txt":
            self.close_connection = True  # no response at all: net::ERR_EMPTY_RESPONSE
            return
        elif path in PAGES:
            body = PAGES[path].encode()
            kind = "text/javascript" if path.endswith(".js") else "text/html"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser cancelled it (one of the tests does this on purpose)


@pytest.fixture(scope="module")
def timing_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def watcher(browser, timing_site):
    w = Watched(browser, timing_site)
    yield w
    w.close()


def test_lazy_fetch_of_the_previous_page_is_not_a_failure_of_the_next(watcher, timing_site):
    page = watcher.goto(timing_site + "lazy.html")
    assert page.locator("p").inner_text() == "lazy"
    page.wait_for_timeout(700)  # the worker's fetch has started (or, on a slow machine, soon will)
    watcher.goto(timing_site + "plain.html")
    assert watcher.problems == []


def test_a_request_cut_off_by_the_test_is_not_blamed_on_the_next_page(watcher, timing_site):
    watcher.goto(timing_site + "lazy.html")
    watcher.page.evaluate("new Worker('worker.js?again')")  # starts after goto returned
    watcher.page.wait_for_timeout(300)
    watcher.page.goto(timing_site + "plain.html", wait_until="networkidle")  # no settling first
    watcher.settle()
    assert watcher.problems == []
    assert any("slow.txt" in url for url in watcher.cancelled), watcher.cancelled


def test_a_request_that_fails_is_still_reported(watcher, timing_site):
    watcher.goto(timing_site + "broken.html")
    assert any("broken.txt" in p and "request failed" in p for p in watcher.problems), watcher.problems


def test_a_request_the_current_page_cancels_is_reported(watcher, timing_site):
    watcher.goto(timing_site + "plain.html")
    watcher.page.evaluate("""() => { const c = new AbortController();
        fetch('slow.txt?cancelled', {signal: c.signal}).catch(() => {}); setTimeout(() => c.abort(), 200); }""")
    watcher.page.wait_for_timeout(500)
    watcher.settle()
    assert any("slow.txt?cancelled" in p and "ERR_ABORTED" in p for p in watcher.problems), watcher.problems


def test_a_request_that_never_ends_is_reported(watcher, timing_site):
    watcher.goto(timing_site + "plain.html")
    with watcher.page.expect_request("**/slow.txt?never"):
        watcher.page.evaluate("() => { fetch('slow.txt?never'); }")
    watcher.settle(timeout=0.2)
    assert any("still pending" in p and "slow.txt" in p for p in watcher.problems), watcher.problems
