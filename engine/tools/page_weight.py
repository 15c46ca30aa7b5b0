"""Page weight: what each page of the built site transfers before the reader interacts.

Each page is opened in headless Chromium (the browser the tests use), served from the built
site on localhost; every file it requests until the network is idle (stylesheets, scripts,
images, fonts, whatever its scripts load by themselves) is counted once, at the size GitHub
Pages sends it: gzip-compressed for text files, as is for images and fonts.

    python -m engine.tools.page_weight SITE_DIR [--budget BYTES]

prints every page's weight, heaviest first, and exits with status 1 when a page is over the
budget (default :data:`BUDGET`, 1 MB). :func:`measure` is what ``make bench`` and the tests call.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from engine.core.static_site import StaticServer, site_pages

BUDGET = 1_000_000  # bytes transferred per page before interaction
COMPRESSED_TYPES = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb"}
SETTLE_MS = 1_000  # quiet time after "networkidle", for scripts that load more once they ran
AT_ONCE = 4  # pages opened together (each in its own empty-cache context): their waits overlap


@dataclass
class PageWeight:
    page: str  # path of the page in the site, e.g. "lecture03-gradient-descent/"
    transferred: int = 0  # bytes, gzip where the server compresses
    files: dict[str, int] = field(default_factory=dict)  # site path -> bytes counted


def transfer_size(path: Path) -> int:
    """Bytes sent for ``path``: gzip (level 6) for text types, the file's size otherwise."""
    stat = path.stat()
    return _transfer_size(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)  # the theme's files are shared by every page
def _transfer_size(path: Path, mtime_ns: int, size: int) -> int:
    data = path.read_bytes()
    if path.suffix.lower() in COMPRESSED_TYPES:
        return len(gzip.compress(data, compresslevel=6, mtime=0))
    return len(data)


def _file_for(site: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path).lstrip("/")
    target = site / path
    if target.is_dir() or path.endswith("/") or path == "":
        target = target / "index.html"
    return target if target.is_file() else None


def measure(site: Path, pages: list[str] | None = None, browser=None,
            viewport: tuple[int, int] = (1280, 900)) -> list[PageWeight]:
    """Weigh ``pages`` (default: every page) of the built ``site``; heaviest first.

    ``browser`` is a Playwright browser to use; without one, Debian's chromium is launched.
    A request the site cannot answer raises ``FileNotFoundError`` (a page must not load
    what the site does not have).
    """
    site = Path(site).resolve()
    pages = site_pages(site) if pages is None else pages
    with StaticServer(site) as server, contextlib.ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            from engine.products.pdf import chromium_executable

            own = stack.enter_context(sync_playwright())
            executable = chromium_executable(own)
            if executable is None:
                raise RuntimeError("page weight needs chromium (COURSE_CHROMIUM, playwright's own, "
                                   "or apt-get install chromium)")
            browser = own.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
            stack.callback(browser.close)
        weights = []
        for start in range(0, len(pages), AT_ONCE):
            weights += _weigh(browser, site, server.url, pages[start:start + AT_ONCE], viewport)
        return sorted(weights, key=lambda w: (-w.transferred, w.page))


def _weigh(browser, site: Path, base: str, pages: list[str], viewport: tuple[int, int]) -> list[PageWeight]:
    """Weigh ``pages`` opened together, each in a fresh context (an empty cache, as for a first
    visit): every request a page makes until its network is idle and no page has requested
    anything for :data:`SETTLE_MS`."""
    contexts, tabs, requested = [], [], []
    try:
        for page in pages:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            contexts.append(context)
            tab = context.new_page()
            urls: list[str] = []
            tab.on("request", lambda r, urls=urls: urls.append(r.url))
            tab.goto(base + page, wait_until="commit")  # the others load while we wait below
            tabs.append(tab)
            requested.append(urls)
        for tab in tabs:
            # "load" first: networkidle alone can come while the parser has not asked for
            # everything yet (on a busy machine; tests/browser.py)
            tab.wait_for_load_state("load")
            tab.wait_for_load_state("networkidle")
        seen = -1
        while seen != sum(map(len, requested)):  # until no page requested anything for SETTLE_MS
            seen = sum(map(len, requested))
            tabs[0].wait_for_timeout(SETTLE_MS)
    finally:
        for context in contexts:
            context.close()
    return [_weight(site, base, page, urls) for page, urls in zip(pages, requested)]


def _weight(site: Path, base: str, page: str, requested: list[str]) -> PageWeight:
    weight = PageWeight(page)
    for url in dict.fromkeys(requested):
        if not url.startswith(base):
            continue  # not the site's (data: URLs); offline tests catch foreign hosts
        path = _file_for(site, url)
        if path is None:
            raise FileNotFoundError(f"{page or '/'} requests {url}, which is not in the site")
        name = path.relative_to(site).as_posix()
        weight.files[name] = transfer_size(path)
    weight.transferred = sum(weight.files.values())
    return weight


def report(weights: list[PageWeight], budget: int = BUDGET) -> str:
    lines = [f"{'page':<60} {'kB':>8}  heaviest file"]
    for w in weights:
        heaviest = max(w.files.items(), key=lambda item: item[1], default=("-", 0))
        mark = "  OVER BUDGET" if w.transferred > budget else ""
        lines.append(f"{(w.page or '/'):<60} {w.transferred / 1000:>8.1f}  "
                     f"{heaviest[0]} ({heaviest[1] / 1000:.1f} kB){mark}")
    total = len(weights)
    over = sum(w.transferred > budget for w in weights)
    lines.append(f"{total} pages, heaviest {weights[0].transferred / 1000:.1f} kB, "
                 f"{over} over the {budget / 1000:.0f} kB budget" if weights else "no pages")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.tools.page_weight", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build -d SITE)")
    parser.add_argument("--budget", type=int, default=BUDGET, help="bytes per page (default %(default)s)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site}: no index.html; build the site first (mkdocs build -d {args.site})")
    weights = measure(args.site)
    print(report(weights, args.budget))
    return 1 if any(w.transferred > args.budget for w in weights) else 0


if __name__ == "__main__":
    sys.exit(main())
