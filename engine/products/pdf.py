"""One PDF of the course per language, printed from a built site by headless chromium.

    python -m engine.products.pdf SITE_DIR OUT_DIR      # OUT_DIR/course-zh.pdf, OUT_DIR/course-en.pdf

The site's math is rendered in the browser (KaTeX) and its diagrams too (mermaid), so the PDF
is printed by the same browser the tests use (Debian's chromium through Playwright), offline:
the site is served from SITE_DIR on localhost and every other request is refused.

For each language a blank page of the site's origin assembles one print document
(``pdf_assemble.js``): a cover, a table of contents, the home page, every lecture in the
navigation's order, then the other pages of the navigation (glossary, results); links between
them become links inside the PDF, links to pages it leaves out point at the published site.
Chromium prints it twice: the first print tells on which page each part starts, the second
has those numbers in the table of contents. The PDF has bookmarks from the headings
(``outline``), a tagged structure, page numbers in the footer, and its fonts embedded (chromium
embeds the CJK font as Type 3 glyphs).

Chromium names a CJK glyph that the font shares between an ideograph and a radical (入 and ⼊,
页 and ⻚) by the radical's code point, so such characters would be copied and searched as
radicals; :func:`repair` maps them back to the ideographs. No MkDocs here: it reads the built site,
whose home pages link the PDFs with raw HTML (MkDocs checks Markdown links against docs/).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import io
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from engine.core.static_site import StaticServer

ASSEMBLE_JS = Path(__file__).with_name("pdf_assemble.js")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ASSEMBLE_TIMEOUT_MS = 300_000  # a slow, busy machine; the document is usually ready in seconds

# language -> the folder of its home page in the site (mkdocs.yml: zh at /, en at /en/)
LANGUAGES = {"zh": "", "en": "en/"}

LABELS = {
    "zh": {"contents": "目录", "built": "生成于", "online": "在线版：", "page": "第 {page} 页，共 {total} 页"},
    "en": {"contents": "Contents", "built": "Built on", "online": "Online:", "page": "page {page} of {total}"},
}

# Print layout; the site's own stylesheets come first (see pdf_assemble.js).
PRINT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
html { font-size: 100%; }
body { margin: 0; background: #fff; }
.md-typeset { font-size: 0.75rem; }
.pdf-cover { break-after: page; padding-top: 30vh; text-align: center; }
.pdf-cover__title { font-size: 2.2rem; font-weight: 700; line-height: 1.3; }
.pdf-cover__description { font-size: 1rem; }
.pdf-cover__meta { font-size: 0.8rem; color: #555; }
.pdf-toc.md-typeset ol { font-size: 0.9rem; list-style: none; margin-left: 0; padding: 0; }
.pdf-toc.md-typeset ol li { display: flex; align-items: baseline; margin-left: 0; }
.pdf-toc__leader { flex: 1; border-bottom: 1px dotted #999; margin: 0 0.4em; }
.pdf-page { break-before: page; }
.md-typeset h1, .md-typeset h2, .md-typeset h3, .md-typeset h4 { break-after: avoid; }
.md-typeset figure, .md-typeset img, .pdf-mermaid, .md-typeset .katex-display { break-inside: avoid; }
.md-typeset pre > code { white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible; }
.md-typeset .md-code__nav, .md-typeset .md-clipboard { display: none; }
.md-typeset .katex-display { overflow: visible; }
.md-typeset__scrollwrap, .md-typeset__table { overflow: visible; display: block; }
.md-typeset table:not([class]) { display: table; width: 100%; }
.pdf-mermaid { text-align: center; margin: 1em 0; }
.pdf-mermaid svg { max-width: 100%; height: auto; }
.web-only { display: none !important; }
/* The theme keeps an admonition or details block on one page: a long one (errata tables, logs)
   then leaves the page before it half empty. Here they flow on, their title with their start. */
.md-typeset .admonition, .md-typeset details { break-inside: auto !important; }
.md-typeset .admonition-title, .md-typeset summary { break-after: avoid; }
.md-typeset tr { break-inside: avoid; }
"""

