"""Search as a reader uses it, in a real browser (headless Chromium through Playwright).

The probe: every h1-h3 heading of every searchable page, in both languages, is typed as a
query in the page's own search box (the text is set and a ``keyup`` sent, which is what the
theme listens to, so the query takes the reader's path: theme -> search worker -> rendered
list). Only what the reader sees counts:

* a *result* is a visible link of the result list, in order: items of the other language
  and sections folded into a closed "more results on this page" are not visible. A page's
  title link heads its group of sections; it counts as a result only when the page itself is
  the group's best match (the theme then shows its text), otherwise it is a heading;
* a *section hit* at k: one of the first k results is the heading's section (its page and
  anchor; an h1 is its page). A heading text used on several pages (勘误, 作业, ...) hits on
  any of its sections: the query cannot tell them apart, so the probe asks it once;
* a *page hit* at k: the heading's page is among the first k groups of results.

Goal (issue 12): section recall@1 >= 90 % and recall@3 >= 98 % in each language, and no
query without results. Notebook pages are left out: they are excluded from the search on
purpose (their lecture page, with the same text, is indexed).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import ask

ROOT = Path(__file__).resolve().parent.parent
REPORT_DIR = ROOT / ".cache" / "search-probe"
GOAL = {"recall@1": 0.90, "recall@3": 0.98}


class HeadingParser(HTMLParser):
    """The text and id of each h1-h3 in a page's article (permalink signs left out)."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[str, str | None, str]] = []  # (tag, id, text)
        self._open: tuple[str, str | None] | None = None
        self._text: list[str] = []
        self._skip = 0  # depth inside the permalink <a class="headerlink">

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self._open, self._text = (tag, attrs.get("id")), []
        elif self._open and tag == "a" and "headerlink" in (attrs.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if self._skip and tag == "a":
            self._skip -= 1
        elif self._open and tag == self._open[0]:
            text = re.sub(r"\s+", " ", "".join(self._text)).strip()
            self.headings.append((self._open[0], self._open[1], text))
            self._open = None

    def handle_data(self, data):
        if self._open and not self._skip:
            self._text.append(data)


def probe_queries(site: Path, lang: str) -> dict[str, set[str]]:
    """Heading text -> the sections it names (``/path/`` for an h1, ``/path/#id`` otherwise)."""
    from tests.browser import site_pages

    queries: dict[str, set[str]] = defaultdict(set)
    for url in site_pages(site):
        if url.startswith("en/") != (lang == "en") or "notebooks/" in url:
            continue
        html = (site / unquote(url) / "index.html").read_text(encoding="utf-8")
        article = html.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]
        parser = HeadingParser()
        parser.feed("<article " + article)
        for tag, anchor, text in parser.headings:
            if text:
                queries[text].add("/" + url + ("" if tag == "h1" else f"#{anchor}"))
    return dict(queries)


def results_in_order(groups: list[list[dict]]) -> list[str]:
    """The results a reader sees, in order (see the module docstring)."""
    results = []
    for group in groups:
        for i, entry in enumerate(group):
            if i == 0 and entry["page"]:
                others = [e["score"] for e in group[1:]]
                if not (entry["score"] > 0 and all(entry["score"] > s for s in others)):
                    continue  # the group's heading, not a result
            results.append(entry["location"])
    return results


