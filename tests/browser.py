"""Browser support shared by the browser tests: a local static server and a watched page.

Every browser test opens its pages through :meth:`Watched.goto` (the one way in). It returns
only when the page is ready to be read, judged by conditions in the page, never by time:

* the address is the one asked for and ``document.readyState`` is ``complete`` (``load`` fired:
  every parser script ran, every image loaded), and the fonts have loaded;
* on a page of the theme, what it does after load is done: a copy button on every code block
  that gets one, code annotations mounted, content tabs set up, the search worker ready; and
  what the site's own scripts do: KaTeX math rendered, mermaid diagrams drawn in the page's
  colour scheme, code navigations named (``a11y.js``). Only the conditions that apply to the
  page are checked (a page with no diagram waits for none);
* the page's own requests have finished, lazy ones included (a search worker fetching its
  language files after ``networkidle``).

Playwright's ``networkidle`` alone is not "loaded": it fires 500 ms after the last request
ended, also while the renderer has not yet run the scripts it fetched. On a busy machine a test
read such a page ("lecture03-gradient-descent/: no copy buttons found", issue 18);
``tests/test_page_ready.py`` reproduces it with a throttled CPU.

When a page is not ready in time, or a test fails with a page open, the page explains itself:
its URL, document state, the conditions still unmet, the recorded problems and a screenshot are
written under ``.cache/browser-failures/<test>/`` and shown in the test's report.

:class:`Watched` also records everything that can go wrong on a page (console errors, page
errors, failed requests, HTTP errors, requests to another host), independently of the machine's
speed: every request is tagged with the document it was made from (a counter of the main frame's
navigations, in the browser's own event order, so no timing is involved). A cancelled request
(``net::ERR_ABORTED``) is judged once the page has settled: made from a document that has since
been replaced, navigation cut it off and it is not a failure (listed in ``cancelled``); made from
the current document, it is. Every other failed request is a failure, whenever it happens.

The fixtures ``browser``, ``base_url`` and ``watched`` (``tests/conftest.py``) build on this module.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import time
import weakref
from pathlib import Path
from urllib.parse import urlsplit

from engine.core.static_site import StaticServer, site_pages  # noqa: F401 (the tests' server and pages)

ROOT = Path(__file__).resolve().parent.parent
FAILURES = ROOT / ".cache" / "browser-failures"  # one folder per failed test: screenshots, states
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SETTLE_TIMEOUT_S = 60.0  # how long a page's own requests may take to finish on a slow machine
READY_TIMEOUT_S = 60.0  # how long a page may take to be ready on a slow machine (a bound, not a speed)
ABORTED = "net::ERR_ABORTED"

# Errors thrown by the page's scripts, kept in the page so that the wait below ends at once
# when the after-load work has crashed (it would never finish).
RECORD_ERRORS = """(() => {
  const errors = window.__watchedErrors = [];
  addEventListener("error", e => errors.push(String(e.message || e)));
  addEventListener("unhandledrejection", e => errors.push(String(e.reason && e.reason.message || e.reason)));
})();"""

# The page's state: what is still to be done before it can be read (``unmet``), the errors its
# scripts threw, and counts to explain a failure. ``expected``: the address asked for, no #hash
# (the theme's anchor tracking rewrites the hash as the page scrolls).
PAGE_STATE = r"""(expected) => {
  const unmet = [];
  const all = (selector, root = document) => [...root.querySelectorAll(selector)];
  const here = location.href.split("#")[0];
  if (expected && here !== expected) unmet.push(`the address is ${here}`);
  if (document.readyState !== "complete") unmet.push(`document.readyState is "${document.readyState}"`);
  if (document.fonts && document.fonts.status !== "loaded") unmet.push("fonts are loading");
  const counts = {};
  const config = document.getElementById("__config");
  const content = all("[data-md-component=content]");
  if (config && content.length) {  // a page of the theme (mkdocs-material): its after-load work
    const { features = [], translations = {} } = JSON.parse(config.textContent);
    if (typeof document$ === "undefined") unmet.push("the theme's script has not run");
    // as the theme decides (ClipboardJS.isSupported() and the features)
    const copy = ["copy", "cut"].every(a => document.queryCommandSupported && document.queryCommandSupported(a));
    const code = content.flatMap(root => all("pre:not(.mermaid) > code", root));
    const wants = code.filter(c => copy && (c.closest(".copy")
      || features.includes("content.code.copy") && !c.closest(".no-copy")));
    const buttons = wants.filter(c => c.parentElement.querySelector(":scope > .md-code__nav")).length;
    Object.assign(counts, { code: code.length, "copy buttons": `${buttons}/${wants.length}` });
    if (buttons < wants.length) unmet.push(`copy buttons on ${buttons} of ${wants.length} code blocks`);
    // code annotations: the (N) markers in comments replaced by the theme's markers, list hidden
    let annotated = 0, pending = 0;
    for (const c of code) {
      const block = c.closest(".highlight");
      if (!block || !(features.includes("content.code.annotate") || block.classList.contains("annotate"))) continue;
      let list = block.nextElementSibling;
      while (list && list.tagName === "P" && !list.children.length) list = list.nextElementSibling;
      if (!list || list.tagName !== "OL") continue;
      const markers = all(".c, .c1, .cm", c).some(comment => [...comment.childNodes].some(
        n => n.nodeType === Node.TEXT_NODE && /\(\d+\)/.test(n.textContent)));
      const mounted = c.querySelector(".md-annotation");
      if (!markers && !mounted) continue;  // an ordered list after a block, no annotations
      annotated++;
      if (markers || !list.hidden) pending++;
    }
    counts.annotated = annotated;
    if (pending) unmet.push(`annotations of ${pending} of ${annotated} code blocks not mounted`);
    const tabs = content.flatMap(root => all("[data-tabs]", root));
    const tabsReady = tabs.filter(t => t.querySelector(":scope > .tabbed-control")).length;
    if (tabsReady < tabs.length) unmet.push(`${tabs.length - tabsReady} of ${tabs.length} tab sets not set up`);
    const meta = document.querySelector(".md-search-result__meta");
    const input = document.querySelector(".md-search__input");
    const placeholder = translations["search.result.placeholder"];
    if (meta && input && !input.value && placeholder && meta.textContent.trim() !== placeholder) {
      unmet.push(`search not ready (${JSON.stringify(meta.textContent.trim())})`);
    }
  }
  const math = all(".arithmatex");
  const rendered = math.filter(m => m.querySelector(".katex")).length;
  if (math.length) counts.math = `${rendered}/${math.length}`;
  if (rendered < math.length) unmet.push(`math rendered in ${rendered} of ${math.length} formulas`);
  const diagrams = all("div.mermaid");
  const scheme = document.body && document.body.getAttribute("data-md-color-scheme") || "default";
  const drawn = diagrams.filter(d => "drawn" in d.dataset && d.dataset.scheme === scheme
    && d.shadowRoot && d.shadowRoot.querySelector("svg")).length;
  if (diagrams.length) counts.diagrams = `${drawn}/${diagrams.length}`;
  if (drawn < diagrams.length) unmet.push(`diagrams drawn (${scheme}): ${drawn} of ${diagrams.length}`);
  if (document.querySelector("script[src*='javascripts/a11y.js']")) {
    const unnamed = all(".md-code__nav:not([aria-label])").length;
    if (unnamed) unmet.push(`${unnamed} code navigations not named yet (a11y.js)`);
  }
  return { url: location.href, readyState: document.readyState, title: document.title,
           unmet, errors: window.__watchedErrors || [], counts };
}"""

# Resolves (a truthy state) when the page is ready, or at once when its scripts threw.
READY = ("(expected) => { const s = (" + PAGE_STATE + ")(expected);"
         " return s.unmet.length && !s.errors.length ? null : s; }")

_open: weakref.WeakSet = weakref.WeakSet()  # pages not closed yet: explained when a test fails
_explained: list[str] = []  # explanations written during the current test phase
_shots = itertools.count(1)


class PageNotReady(AssertionError):
    """A page did not become ready in time (its explanation is the message)."""


def chromium_executable(playwright=None) -> str | None:
    """The same chromium the PDFs are printed by (``COURSE_CHROMIUM``, Playwright's own, Debian's)."""
    from engine.products.pdf import chromium_executable as find

    return find(playwright)


def browser_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("REQUIRE_BROWSER") == "1"


def current_test() -> str:
    """The running test's node id, as a folder name."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "outside-a-test").rsplit(" ", 1)[0]
    return re.sub(r"[^\w.\[\]-]+", "_", test).strip("_")[:150]