FOOTER = (
    '<div style="width:100%; font-size:8px; color:#666; text-align:center; '
    'font-family: sans-serif;">{text}</div>'
)


class PdfError(RuntimeError):
    """The PDF cannot be printed faithfully; the message says why."""


def _vendor_file(site: Path, name: str) -> str:
    """The site path of a vendored front-end file (KaTeX, mermaid), wherever the site keeps it."""
    found = sorted(site.glob(f"**/{name}"))
    if not found:
        raise PdfError(f"{site} has no {name}: the PDF renders math and diagrams with the site's own copy")
    return found[0].relative_to(site).as_posix()


CHROMIUM_ENV = "COURSE_CHROMIUM"  # a chromium executable to use (else found as below)


def chromium_executable(playwright=None) -> str | None:
    """The chromium the PDFs and the browser tests use: ``COURSE_CHROMIUM``, else Playwright's own
    browser when installed (``python -m playwright install --with-deps chromium``, GitHub's
    runners), else ``chromium`` on PATH (Debian's; Ubuntu's is a snap wrapper Playwright cannot
    drive). None when there is none."""
    given = os.environ.get(CHROMIUM_ENV, "").strip()
    if given:
        if not os.access(given, os.X_OK):
            raise PdfError(f"{CHROMIUM_ENV}={given}: not an executable file")
        return given
    if playwright is not None:
        try:
            own = playwright.chromium.executable_path
        except Exception:  # noqa: BLE001 (no browser of its own installed)
            own = None
        if own and os.access(own, os.X_OK):
            return own
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(playwright=None) -> str:
    executable = chromium_executable(playwright)
    if executable is None:
        raise PdfError("no chromium (set COURSE_CHROMIUM, run `python -m playwright install chromium`, "
                       "or apt-get install chromium on Debian): the PDF is printed by it")
    return executable