def recall(site: Path, base_url: str, watched, lang: str) -> dict:
    queries = probe_queries(site, lang)
    page = watched.goto(base_url + ("en/" if lang == "en" else ""))
    answers = ask(page, sorted(queries))
    counts = {"section@1": 0, "section@3": 0, "page@1": 0, "page@3": 0}
    misses, empty = [], []
    for answer in answers:
        targets = queries[answer["query"]]
        results = results_in_order(answer["groups"])
        pages = [urlsplit(group[0]["location"]).path for group in answer["groups"] if group]
        target_pages = {urlsplit(t).path for t in targets}
        if not answer["groups"]:
            empty.append(answer["query"])
        for k in (1, 3):
            counts[f"section@{k}"] += bool(targets & set(results[:k]))
            counts[f"page@{k}"] += bool(target_pages & set(pages[:k]))
        if not targets & set(results[:1]):
            misses.append(f"{answer['query']!r}: expected {sorted(targets)}, got {results[:3]}")
    n = len(answers)
    summary = {
        "lang": lang, "queries": n, "empty": empty,
        "recall@1": counts["section@1"] / n, "recall@3": counts["section@3"] / n,
        "page recall@1": counts["page@1"] / n, "page recall@3": counts["page@3"] / n,
        "misses@1": misses,
    }
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{lang}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    return summary


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_heading_finds_its_section(site, base_url, watched, lang):
    summary = recall(site, base_url, watched, lang)
    print(f"\nsearch probe ({lang}, {summary['queries']} headings): "
          f"recall@1 {summary['recall@1']:.2f}, recall@3 {summary['recall@3']:.2f}; "
          f"by page {summary['page recall@1']:.2f} / {summary['page recall@3']:.2f}; "
          f"{len(summary['empty'])} without results")
    for miss in summary["misses@1"]:
        print("  miss@1", miss)
    assert summary["queries"] > 50
    assert not watched.problems, watched.problems
    assert not summary["empty"], f"queries without results: {summary['empty']}"
    for key, goal in GOAL.items():
        assert summary[key] >= goal, f"{lang} {key} {summary[key]:.2f} < {goal} (see {REPORT_DIR})"