def explain_open_pages(reason: str) -> None:
    """Explain every page still open (called by the shared failure hook, tests/conftest.py)."""
    for watched in list(_open):
        watched.explain(reason)


def take_explanations() -> list[str]:
    """The explanations written since the last call (for the test's report)."""
    taken = list(_explained)
    _explained.clear()
    return taken


def _without_hash(url: str) -> str:
    return url.split("#", 1)[0]


class Watched:
    """A page that records console errors, page errors and failed or foreign requests, opened
    through :meth:`goto`. Use as a context manager (``with Watched(...) as w:``) so a failure
    inside explains the page before it is closed.

    ``long_polls``: URL parts of requests that stay open by design (``/livereload/`` under
    ``mkdocs serve``): not waited for, and ``networkidle`` (which they never reach) neither.
    """

    def __init__(self, browser, base_url, *, long_polls: tuple[str, ...] = (), **context_options):
        self.context = browser.new_context(**context_options)
        self.context.add_init_script(RECORD_ERRORS)
        self.page = self.context.new_page()
        self.long_polls = long_polls
        self.problems: list[str] = []
        self.cancelled: list[str] = []  # requests of a replaced document, cut off by navigation
        self.document = 0  # bumped when the main frame navigates
        self._pending: dict = {}  # request -> document it was made from
        self._aborted: list[tuple[str, int]] = []  # (url, document), judged in settle()
        self._lock = threading.Lock()
        self.closed = False
        self.expected: str | None = None  # the address the page was asked to show, no #hash
        _open.add(self)
        host = urlsplit(base_url).netloc
        page = self.page
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

        def navigated(frame):
            if frame == page.main_frame:
                self.document += 1

        def request(r):
            if any(part in r.url for part in self.long_polls):
                return
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

    def __enter__(self) -> Watched:
        return self

    def __exit__(self, kind, error, traceback):
        if error is not None and not isinstance(error, PageNotReady):  # that one explained itself
            self.explain(f"{kind.__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        self.close()

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
            self.page.wait_for_timeout(100)  # lets Playwright deliver the requests' events
        aborted, self._aborted = self._aborted, []
        for url, made_from in aborted:
            if made_from < self.document:
                self.cancelled.append(url)
            else:
                self.problems.append(f"request failed: {url} {ABORTED}")

    def navigating(self) -> None:
        """Call before the test makes the page leave its document (a click on a link)."""
        self.settle()

    def goto(self, url: str, *, timeout: float = READY_TIMEOUT_S):
        """Open ``url`` and return the page once it is ready (see the module docstring)."""
        from playwright.sync_api import Error as PlaywrightError

        self.problems.clear()
        self.navigating()  # what fails while the previous page settles is still reported, marked
        self.problems[:] = [f"(previous page) {p}" for p in self.problems]
        self.expected = _without_hash(url)
        try:
            self.page.goto(url, wait_until="load", timeout=timeout * 1000)
        except PlaywrightError as exc:
            raise PageNotReady(self.explain(f"opening {url}: {str(exc).splitlines()[0]}")) from None
        return self.ready(url, timeout=timeout)

    def ready(self, url: str, *, timeout: float = READY_TIMEOUT_S):
        """Wait until the page shows ``url`` (no #hash compared) and is ready; return it. Also
        for a navigation the test started itself (a click on a link)."""
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + timeout
        expected = self.expected = _without_hash(url)
        try:
            if not self.long_polls:  # the requests started by load and right after it
                self.page.wait_for_load_state("networkidle", timeout=timeout * 1000)
            left = max(deadline - time.monotonic(), 1.0)
            state = self.page.wait_for_function(READY, arg=expected, timeout=left * 1000).json_value()
        except PlaywrightError as exc:
            raise PageNotReady(self.explain(f"{url} not ready within {timeout:.0f} s: "
                                            f"{str(exc).splitlines()[0]}")) from None
        if state["errors"]:
            raise PageNotReady(self.explain(f"{url}: the page's scripts threw {state['errors']}"))
        self.settle()
        return self.page

    def state(self) -> dict:
        """The page's state now (see ``PAGE_STATE``), for a test's own checks."""
        return self.page.evaluate(PAGE_STATE, self.expected)

    def explain(self, reason: str) -> str:
        """Record why the page is being looked at: its URL, document state, unmet conditions,
        problems and a screenshot, in ``.cache/browser-failures/<test>/``. Returns the text."""
        folder = FAILURES / current_test()
        lines = [reason, f"  page: {self.page.url}"]
        try:
            state = self.state()
            lines += [f"  document.readyState: {state['readyState']}, title: {state['title']!r}",
                      f"  still waiting for: {state['unmet'] or 'nothing'}",
                      f"  script errors: {state['errors'] or 'none'}",
                      f"  counts: {json.dumps(state['counts'], ensure_ascii=False)}"]
        except Exception as exc:  # a crashed or closed page still gets its report
            lines.append(f"  document state unavailable: {str(exc).splitlines()[0]}")
        lines += [f"  problems: {self.problems or 'none'}", f"  requests pending: {self.pending() or 'none'}"]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{next(_shots):02d}-" + (re.sub(r"\W+", "-", urlsplit(self.page.url).path).strip("-") or "home")
            shot = folder / f"{name}.png"
            self.page.screenshot(path=str(shot), timeout=30_000)
            lines.append(f"  screenshot: {shot}")
            (folder / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        except Exception as exc:
            lines.append(f"  screenshot failed: {str(exc).splitlines()[0]}")
        text = "\n".join(lines)
        _explained.append(text)
        return text

    def close(self):
        if not self.closed:
            self.closed = True
            _open.discard(self)
            self.context.close()


# Types each query in the search box of ``page`` and reads the visible result list once the theme
# has rendered the answer (a MutationObserver on the result count, no timing). An empty query
# between two queries resets the list to its placeholder, so every answer is recognised even when
# two answers read the same. Each answer: {query, meta, groups: [[{location, score, page}]]}.
ASK = """async ([queries, timeout]) => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const placeholder = config.translations["search.result.placeholder"];
  const input = document.querySelector(".md-search__input");
  const meta = document.querySelector(".md-search-result__meta");
  const list = document.querySelector(".md-search-result__list");
  const until = (done, query) => new Promise((resolve, reject) => {
    if (done()) return resolve();
    const observer = new MutationObserver(() => {
      if (done()) { observer.disconnect(); clearTimeout(timer); resolve(); }
    });
    observer.observe(meta, { childList: true, subtree: true, characterData: true });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`no answer to ${JSON.stringify(query)} within ${timeout} ms`));
    }, timeout);
  });
  const type = (value) => {
    input.value = value;
    input.dispatchEvent(new KeyboardEvent("keyup", { key: "End", bubbles: true }));
  };
  const visible = () => [...list.querySelectorAll(":scope > .md-search-result__item")]
    .filter(item => !item.hidden)
    .map(item => [...item.querySelectorAll("a.md-search-result__link")]
      .filter(link => !link.closest("details:not([open])"))
      .map(link => {
        const url = new URL(link.href);
        const article = link.querySelector("article");
        return { location: url.pathname + url.hash, score: parseFloat(article.dataset.mdScore),
                 page: !!article.querySelector(".md-search-result__icon") };
      }));
  const answers = [];
  for (const query of queries) {
    type("");
    await until(() => meta.textContent === placeholder, "");
    type(query);
    await until(() => meta.textContent !== placeholder, query);
    await new Promise(resolve => setTimeout(resolve, 0));  // observers of the list have run
    answers.push({ query, meta: meta.textContent, groups: visible() });
  }
  return answers;
}"""
ANSWER_TIMEOUT_MS = 120_000  # a bound for a slow machine (the first query loads the index)


def ask(page, queries: list[str], timeout_ms: int = ANSWER_TIMEOUT_MS) -> list[dict]:
    """Search ``queries`` in the open page, as a reader does; one answer per query."""
    page.focus(".md-search__input")  # the reader opens the search
    return page.evaluate(ASK, [queries, timeout_ms])
