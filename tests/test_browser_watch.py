"""The browser tests' page watcher (``tests/browser.py``) on a tiny site with known timing.

A page whose worker keeps fetching after ``networkidle`` must not make the *next* page fail
(the race that turned CI red on a slower machine), while a request that really fails must
still be reported, whatever the machine's speed.

``Watched.goto`` returns a page only once it is ready: a page of the theme whose copy button
comes 3 s after ``networkidle`` is read with it (issue 18: read before the theme's script ran,
"no copy buttons found"); a page that never gets ready, throws, or goes elsewhere fails with its
URL, document state and a screenshot.
"""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")

from tests import browser as browser_support  # noqa: E402
from tests.browser import PageNotReady, Watched  # noqa: E402

SLOW_S = 1.5
# What the readiness check (tests/browser.py PAGE_STATE) takes for a page of the theme: its
# configuration, its content, its script's document$; one code block that wants a copy button.
THEME = ("<script id='__config' type='application/json'>{\"features\": [\"content.code.copy\"]}</script>"
         "<div data-md-component='content'><pre><code>print(1)</code></pre></div>"
         "<script>var document$ = {}; const copyButton = () => document.querySelector('pre')"
         ".prepend(Object.assign(document.createElement('nav'), {className: 'md-code__nav'}));</script>")

ICON = "<link rel='icon' href='data:,'>"  # no favicon request
PAGES = {
    # a worker that starts a slow fetch once the page is idle, like the search worker
    "/lazy.html": ICON + "<script>setTimeout(() => new Worker('worker.js'), 600)</script><p>lazy</p>",
    "/worker.js": "fetch('slow.txt').then(r => r.text()).then(t => postMessage(t));",
    "/plain.html": ICON + "<p>plain</p>",
    "/broken.html": ICON + "<script>fetch('broken.txt').catch(() => {})</script><p>broken</p>",
    # a page of the theme (as the readiness check sees one) whose copy button comes late: after
    # load and after networkidle, as on a busy machine where the theme's script runs late
    "/late.html": ICON + THEME + "<script>addEventListener('load', () => setTimeout(copyButton, 3000))</script>",
    "/never.html": ICON + THEME,  # its copy button never comes
    "/throws.html": ICON + THEME
    + "<script>addEventListener('load', () => { throw new Error('mount failed'); })</script>",
    "/elsewhere.html": ICON
    + "<script>addEventListener('load', () => setTimeout(() => location.replace('plain.html')))</script>",
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
    requested: list[str] = []
    watcher.page.on("request", lambda r: requested.append(r.url))
    page = watcher.goto(timing_site + "lazy.html")
    assert page.locator("p").inner_text() == "lazy"
    if not any("slow.txt" in url for url in requested):
        with page.expect_request("**/slow.txt"):  # the worker's fetch has started
            pass
    watcher.goto(timing_site + "plain.html")
    assert watcher.problems == []


def test_a_request_cut_off_by_the_test_is_not_blamed_on_the_next_page(watcher, timing_site):
    watcher.goto(timing_site + "lazy.html")
    with watcher.page.expect_request("**/slow.txt"):  # the fetch of a worker started after goto returned
        watcher.page.evaluate("new Worker('worker.js?again')")
    watcher.page.goto(timing_site + "plain.html", wait_until="networkidle")  # no settling first
    watcher.settle()
    assert watcher.problems == []
    assert any("slow.txt" in url for url in watcher.cancelled), watcher.cancelled


def test_a_request_that_fails_is_still_reported(watcher, timing_site):
    watcher.goto(timing_site + "broken.html")
    assert any("broken.txt" in p and "request failed" in p for p in watcher.problems), watcher.problems


def test_a_request_the_current_page_cancels_is_reported(watcher, timing_site):
    watcher.goto(timing_site + "plain.html")
    with watcher.page.expect_event("requestfailed"):
        watcher.page.evaluate("""() => { const c = new AbortController();
            fetch('slow.txt?cancelled', {signal: c.signal}).catch(() => {}); setTimeout(() => c.abort(), 200); }""")
    watcher.settle()
    assert any("slow.txt?cancelled" in p and "ERR_ABORTED" in p for p in watcher.problems), watcher.problems


def test_a_request_that_never_ends_is_reported(watcher, timing_site):
    watcher.goto(timing_site + "plain.html")
    with watcher.page.expect_request("**/slow.txt?never"):
        watcher.page.evaluate("() => { fetch('slow.txt?never'); }")
    watcher.settle(timeout=0.2)
    assert any("still pending" in p and "slow.txt" in p for p in watcher.problems), watcher.problems


# --- Watched.goto returns a page that is ready ------------------------------------------------


@pytest.fixture()
def failures(tmp_path, monkeypatch):
    """Explanations of this module's pages go to a temporary folder (these failures are wanted)."""
    monkeypatch.setattr(browser_support, "FAILURES", tmp_path)
    yield tmp_path
    browser_support.take_explanations()


def test_a_page_is_read_once_the_theme_has_done_its_after_load_work(watcher, timing_site):
    page = watcher.goto(timing_site + "late.html")
    assert page.evaluate("document.querySelectorAll('.md-code__nav').length") == 1
    assert watcher.state()["unmet"] == []


def test_a_page_that_never_gets_ready_explains_itself(watcher, timing_site, failures):
    started = time.monotonic()
    with pytest.raises(PageNotReady) as failed:
        watcher.goto(timing_site + "never.html", timeout=3)
    message = str(failed.value)
    assert time.monotonic() - started < 30
    assert f"page: {timing_site}never.html" in message
    assert "document.readyState: complete" in message
    assert "copy buttons on 0 of 1 code blocks" in message
    shot = Path(message.split("screenshot: ")[1].splitlines()[0])
    assert shot.parent.parent == failures and shot.stat().st_size > 0, message
    assert shot.with_suffix(".txt").read_text(encoding="utf-8").startswith(message.splitlines()[0])


def test_a_page_whose_scripts_throw_fails_at_once(watcher, timing_site, failures):
    started = time.monotonic()
    with pytest.raises(PageNotReady, match="mount failed"):
        watcher.goto(timing_site + "throws.html")  # its copy button never comes: no wait for it
    assert time.monotonic() - started < browser_support.READY_TIMEOUT_S / 2


def test_a_page_that_went_elsewhere_is_not_the_page_asked_for(watcher, timing_site, failures):
    with pytest.raises(PageNotReady, match=f"the address is {timing_site}plain.html"):
        watcher.goto(timing_site + "elsewhere.html", timeout=3)


def test_a_failing_check_explains_the_open_page(browser, timing_site, failures):
    with pytest.raises(AssertionError, match="a check failed"):
        with Watched(browser, timing_site) as watcher:
            watcher.goto(timing_site + "plain.html")
            raise AssertionError("a check failed")
    [explained] = browser_support.take_explanations()
    assert explained.startswith("AssertionError: a check failed")
    assert f"page: {timing_site}plain.html" in explained and "screenshot: " in explained
    assert watcher.closed