def _cjk_font() -> str:
    """The file (``path:index``) fontconfig gives Chinese text; the PDF embeds it."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        found = subprocess.run([fc_match, "-f", "%{file}:%{index}\n%{lang}", "sans-serif:lang=zh-cn"],
                               capture_output=True, text=True).stdout
        spec, _, langs = found.partition("\n")
        if "zh-cn" in langs.split("|"):
            return spec
    raise PdfError("no CJK font (apt-get install fonts-noto-cjk): the Chinese text would print as empty boxes")


def _check_site(site: Path) -> None:
    for lang, folder in LANGUAGES.items():
        home = site / folder / "index.html"
        if not home.is_file():
            raise PdfError(f"{site} is not a built site: no {home.relative_to(site)} ({lang} home page)")


def build(site: Path, out: Path, languages: list[str] | None = None, log=print) -> dict[str, Path]:
    """Print one PDF per language from the built ``site`` into ``out``; returns lang -> path."""
    from playwright.sync_api import sync_playwright

    site, out = Path(site).resolve(), Path(out).resolve()
    languages = languages or list(LANGUAGES)
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise PdfError(f"unknown language(s) {unknown}: known are {list(LANGUAGES)}")
    _check_site(site)
    radicals = radical_equivalents(_cjk_font())
    vendor_paths = {
        "katex": _vendor_file(site, "katex.min.js"),
        "katexCss": _vendor_file(site, "katex.min.css"),
        "autoRender": _vendor_file(site, "auto-render.min.js"),
        "mermaid": _vendor_file(site, "mermaid.esm.min.mjs"),  # the ES-module build (reader.js loads it too)
    }
    script = ASSEMBLE_JS.read_text(encoding="utf-8")
    built = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    with StaticServer(site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(playwright), args=LAUNCH_ARGS)
        try:
            for lang in languages:
                started = time.monotonic()
                target = out / f"course-{lang}.pdf"
                summary = _print_language(browser, server.url, lang, vendor_paths, script, built, target)
                clock = time.monotonic()
                kept = repair(target, radicals, summary["headings"])
                summary["seconds"]["repair"] = time.monotonic() - clock
                if kept:
                    log(f"pdf: {target.name}: no ideograph known for {''.join(sorted(kept))}: copied as radicals")
                log(
                    f"pdf: {target} ({target.stat().st_size / 1e6:.1f} MB): {len(summary['pages'])} pages "
                    f"of the site, {summary['formulas']} formulas, {summary['diagrams']} diagrams, "
                    f"{time.monotonic() - started:.1f} s ("
                    + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in summary["seconds"].items()) + ")"
                )
                written[lang] = target
        finally:
            browser.close()
    return written


def _print_language(browser, base: str, lang: str, vendor_paths: dict, script: str, built: str,
                    target: Path) -> dict:
    labels = LABELS[lang]
    home = base + LANGUAGES[lang]
    shell = home + "course.pdf.html"  # answered below, never a file of the site
    host = urlsplit(base).netloc
    problems: list[str] = []
    context = browser.new_context(color_scheme="light", viewport={"width": 1000, "height": 1400})
    try:
        page = context.new_page()

        def route(r):
            url = r.request.url
            if url == shell:
                r.fulfill(
                    status=200, content_type="text/html; charset=utf-8",
                    body=f"<!doctype html><html><head><meta charset='utf-8'><title></title>"
                         f"<style>{PRINT_CSS}</style></head><body></body></html>",
                )
            elif urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host:
                problems.append(f"request to another site refused: {url}")
                r.abort()
            else:
                r.continue_()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
        page.set_default_timeout(ASSEMBLE_TIMEOUT_MS)
        clock = time.monotonic()
        page.goto(shell, wait_until="load")
        summary = page.evaluate(
            script,
            {
                "home": home,
                "siteRoot": base,
                "vendor": {name: base + path for name, path in vendor_paths.items()},
                "labels": labels,
                "built": built,
            },
        )
        summary["seconds"] = {"assemble": time.monotonic() - clock}
        problems = list(dict.fromkeys(problems + summary["problems"]))
        if problems:
            raise PdfError(f"{lang}: the print document is not complete:\n  " + "\n  ".join(problems[:30]))
        number, total = '<span class="pageNumber"></span>', '<span class="totalPages"></span>'
        footer = labels["page"].format(page=number, total=total)
        options = dict(
            format="A4",
            print_background=True,
            outline=True,
            tagged=True,
            display_header_footer=True,
            header_template="<div></div>",
            footer_template=FOOTER.format(text=footer),
            prefer_css_page_size=True,
        )
        # First print: where each part starts (a plain print: bookmarks and tags do not move
        # pages); second: with those numbers in the contents.
        clock = time.monotonic()
        starts = part_pages(page.pdf(**{**options, "outline": False, "tagged": False}))
        summary["seconds"]["first print"] = time.monotonic() - clock
        clock = time.monotonic()
        page.evaluate(
            """(starts) => { for (const span of document.querySelectorAll(".pdf-toc__page"))
                   span.textContent = starts[span.dataset.target]; }""",
            starts,
        )
        page.pdf(path=str(target), **options)
        summary["seconds"]["second print"] = time.monotonic() - clock
        if part_pages(target.read_bytes()) != starts:
            raise PdfError(f"{lang}: the page numbers moved when the contents got them; print again")
        return summary
    finally:
        context.close()


def part_pages(pdf: bytes) -> dict[str, int]:
    """Page number (1-based) of each part ``p0``, ``p1``... of a printed course, from its
    named destinations (chromium names every element a link points at)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    starts = {}
    for name, destination in reader.named_destinations.items():
        part = name.lstrip("/")
        if re.fullmatch(r"p\d+", part):
            starts[part] = reader.get_destination_page_number(destination) + 1
    return starts


RADICAL = re.compile("[\u2e80-\u2fdf]")  # CJK Radicals Supplement, Kangxi Radicals
IDEOGRAPHS = range(0x3400, 0xA000)  # CJK Unified Ideographs and Extension A


