"""A phone (390 x 844 CSS px, as tests/test_reader.py's PHONE): figure text and tables.

* Figure text: a snippet figure is drawn by matplotlib at 100 dpi for its 1x size (the ``width``
  attribute, engine/site/reader_hooks.py) with 10 pt tick labels, 13.9 px at that size. Shown at
  ``rendered width / width`` of it, its labels are that scale times 13.9 px; the test asks for
  MIN_FIGURE_TEXT_PX (the diagrams' MIN_LABEL_PX) or more, and that a figure wider than the
  column scrolls inside its own box, not the page (issue 23: 1100 -> 358 px, labels at 4.5 px).
* Tables: every table of every page fits the column (issue 23: the results table 676 px wide,
  the glossary's lecture column cut, tables 2-13 px too wide with a scroll bar for nothing),
  and the results table shows every value with its column's name.

Both languages. The measurements are written to .cache/phone/ for the record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.core.static_site import site_pages

ROOT = Path(__file__).resolve().parent.parent
REPORT_DIR = ROOT / ".cache" / "phone"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
TICK_LABEL_PX = 10 * 100 / 72  # matplotlib's default 10 pt tick labels at 100 dpi, at 1x size
MIN_FIGURE_TEXT_PX = 10

FIGURES = """() => [...document.querySelectorAll(".snippet-figure img")].map(img => {
  const box = img.closest(".snippet-figure");
  return {src: img.getAttribute("src").split("/").slice(-2).join("/"), width: +img.getAttribute("width"),
          shown: img.getBoundingClientRect().width, loaded: img.complete && img.naturalWidth > 0,
          boxScrolls: ["auto", "scroll"].includes(getComputedStyle(box).overflowX),
          boxWidth: box.clientWidth};
})"""

TABLES = """() => [...document.querySelectorAll(".md-content table")].map(table => {
  const wrap = table.closest(".md-typeset__scrollwrap") || table.parentElement;
  const column = document.querySelector(".md-content__inner").getBoundingClientRect();
  const box = table.getBoundingClientRect();
  return {head: [...table.querySelectorAll("th")].map(th => th.textContent.trim()).join(" | ").slice(0, 60),
          width: Math.round(box.width), overflow: wrap.scrollWidth - wrap.clientWidth,
          outside: Math.round(Math.max(box.right - column.right, column.left - box.left))};
})"""

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# Laid out as read: math drawn by KaTeX (raw TeX is wider) and the fonts loaded.
READY = """async () => { await document.fonts.ready;
  return [...document.querySelectorAll(".arithmatex")].every(el => el.querySelector(".katex")); }"""


def open_page(phone, url: str):
    tab = phone.goto(url)
    tab.wait_for_function(READY, timeout=60_000)
    return tab


def pages(site: Path) -> list[str]:
    return [url for url in site_pages(site) if "notebooks/" not in url]


@pytest.fixture()
def phone(browser, base_url):
    from tests.browser import Watched

    watched = Watched(browser, base_url, **PHONE)
    yield watched
    watched.close()


def record(name: str, data) -> None:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / name).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def test_figure_text_is_readable_on_a_phone(site, base_url, phone):
    found, bad = [], []
    for url in pages(site):
        if 'class="snippet-figure"' not in (site / url / "index.html").read_text(encoding="utf-8"):
            continue
        tab = open_page(phone, base_url + url)
        tab.wait_for_function("() => [...document.querySelectorAll('.snippet-figure img')].every(i => i.complete)")
        for fig in tab.evaluate(FIGURES):
            text_px = fig["shown"] / fig["width"] * TICK_LABEL_PX
            found.append({"page": url, **fig, "text_px": round(text_px, 1)})
            where = f"{url} {fig['src']} ({fig['width']} px shown at {fig['shown']:.0f})"
            if not fig["loaded"]:
                bad.append(f"{where}: not loaded")
            if text_px < MIN_FIGURE_TEXT_PX - 0.05:
                bad.append(f"{where}: tick labels at {text_px:.1f} px < {MIN_FIGURE_TEXT_PX}")
            if fig["shown"] > fig["boxWidth"] + 1 and not fig["boxScrolls"]:
                bad.append(f"{where}: wider than its box, which does not scroll")
        overflow = tab.evaluate(PAGE_OVERFLOW)
        if overflow > 1:
            bad.append(f"{url}: the page is {overflow} px wider than the phone")
        bad += phone.problems
    if not found:
        pytest.skip("no figures in this build (COURSE_EXECUTE=0?)")
    record("figures.json", found)
    smallest = min(found, key=lambda f: f["text_px"])
    print(f"\n{len(found)} figures on a phone; smallest tick labels {smallest['text_px']} px "
          f"({smallest['page']} {smallest['src']})")
    assert not bad, "\n".join(bad)


def test_tables_fit_a_phone(site, base_url, phone):
    found, bad = [], []
    for url in pages(site):
        if "<table" not in (site / url / "index.html").read_text(encoding="utf-8"):
            continue
        tab = open_page(phone, base_url + url)
        for table in tab.evaluate(TABLES):
            found.append({"page": url, **table})
            if table["overflow"] > 0 or table["outside"] > 1:
                bad.append(f"/{url}: table [{table['head']}] {table['width']} px, "
                           f"{table['overflow']} px more than its column")
        bad += phone.problems
    record("tables.json", found)
    assert {f["page"] for f in found} >= {"glossary/", "en/glossary/", "results/", "en/results/"}
    assert not bad, "\n".join(bad)


RESULT_CARDS = """() => [...document.querySelectorAll(".course-results tbody tr")].map(row =>
  [...row.cells].slice(2).map(cell => getComputedStyle(cell, "::before").content))"""


@pytest.mark.parametrize("page, names", [("results/", ["本次构建", "课程报告", "设备", "运行时间"]),
                                         ("en/results/", ["This build", "Course", "Device", "Run time"])])
def test_results_on_a_phone_name_each_value(base_url, phone, page, names):
    """The results table is a card per lecture on a phone (its header row hidden): each value
    carries its column's name."""
    rows = phone.goto(base_url + page).evaluate(RESULT_CARDS)
    assert rows, f"{page}: no results rows"
    for labels in rows:
        shown = [label.strip('"').rstrip(":： ") for label in labels]
        assert shown == names, f"{page}: values labelled {labels}, expected {names}"
    assert not phone.problems, phone.problems
