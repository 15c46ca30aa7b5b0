"""What a reader sees: diagrams and tables that read at desktop and phone widths, sharp figures
that open full size, both colour schemes, light pages, video links, and the small details
(404 page, footer links, search excerpts, copy buttons, wide formulas).

Browser checks use the built site (``site``: ``COURSE_SITE_DIR`` or built for the session),
served on localhost, in headless Chromium.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.core.static_site import site_pages
from engine.site import reader_hooks, search
from engine.tools import page_weight

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
MIN_LABEL_PX = 10  # smallest diagram label, in CSS pixels as displayed
MIN_CONTRAST = 4.5  # WCAG AA for text


def diagram_pages(site: Path) -> list[str]:
    return [page for page in site_pages(site)
            if 'class="mermaid"' in (site / page / "index.html").read_text(encoding="utf-8")]


def lecture_pages(lang: str) -> list[tuple[int, str]]:
    """(number, site path) of every lecture page of ``lang``."""
    out = []
    for md in sorted((ROOT / "docs" / lang).glob("lecture*.md")):
        number = int(re.match(r"lecture(\d+)", md.stem).group(1))
        out.append((number, ("en/" if lang == "en" else "") + md.stem + "/"))
    return out


def html_of(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


# --- Diagrams ---------------------------------------------------------------------------------

DIAGRAMS_DRAWN = """(scheme) => {
  const diagrams = [...document.querySelectorAll("div.mermaid")];
  return diagrams.length > 0 && diagrams.every(d => d.shadowRoot && d.shadowRoot.querySelector("svg")
    && d.dataset.scheme === scheme);
}"""

# Every label of every diagram: its displayed font size (computed size times the SVG's scale)
# and the contrast of its colour against what is behind it (its shape's fill, else the page).
LABELS = """() => {
  const rgb = (text) => {
    const m = text && text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(",").map(Number);
    return a === 0 ? null : [r, g, b];
  };
  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const page = rgb(getComputedStyle(document.querySelector(".md-main") || document.body).backgroundColor)
    || rgb(getComputedStyle(document.body).backgroundColor) || [255, 255, 255];
  const out = [];
  for (const [index, diagram] of [...document.querySelectorAll("div.mermaid")].entries()) {
    const svg = diagram.shadowRoot.querySelector("svg");
    const box = svg.getBoundingClientRect();
    const overflow = diagram.scrollWidth - diagram.clientWidth;
    const hint = getComputedStyle(diagram).backgroundImage.includes("gradient");
    const scale = box.width / svg.viewBox.baseVal.width;
    const labels = [...svg.querySelectorAll(".nodeLabel, .edgeLabel span, text, .cluster-label span")]
      .filter(el => el.textContent.trim() && !el.querySelector(".nodeLabel"));
    for (const label of labels) {
      const style = getComputedStyle(label);
      const color = rgb(label.namespaceURI.endsWith("svg") ? style.fill : style.color);
      let behind = null;
      for (let el = label; el && el !== svg && !behind; el = el.parentElement) {
        if (el.tagName === "DIV" || el.tagName === "SPAN" || el.tagName === "P") {
          behind = rgb(getComputedStyle(el).backgroundColor);
        }
        if (!behind && el.tagName === "g" && /\\b(node|cluster)\\b/.test(el.getAttribute("class") || "")) {
          const shape = el.querySelector(
            ":scope > rect, :scope > polygon, :scope > circle, :scope > path, :scope > g > path, :scope > g > rect");
          if (shape) behind = rgb(getComputedStyle(shape).fill);
        }
      }
      out.push({
        diagram: index, text: label.textContent.trim().slice(0, 40), overflow, hint,
        px: parseFloat(style.fontSize) * scale,
        contrast: color ? contrast(color, behind || page) : 0,
      });
    }
  }
  return out;
}"""


def _open(browser, base_url, options, scheme="light"):
    from tests.browser import Watched

    return Watched(browser, base_url, color_scheme=scheme, **options)


def _diagram_labels(watched, base_url, page, scheme_name):
    tab = watched.goto(base_url + page)  # ready: every diagram drawn in the page's scheme
    assert tab.evaluate(DIAGRAMS_DRAWN, scheme_name), f"{page}: diagrams not drawn in {scheme_name}"
    return tab.evaluate(LABELS)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_diagram_labels_are_readable(site, browser, base_url, width):
    pages = diagram_pages(site)
    assert len(pages) >= 2, "no diagram pages found"
    small, problems, counted = [], [], 0
    with _open(browser, base_url, DESKTOP if width == "desktop" else PHONE) as watched:
        for page in pages:
            labels = _diagram_labels(watched, base_url, page, "default")
            assert labels, f"{page}: diagrams without labels"
            counted += len(labels)
            small += [f"{page} diagram {lab['diagram'] + 1}: {lab['text']!r} {lab['px']:.1f}px"
                      for lab in labels if lab["px"] < MIN_LABEL_PX]
            wide = {lab["diagram"]: lab for lab in labels if lab["overflow"] > 1}
            if width == "desktop":  # at desktop width every diagram fits its column
                small += [f"{page} diagram {d + 1}: {lab['overflow']}px wider than the column"
                          for d, lab in wide.items()]
            small += [f"{page} diagram {d + 1}: scrolls with no hint" for d, lab in wide.items() if not lab["hint"]]
            problems += watched.problems
    print(f"{width}: {counted} labels on {len(pages)} pages")
    assert not problems, problems
    assert not small, f"labels under {MIN_LABEL_PX}px at {width} width:\n" + "\n".join(small)


def test_diagrams_read_in_both_schemes(site, browser, base_url):
    """Label text against its background, light and dark, and the diagrams follow the toggle."""
    pages = diagram_pages(site)
    low, problems = [], []
    for scheme, name in (("light", "default"), ("dark", "slate")):
        with _open(browser, base_url, DESKTOP, scheme) as watched:
            for page in pages:
                for lab in _diagram_labels(watched, base_url, page, name):
                    if lab["contrast"] < MIN_CONTRAST:
                        low.append(f"{name} {page} diagram {lab['diagram'] + 1}: {lab['text']!r} "
                                   f"contrast {lab['contrast']:.2f}")
                problems += watched.problems
            if scheme == "light":  # toggling the scheme draws the diagrams again, in the other theme
                tab = watched.goto(base_url + pages[0])
                assert tab.evaluate(DIAGRAMS_DRAWN, "default")
                tab.click("form[data-md-component=palette] label:not([hidden])")
                tab.wait_for_function(DIAGRAMS_DRAWN, arg="slate", timeout=60_000)  # a bound, not a speed
    assert not problems, problems
    assert not low, f"diagram text under {MIN_CONTRAST}:1:\n" + "\n".join(low)


def test_mermaid_loads_only_on_pages_with_diagrams(site, browser, base_url):
    with_diagram = set(diagram_pages(site))
    checked = {True: 0, False: 0}
    for page in ["", "en/", "lecture02-linear-model/", "glossary/", "results/", *sorted(with_diagram)[:2]]:
        if not (site / page / "index.html").is_file():
            continue
        requested: list[str] = []
        with _open(browser, base_url, DESKTOP) as watched:  # a fresh context: nothing cached
            watched.page.on("request", lambda r, requested=requested: requested.append(r.url))
            watched.goto(base_url + page)
        loads = any("/assets/vendor/mermaid/" in url for url in requested)
        assert loads == (page in with_diagram), f"{page or '/'}: mermaid loaded={loads}"
        checked[page in with_diagram] += 1
    assert checked[True] and checked[False]


# --- Page weight ------------------------------------------------------------------------------

def test_no_page_over_the_weight_budget(site, browser):
    weights = page_weight.measure(site, browser=browser)
    print(page_weight.report(weights[:10]))
    assert len(weights) == len(page_weight.site_pages(site)) > 50
    over = [w for w in weights if w.transferred > page_weight.BUDGET]
    assert not over, page_weight.report(over)


def test_page_weight_counts_what_a_page_loads(tmp_path, browser):
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="a.css"><img src="b.png">'
                                         '<script>fetch("c.json")</script>')
    (tmp_path / "a.css").write_text("body{color:red}" * 1000)
    (tmp_path / "b.png").write_bytes(bytes(5000))
    (tmp_path / "c.json").write_text("[]")
    (tmp_path / "unused.js").write_text("x" * 100_000)
    [weight] = page_weight.measure(tmp_path, browser=browser)
    assert set(weight.files) == {"index.html", "a.css", "b.png", "c.json"}, weight.files
    assert weight.files["b.png"] == 5000  # images are not compressed
    assert weight.files["a.css"] < 1000  # text is counted gzipped
    (tmp_path / "index.html").write_text('<img src="missing.png">')
    with pytest.raises(FileNotFoundError, match="missing.png"):
        page_weight.measure(tmp_path, browser=browser)


# --- Results table ----------------------------------------------------------------------------

@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_results_table_fits_and_paths_read(site, browser, base_url, width):
    with _open(browser, base_url, DESKTOP if width == "desktop" else PHONE) as watched:
        for page in ("results/", "en/results/"):
            tab = watched.goto(base_url + page)
            found = tab.evaluate("""() => {
              const table = document.querySelector(".md-content table");
              const article = document.querySelector(".md-content__inner");
              const wrap = table.closest(".md-typeset__scrollwrap") || table.parentElement;
              const codes = [...table.querySelectorAll("td code")].map(c => {
                const lines = c.getClientRects().length;
                return {text: c.textContent, width: c.getBoundingClientRect().width, lines};
              });
              return {table: table.getBoundingClientRect().width, article: article.clientWidth,
                      scroll: wrap.scrollWidth - wrap.clientWidth, codes};
            }""")
            assert found["codes"], f"{page}: no code paths in the table"
            if width == "desktop":
                fits = found["table"] <= found["article"] + 1 and found["scroll"] <= 1
                assert fits, f"{page}: table {found['table']}px in a {found['article']}px column"
            broken = [c["text"] for c in found["codes"] if c["lines"] > 1]
            assert not broken, f"{page} ({width}): paths broken inside a name: {broken[:3]}"
            assert not watched.problems, watched.problems


# --- Figures ----------------------------------------------------------------------------------

FIGURES = """() => [...document.querySelectorAll(".snippet-figure img")].map(img => ({
  src: img.getAttribute("src"), natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
  width: img.getAttribute("width"), height: img.getAttribute("height"),
  link: img.closest("a") ? img.closest("a").getAttribute("href") : null,
}))"""


def figure_pages(site: Path) -> list[str]:
    return [p for p in (page for _, page in lecture_pages("zh") + lecture_pages("en"))
            if 'class="snippet-figure"' in html_of(site, p)]


def test_figures_are_sharp_and_open_full_size(site, base_url, watched):
    pages = figure_pages(site)
    if not pages:
        pytest.skip("no figures in this build (COURSE_EXECUTE=0?)")
    problems = []
    for page in pages:
        tab = watched.goto(base_url + page)
        for fig in tab.evaluate(FIGURES):
            if not (fig["width"] and fig["height"]):
                problems.append(f"{page} {fig['src']}: no width/height")
            elif fig["natural"] < 2 * int(fig["width"]):
                problems.append(f"{page} {fig['src']}: {fig['natural']}px for {fig['width']}px shown (not 2x)")
            if fig["link"] != fig["src"]:
                problems.append(f"{page} {fig['src']}: not a link to the full-size image ({fig['link']})")
        problems += watched.problems
    assert not problems, "\n".join(problems)


def test_figure_display_size_from_png_resolution(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(4, 3))
    for dpi in (100, 200):
        figure.savefig(tmp_path / f"f{dpi}.png", dpi=dpi)
        assert reader_hooks.png_display_size(tmp_path / f"f{dpi}.png") == (400, 300)
    plt.close(figure)
    (tmp_path / "k" / "x").mkdir(parents=True)
    (tmp_path / "f200.png").rename(tmp_path / "k" / "x" / "fig-01.png")
    html = ('<figure class="snippet-figure"><img src="../assets/snippets/abc/fig-01.png" '
            'alt="Figure 1"></figure>')
    (tmp_path / "abc").mkdir()
    (tmp_path / "k" / "x" / "fig-01.png").rename(tmp_path / "abc" / "fig-01.png")
    out = reader_hooks.openable_figures(html, tmp_path)
    assert 'width="400" height="300"' in out and 'href="../assets/snippets/abc/fig-01.png"' in out


def test_figures_are_not_glaring_in_the_dark_scheme(site, browser, base_url):
    """Mean brightness of a figure as shown: the light scheme shows the white figure, the dark
    scheme a dark version of it."""
    from io import BytesIO

    from PIL import Image, ImageStat

    pages = figure_pages(site)
    if not pages:
        pytest.skip("no figures in this build")
    brightness = {}
    for scheme in ("light", "dark"):
        with _open(browser, base_url, DESKTOP, scheme) as watched:
            tab = watched.goto(base_url + pages[0])
            shot = tab.locator(".snippet-figure img").first.screenshot()
            brightness[scheme] = ImageStat.Stat(Image.open(BytesIO(shot)).convert("L")).mean[0]
    assert brightness["light"] > 180, brightness
    assert brightness["dark"] < 90, brightness


# --- Video links ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lecture_pages_link_their_video(site, lang):
    pages = lecture_pages(lang)
    assert pages
    for number, page in pages:
        html = html_of(site, page)
        title = html.index("<h1")
        link = html.find(f'href="{reader_hooks.VIDEO_SERIES}?p={number}"')
        assert link > title, f"{page}: no link to video part {number}"
        assert html.find("<h2", title) == -1 or link < html.find("<h2", title), f"{page}: video link not near the title"
        assert html.count("bilibili.com/video/BV1Y7411d7Ys?p=") == 1
    home = html_of(site, "en/" if lang == "en" else "")
    assert f'href="{reader_hooks.VIDEO_SERIES}"' in home, "home page: no link to the video series"
    assert "<iframe" not in home and "player.bilibili" not in home


# --- Details ----------------------------------------------------------------------------------

def test_not_found_page_is_chinese_with_links_home(site):
    html = (site / "404.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="zh', html), re.search(r"<html[^>]*>", html).group(0)
    home = re.search(r'<a href="([^"]*)">回到首页</a>', html)
    assert home, "404: no link home"
    selector = dict(re.findall(r'<a href="([^"]*)" hreflang="([^"]*)" class="md-select__link">', html))
    assert {v: k for k, v in selector.items()} == {"zh": home.group(1), "en": home.group(1) + "en/"}, selector


@pytest.mark.parametrize("home", ["", "en/"])
def test_footer_links_follow_the_navigation(site, home):
    html = html_of(site, home)
    assert "md-footer__link--prev" not in html, f"home page {home or '/'} has a 'previous' link"
    for page in [home] + [p for _, p in lecture_pages("en" if home else "zh")]:
        for href in re.findall(r'<a href="([^"]*)" class="md-footer__link', html_of(site, page)):
            assert "notebooks/" not in href, f"{page}: footer links the notebook page {href}"


def test_search_excerpts_have_no_math_delimiters(site):
    for lang in ("zh", "en"):  # the indexes the site's search worker loads (engine/site/search.py)
        index = json.loads((site / "search" / f"index-{lang}.json").read_text(encoding="utf-8"))
        assert any("\\frac" in doc["text"] for doc in index["docs"]), f"{lang}: no math in the index"
        raw = [doc["location"] for doc in index["docs"] if re.search(r"\\[()\[\]]", doc["text"])]
        assert not raw, f"{lang}: {len(raw)} search entries with \\( \\) math delimiters, e.g. {raw[:3]}"
    assert search.plain_text(r"loss \(l = (\hat y - y)^2\) and \[x\]") == r"loss l = (\hat y - y)^2 and x"


COPY_BUTTONS = """() => {
  const hits = [];
  const buttons = document.querySelectorAll(".md-code__nav");
  if (!buttons.length) return ["no copy buttons found"];
  for (const button of buttons) {
    const block = button.closest(".highlight") || button.parentElement;
    const code = block.querySelector("pre > code");
    if (!code) continue;
    const b = button.getBoundingClientRect();
    if (!b.width) continue;
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let node, firstTop = null;
    while ((node = walker.nextNode())) {
      if (!node.textContent.trim()) continue;
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (firstTop === null) firstTop = r.top;
        if (r.top > firstTop + 2) break;
        const visible = code.getBoundingClientRect();
        const overlap = Math.min(r.right, b.right, visible.right) - Math.max(r.left, b.left)
          > 1 && Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top) > 1;
        if (overlap) hits.push(code.textContent.split("\\n")[0].slice(0, 60));
      }
      if (firstTop !== null && range.getClientRects()[0]?.top > firstTop + 2) break;
    }
  }
  return [...new Set(hits)];
}"""


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_copy_button_leaves_first_lines_readable(site, browser, base_url, width):
    covered = []
    with _open(browser, base_url, DESKTOP if width == "desktop" else PHONE) as watched:
        for page in ("lecture03-gradient-descent/", "en/lecture05-linear-regression/", "lecture10-cnn-basics/"):
            if (site / page / "index.html").is_file():
                tab = watched.goto(base_url + page)  # ready: a copy button on every code block
                covered += [f"{page}: {line}" for line in tab.evaluate(COPY_BUTTONS)]
    assert not covered, "copy button over the first line of:\n" + "\n".join(covered)


SLOW_CPU = 10  # Chrome's CPU throttling rate: a renderer as slow as on a busy machine


def test_a_page_read_on_a_slow_cpu_has_run_its_scripts(site, browser, base_url):
    """Issue 18: the copy-button test read lecture 3 with no copy button on a busy machine. The
    page was read as Playwright's ``networkidle`` came, 500 ms after the last request ended, while
    the renderer had not run the theme's script yet (readyState "loading"; with the former goto,
    3 runs out of 3 at 8x, 10x and 20x throttling). ``Watched.goto`` reads it once it is ready."""
    page = "lecture03-gradient-descent/"
    with _open(browser, base_url, PHONE) as watched:  # a fresh context, as in the failed run
        cdp = watched.context.new_cdp_session(watched.page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": SLOW_CPU})
        tab = watched.goto(base_url + page, timeout=300)  # a bound for a slow CPU
        found = tab.evaluate("""() => ({ready: document.readyState,
          code: document.querySelectorAll(".md-content pre > code").length,
          buttons: document.querySelectorAll(".md-content pre > .md-code__nav").length})""")
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        copy = tab.evaluate(COPY_BUTTONS)
    assert found["ready"] == "complete" and found["code"] > 0, found
    assert found["buttons"] == found["code"], f"{page}: {found}"
    assert "no copy buttons found" not in copy, copy


WIDE_MATH = """() => [...document.querySelectorAll("div.arithmatex")].map(el => {
  const style = getComputedStyle(el);
  return {text: el.textContent.slice(0, 40), overflow: el.scrollWidth - el.clientWidth,
          scrolls: ["auto", "scroll"].includes(style.overflowX),
          hint: style.backgroundImage.includes("gradient") || el.classList.contains("is-scrollable")};
}).filter(m => m.overflow > 1)"""


def test_wide_formulas_on_a_phone_scroll_with_a_hint(site, browser, base_url):
    wide = []
    with _open(browser, base_url, PHONE) as watched:
        for _, page in lecture_pages("zh") + lecture_pages("en"):
            tab = watched.goto(base_url + page)  # ready: every formula rendered
            wide += [(page, m) for m in tab.evaluate(WIDE_MATH)]
    if not wide:
        pytest.skip("no formula is wider than a phone")
    bad = [f"{page}: {m}" for page, m in wide if not (m["scrolls"] and m["hint"])]
    print(f"{len(wide)} wide formulas on a phone")
    assert not bad, "\n".join(bad)