# A term and the lecture it belongs to: that lecture's group comes first (issue 12 found
# lecture 11 before 10 for 卷积, the home page and lecture 1 before 3 for 学习率, 3 before 11
# for 梯度消失).
TERMS = {
    "zh": {"卷积": "lecture10-cnn-basics", "学习率": "lecture03-gradient-descent",
           "梯度消失": "lecture11-advanced-cnn", "卷积，池化": "lecture10-cnn-basics",
           "填充 步长": "lecture10-cnn-basics", "最大池化": "lecture10-cnn-basics"},
    "en": {"max pooling": "lecture10-cnn-basics", "learning rate": "lecture03-gradient-descent",
           "vanishing gradients": "lecture11-advanced-cnn", "padding, stride": "lecture10-cnn-basics"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_term_finds_its_lecture_first(site, base_url, watched, lang):
    prefix = "/en/" if lang == "en" else "/"
    page = watched.goto(base_url + prefix.lstrip("/"))
    wrong = []
    for answer in ask(page, list(TERMS[lang])):
        first = urlsplit(answer["groups"][0][0]["location"]).path if answer["groups"] else None
        expected = prefix + TERMS[lang][answer["query"]] + "/"
        if first != expected:
            wrong.append(f"{answer['query']!r}: first {first}, expected {expected}")
        # the theme's Enter key opens the highest score: it must be in the first group shown
        best = max((e for g in answer["groups"] for e in g), key=lambda e: e["score"], default=None)
        if best and urlsplit(best["location"]).path != first:
            wrong.append(f"{answer['query']!r}: Enter opens {best['location']}, not the first page {first}")
    assert not wrong, "\n".join(wrong)
    assert not watched.problems, watched.problems


COUNT = r"\d+"
MORE_TIMEOUT_MS = 30_000  # how long the theme may take to render more results on a slow machine

# The reader scrolls the result list to its end, again and again, while the theme renders more
# (it renders on arrival at the bottom). Each step waits for the scroll event and for the frame in
# which the theme samples the scroll position (once per animation frame), then for new items (a
# MutationObserver), never for a time; it stops when ``said`` items are shown, or when arriving at
# the bottom rendered nothing more within the bound. Returns the visible items.
SCROLL_THROUGH = """async ([said, timeout]) => {
  const wrap = document.querySelector(".md-search__scrollwrap");
  const list = document.querySelector(".md-search-result__list");
  const shown = () => list.querySelectorAll(":scope > .md-search-result__item:not([hidden])").length;
  const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const scrollTo = (top) => new Promise(resolve => {
    top = Math.max(0, Math.min(top, wrap.scrollHeight - wrap.clientHeight));
    if (Math.abs(wrap.scrollTop - top) < 1) return resolve();
    wrap.addEventListener("scroll", () => resolve(), { once: true });
    wrap.scrollTo(0, top);
  }).then(frame);  // the theme has seen where the list is
  const more = (before) => new Promise(resolve => {
    if (shown() > before) return resolve(true);
    const observer = new MutationObserver(() => {
      if (shown() > before) { observer.disconnect(); clearTimeout(timer); resolve(true); }
    });
    observer.observe(list, { childList: true });
    const timer = setTimeout(() => { observer.disconnect(); resolve(false); }, timeout);
  });
  while (shown() < said) {
    const before = shown();
    await scrollTo(0);  // off the bottom, then back: the theme renders more on arrival
    await scrollTo(wrap.scrollHeight);
    if (!await more(before)) break;
  }
  return shown();
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_result_count_counts_every_result_of_the_language(base_url, watched, lang):
    """The "N matching documents" line counts all results in the page's language, also those
    the theme renders only when the reader scrolls down the list."""
    query = {"zh": "训练", "en": "training"}[lang]
    page = watched.goto(base_url + ("en/" if lang == "en" else ""))
    answer = ask(page, [query])[0]
    said = int(re.search(COUNT, answer["meta"])[0])
    shown = page.evaluate(SCROLL_THROUGH, [said, MORE_TIMEOUT_MS])
    hrefs = page.eval_on_selector_all(".md-search-result__item:not([hidden]) > a", "els => els.map(e => e.href)")
    assert shown > 10, f"{query!r}: {shown} results; the test needs more than the first rendered 10"
    assert said == shown, f"{query!r}: the list says {said} results, the reader can scroll through {shown}"
    assert all(urlsplit(h).path.startswith("/en/") == (lang == "en") for h in hrefs), hrefs


def test_index_is_loaded_only_when_the_reader_searches(base_url, watched):
    """A page view downloads no search documents; the first query downloads those of the
    page's language only (the theme's search_index.json keeps only its configuration)."""
    page = watched.page
    loaded: list[tuple[str, int]] = []
    page.on("requestfinished", lambda r: loaded.append((urlsplit(r.url).path, r.sizes()["responseBodySize"])))
    for url in ("", "en/lecture03-gradient-descent/"):
        # ready: the search worker has answered the theme's setup, so a worker that loaded the
        # index on start has requested it, and goto waited for the request to finish
        watched.goto(base_url + url)
        search = [(path, size) for path, size in loaded if path.startswith("/search/")]
        assert sum(size for _, size in search) < 2048, f"/{url}: search data loaded on page view: {search}"
        loaded.clear()
    answer = ask(page, ["gradient"])[0]
    assert answer["groups"], answer
    watched.settle()
    search = [path for path, _ in loaded if path.startswith("/search/")]
    assert search == ["/search/index-en.json"], search
    assert not watched.problems, watched.problems


WORKER_URL = re.compile(r'"search": "[^"]*?assets/javascripts/search-worker\.js\?lang=(\w+)&v=[0-9a-f]{8}"')


def test_built_site_has_an_index_per_language_and_names_the_sites_worker(site):
    """What engine/search.py writes: the theme's index keeps only its configuration, each
    language has its own documents, and every page names the site's worker with its language."""
    theme_index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert theme_index["docs"] == [] and "separator" in theme_index["config"]
    for lang in ("zh", "en"):
        docs = json.loads((site / "search" / f"index-{lang}.json").read_text(encoding="utf-8"))["docs"]
        assert len(docs) > 100, f"{lang}: {len(docs)} documents"
        assert all(d["location"].startswith("en/") == (lang == "en") for d in docs)
        assert not any("\u200b" in d["title"] + d["text"] for d in docs), "jieba marks left in the index"
    pages = [p for p in site.rglob("index.html") if p.relative_to(site).parts[0] not in ("assets", "search")]
    assert len(pages) > 20
    pages.append(site / "404.html")
    for path in pages:
        found = WORKER_URL.findall(path.read_text(encoding="utf-8"))
        lang = "en" if path.relative_to(site).parts[0] == "en" else "zh"
        assert found == [lang], f"{path.relative_to(site)}: worker for {found}, expected [{lang!r}]"
