"""Pages as readers get them (issue 23): what only a screen can do is not printed, reader pages
do not speak to contributors, the navigation names the home page, KaTeX loads only where there
is math. Browser checks in headless chromium on the built site (``site``)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from engine.core.static_site import site_pages

ROOT = Path(__file__).resolve().parent.parent

# Sentences that only make sense on a screen: buttons, the language selector, hovering.
SCREEN_ONLY = re.compile(r"右上角|鼠标|悬停|点开|top right|hover", re.I)
ARTICLE_TEXT = "() => document.querySelector('article.md-content__inner').innerText"


def reader_pages(site: Path) -> list[str]:
    return [url for url in site_pages(site) if "notebooks/" not in url]


def test_screen_only_text_is_not_printed(site, base_url, watched):
    """Printed (the PDF is printed by chromium, engine/products/pdf.py), no page tells the reader to use
    a button, the language selector or the mouse; on screen the home pages still do."""
    printed, on_screen = [], []
    page = watched.page
    for url in reader_pages(site):
        watched.goto(base_url + url)
        page.emulate_media(media="print")
        printed += [f"/{url}: {line.strip()[:80]}" for line in page.evaluate(ARTICLE_TEXT).splitlines()
                    if SCREEN_ONLY.search(line)]
        page.emulate_media(media="screen")
        if url in ("", "en/"):
            on_screen.append(bool(SCREEN_ONLY.search(page.evaluate(ARTICLE_TEXT))))
    assert not printed, "printed screen-only text:\n" + "\n".join(printed)
    assert on_screen == [True, True], "the home pages no longer explain the buttons on screen"
    assert not watched.problems, watched.problems


CONTRIBUTOR_WORDS = re.compile(r"includes/|avoid_zh|engine/|lecture\w*\.yml|CONTRIBUTING")


def test_reader_pages_do_not_speak_to_contributors(site, base_url, watched):
    """The glossary, results and home pages explain themselves to readers; where their tables
    come from (terms files, engine modules) is for contributors (CONTRIBUTING.md)."""
    found = []
    for url in ("", "glossary/", "results/", "en/", "en/glossary/", "en/results/"):
        text = watched.goto(base_url + url).evaluate(ARTICLE_TEXT)
        found += [f"/{url}: {m.group()!r} in {line.strip()[:100]!r}"
                  for line in text.splitlines() for m in CONTRIBUTOR_WORDS.finditer(line)]
    assert not found, "\n".join(found)
    assert not watched.problems, watched.problems


NAVIGATION = """() => ({
  title: document.querySelector("nav.md-nav--primary > .md-nav__title").innerText.trim(),
  links: [...document.querySelectorAll("nav.md-nav--primary > .md-nav__list > .md-nav__item > a.md-nav__link")]
    .map(a => ({text: a.innerText.trim(), href: new URL(a.href).pathname})),
})"""


def test_navigation_has_a_home_entry_and_the_title_once(base_url, watched):
    for url, home, name in (("lecture03-gradient-descent/", "首页", "/"),
                            ("en/lecture03-gradient-descent/", "Home", "/en/")):
        nav = watched.goto(base_url + url).evaluate(NAVIGATION)
        texts = [link["text"] for link in nav["links"]]
        assert nav["links"][0] == {"text": home, "href": name}, f"/{url}: first entry {nav['links'][0]}"
        assert nav["title"] not in texts, f"/{url}: the site title {nav['title']!r} is also an entry: {texts}"
    assert not watched.problems, watched.problems


HAS_MATH = "() => document.querySelectorAll('.arithmatex, .jupyter-wrapper').length"
RENDERED = "() => [...document.querySelectorAll('.arithmatex')].every(el => el.querySelector('.katex'))"


def test_katex_loads_only_on_pages_with_math(site, base_url, watched):
    page = watched.page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    wrong, with_math, without = [], 0, 0
    for url in site_pages(site):
        requested.clear()
        watched.goto(base_url + url)
        katex = [path for path in requested if "/vendor/katex/" in path]
        if page.evaluate(HAS_MATH):
            with_math += 1
            if not page.evaluate(RENDERED):
                wrong.append(f"/{url}: math not rendered")
        else:
            without += 1
            if katex:
                wrong.append(f"/{url}: no math, but loads {katex}")
    assert with_math and without, (with_math, without)
    assert not wrong, "\n".join(wrong)
    assert not watched.problems, watched.problems