def radical_equivalents(font_spec: str) -> dict[str, str]:
    """Radical -> the ideograph it shares a glyph with in the CJK font (``path:index``); the
    Unicode compatibility mapping (NFKC) where the font shares none."""
    from fontTools.ttLib import TTFont

    path, _, index = font_spec.rpartition(":")
    cmap = TTFont(path, fontNumber=int(index or 0), lazy=True).getBestCmap()
    code_points = collections.defaultdict(list)
    for code_point, glyph in cmap.items():
        code_points[glyph].append(code_point)
    table = {}
    for code_point in range(0x2E80, 0x2FE0):
        radical = chr(code_point)
        shared = [c for c in code_points.get(cmap.get(code_point), []) if c in IDEOGRAPHS]
        if len(shared) == 1:
            table[radical] = chr(shared[0])
        elif unicodedata.normalize("NFKC", radical) != radical:
            table[radical] = unicodedata.normalize("NFKC", radical)
    return table


def _utf16(hex_digits: str) -> str:
    return bytes.fromhex(hex_digits).decode("utf-16-be")


def _unicode_map_entries(cmap: str) -> list[tuple[str, str]]:
    """(code, text) pairs of a ToUnicode CMap: its bfchar and bfrange entries."""
    entries = []
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        entries += [(code, _utf16(text)) for code, text in re.findall(r"<(\w+)>\s*<(\w*)>", block)]
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(r"<(\w+)>\s*<(\w+)>\s*(<\w*>|\[[^\]]*\])", block):
            first, count = int(low, 16), int(high, 16) - int(low, 16) + 1
            if target.startswith("["):
                texts = [_utf16(t) for t in re.findall(r"<(\w*)>", target)]
            else:
                start = _utf16(target[1:-1])
                texts = [start[:-1] + chr(ord(start[-1]) + i) for i in range(count)]
            entries += [(f"{first + i:0{len(low)}X}", text) for i, text in enumerate(texts)]
    return entries


def repaired_unicode_map(cmap: str, table: dict[str, str]) -> tuple[str | None, set[str]]:
    """The CMap with radicals mapped to ideographs (None if it has none), and the radicals
    left because the table has no ideograph for them."""
    entries = _unicode_map_entries(cmap)
    if not any(RADICAL.search(text) for _, text in entries):
        return None, set()
    kept = {c for _, text in entries for c in RADICAL.findall(text) if c not in table}
    entries = [(code, "".join(table.get(c, c) for c in text)) for code, text in entries]
    blocks = []
    for i in range(0, len(entries), 100):  # at most 100 entries per block (PDF 32000, 9.10.3)
        chunk = entries[i:i + 100]
        lines = "".join(f"<{code}> <{text.encode('utf-16-be').hex().upper()}>\n" for code, text in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{lines}endbfchar\n")
    first = re.search(r"\d+\s+begin(?:bfchar|bfrange)", cmap)
    last = max(cmap.rfind("endbfchar") + len("endbfchar"), cmap.rfind("endbfrange") + len("endbfrange"))
    return cmap[: first.start()] + "".join(blocks) + cmap[last:].lstrip("\n"), kept


def repair(path: Path, table: dict[str, str], headings: list[str]) -> set[str]:
    """Two repairs of a printed course, appended to ``path`` as an incremental update: the
    bookmark titles as the headings write them (chromium drops the spaces where a heading
    wraps) and the ToUnicode maps that name radicals (see :func:`repaired_unicode_map`).
    Returns the radicals that stay because no ideograph is known for them."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    changed = _retitle_bookmarks(reader, headings)
    kept: set[str] = set()
    done: set[int] = set()
    for font in _fonts(reader):
        if "/ToUnicode" not in font:
            continue
        reference = font.raw_get("/ToUnicode")
        if not hasattr(reference, "idnum"):
            raise PdfError(f"{path}: a ToUnicode map that is not an indirect object; cannot update it")
        if reference.idnum in done:
            continue
        done.add(reference.idnum)
        stream = reference.get_object()
        repaired, left = repaired_unicode_map(stream.get_data().decode("latin-1"), table)
        kept |= left
        if repaired is not None:
            stream.set_data(repaired.encode("latin-1"))
            changed.append(stream)
    _append_update(path, reader, changed)
    return kept


def _append_update(path: Path, reader, objects: list) -> None:
    """Append changed objects of ``reader``'s document to ``path`` with their own cross-reference
    section (PDF 32000, 7.5.6): the printed bytes stay as they are."""
    if not objects:
        return
    original = path.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", original)[-1])
    update = io.BytesIO()
    update.write(b"\n")
    offsets = {}
    for obj in objects:
        reference = obj.indirect_reference
        offsets[reference.idnum] = (len(original) + update.tell(), reference.generation)
        update.write(f"{reference.idnum} {reference.generation} obj\n".encode())
        obj.write_to_stream(update)
        update.write(b"\nendobj\n")
    xref = len(original) + update.tell()
    update.write(b"xref\n0 1\n0000000000 65535 f\r\n")  # the head of the free list, as in the first section
    for idnum in sorted(offsets):
        offset, generation = offsets[idnum]
        update.write(f"{idnum} 1\n{offset:010d} {generation:05d} n\r\n".encode())
    trailer = reader.trailer
    entries = [f"/Size {trailer['/Size']}", f"/Prev {previous}"]
    entries += [f"{key} {trailer.raw_get(key).idnum} {trailer.raw_get(key).generation} R"
                for key in ("/Root", "/Info") if key in trailer]
    update.write(f"trailer\n<< {' '.join(entries)} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(original + update.getvalue())


def _retitle_bookmarks(reader, headings: list[str]) -> list:
    """Give each bookmark the text of its heading: headings come in document order, as the
    bookmarks do; a bookmark matches the next heading equal to it but for whitespace.
    Returns the bookmarks changed."""
    from pypdf.generic import NameObject, TextStringObject

    def squeeze(text: str) -> str:
        return re.sub(r"\s+", "", text)

    outlines = reader.root_object.get("/Outlines")
    items, stack = [], [outlines.get_object()["/First"]] if outlines is not None else []
    while stack:  # depth first: an item, its children, then its next sibling
        item = stack.pop().get_object()
        items.append(item)
        stack += [item.raw_get(key) for key in ("/Next", "/First") if key in item]
    changed, position = [], 0
    for item in items:
        title = str(item["/Title"])
        match = next((i for i in range(position, len(headings)) if squeeze(headings[i]) == squeeze(title)), None)
        if match is None:
            raise PdfError(f"bookmark {title!r} matches no heading of the document")
        if headings[match] != title:
            item[NameObject("/Title")] = TextStringObject(headings[match])
            changed.append(item)
        position = match + 1
    return changed


def _fonts(document):
    """Every font dictionary used by the pages of ``document`` (forms and Type 3 glyphs included)."""
    seen: set[int] = set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        for kind in ("/Font", "/XObject"):  # each object once; a Type 3 font or a form has resources
            for item in resources.get(kind, {}).values():
                if item.indirect_reference is not None:
                    if item.indirect_reference.idnum in seen:
                        continue
                    seen.add(item.indirect_reference.idnum)
                item = item.get_object()
                if kind == "/Font":
                    yield item
                if "/Resources" in item and (kind == "/Font" or item.get("/Subtype") == "/Form"):
                    yield from walk(item["/Resources"])

    for page in document.pages:
        yield from walk(page.get("/Resources"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.products.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site (mkdocs build --strict)")
    parser.add_argument("out", type=Path, help="where to write course-LANG.pdf (site/pdf for the published site)")
    parser.add_argument("--lang", action="append", choices=list(LANGUAGES), help="only this language (repeatable)")
    args = parser.parse_args(argv)
    try:
        build(args.site, args.out, args.lang)
    except PdfError as exc:
        print(f"engine.products.pdf: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
