"""The course PDFs (engine/products/pdf.py), one per language in the site's pdf/ folder: linked from both
home pages; every lecture in order, in the bookmarks and in the contents with its page number;
formulas rendered by KaTeX; code output and figures; fonts embedded; Chinese text that copies
and searches as the ideographs it shows.

The expectations come from the site's own pages (titles, formulas, outputs, figures), so the
test follows the content. Text is read only from the pages that are needed (pypdf is slow on
these documents): the contents page and each lecture's pages until its samples are found.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")

HOMES = {"zh": "", "en": "en/"}  # language -> folder of its home page in the site
OUTPUT_TITLE = {"zh": "输出", "en": "Output"}  # engine/site/markdown.py LABELS[lang]["output"]
# TeX commands a "simple" formula may use, and the characters KaTeX draws for them.
SYMBOLS = {
    r"\alpha": "α", r"\beta": "β", r"\omega": "ω", r"\sigma": "σ", r"\theta": "θ", r"\lambda": "λ",
    r"\cdot": "⋅", r"\times": "×", r"\leftarrow": "←", r"\rightarrow": "→", r"\to": "→",
    r"\le": "≤", r"\ge": "≥", r"\approx": "≈", r"\neq": "≠", r"\in": "∈",
}
SIMPLE_FORMULA = re.compile(r"(?:[A-Za-z0-9 =+\-,.()]|\\[A-Za-z]+|[\^_](?:[A-Za-z0-9]|\{[A-Za-z0-9]+\}))+")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("¶", "").strip()


# --- what the site's pages say -----------------------------------------------------------------


def lecture_pages(site: Path, lang: str) -> list[Path]:
    number = lambda p: int(re.findall(r"\d+", p.parent.name)[0])  # noqa: E731
    pages = sorted((site / HOMES[lang]).glob("lecture*/index.html"), key=number)
    assert len(pages) >= 13, f"{lang}: only {len(pages)} lecture pages in {site}"
    return pages


def title(page: Path) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
    assert match, f"{page}: no <h1>"
    return strip_tags(match.group(1))


def rendered(tex: str) -> str | None:
    """What KaTeX draws for a simple formula, whitespace aside; None for other formulas."""
    if not SIMPLE_FORMULA.fullmatch(tex):
        return None
    commands = re.findall(r"\\[A-Za-z]+", tex)
    if any(c not in SYMBOLS for c in commands) or not re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", tex)):
        return None
    text = re.sub(r"\\[A-Za-z]+", lambda m: SYMBOLS[m.group(0)], tex)
    text = re.sub(r"[\^_]\{?([A-Za-z0-9]+)\}?", r"\1", text).replace("-", "−")
    return squeeze(text)


def samples(page: Path, lang: str) -> dict[str, str]:
    """A few things the lecture's PDF pages must show: its first simple formulas (as drawn)
    and the first line of each of its first outputs. Maps what to find -> a description."""
    source = page.read_text(encoding="utf-8")
    found = {}
    inline = re.findall(r'<span class="arithmatex">\\\((.*?)\\\)</span>', source)
    formulas = [rendered(html.unescape(tex)) for tex in inline]
    for formula in [f for f in formulas if f and len(f) >= 3][:2]:
        found[formula] = f"formula {formula}"
    label = re.escape(OUTPUT_TITLE[lang])
    output = re.compile(rf'<span class="filename">{label}</span><pre>.*?<code>(.*?)</code></pre>', re.S)
    for block in output.findall(source)[:2]:
        lines = [line for line in strip_tags(block).splitlines() if len(line.strip()) >= 4]
        if lines:
            found[squeeze(lines[0])] = f"output line {lines[0].strip()!r}"
    return found


def figures(page: Path) -> set[str]:
    """The figures a page shows under its snippets (the first image of each snippet figure)."""
    source = page.read_text(encoding="utf-8")
    shown = re.findall(r'<figure class="snippet-figure[^"]*"[^>]*>(.*?)</figure>', source, re.S)
    return {m.group(1) for m in (re.search(r'<img [^>]*src="([^"]+)"', f) for f in shown) if m}


# --- what the PDFs hold ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pdfs(site) -> dict[str, Path]:
    """The site's PDFs, as ``make build`` (and the ``site_dir`` fixture) writes them."""
    paths = {lang: site / "pdf" / f"course-{lang}.pdf" for lang in HOMES}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        pytest.fail(f"no PDF {missing}: build them with `python -m engine.products.pdf {site} {site / 'pdf'}`")
    return paths


class Document:
    def __init__(self, path: Path):
        self.reader = pypdf.PdfReader(path)
        self.text = cache(lambda i: self.reader.pages[i].extract_text())

    def bookmarks(self) -> list[tuple[str, int]]:
        """Top-level bookmarks: (title, 1-based page)."""
        return [(b.title, self.reader.get_destination_page_number(b) + 1)
                for b in self.reader.outline if not isinstance(b, list)]


@pytest.fixture(scope="session")
def documents(pdfs) -> dict[str, Document]:
    return {lang: Document(path) for lang, path in pdfs.items()}


@pytest.mark.parametrize("lang", HOMES)
def test_home_page_links_both_pdfs(site, pdfs, lang):
    home = site / HOMES[lang] / "index.html"
    links = re.findall(r'href="([^"]*\.pdf)"', home.read_text(encoding="utf-8"))
    targets = {(site / HOMES[lang] / link).resolve() for link in links}
    for path in pdfs.values():
        assert path.resolve() in targets, f"{home.relative_to(site)} does not link {path.relative_to(site)}: {links}"


@pytest.mark.parametrize("lang", HOMES)
def test_every_lecture_in_order_in_bookmarks_and_contents(site, documents, lang):
    document = documents[lang]
    bookmarks = document.bookmarks()
    titles = [title(p) for p in lecture_pages(site, lang)]
    marks = [b for b in bookmarks if b[0] in titles]
    assert [t for t, _ in marks] == titles, f"{lang}: lecture bookmarks {marks} are not {titles}"
    starts = [page for _, page in marks]
    assert starts == sorted(set(starts)), f"{lang}: lectures do not start on increasing pages: {marks}"
    contents = squeeze(document.text(1))  # the contents page follows the cover
    for lecture, page in marks:
        assert squeeze(lecture) + str(page) in contents, f"{lang}: the contents lack {lecture!r} ... {page}"
        assert squeeze(lecture) in squeeze(document.text(page - 1)), f"{lang}: {lecture!r} is not on page {page}"


@pytest.mark.parametrize("lang", HOMES)
def test_lectures_show_their_formulas_and_outputs(site, documents, lang):
    document = documents[lang]
    bookmarks = document.bookmarks()
    ends = {start: (bookmarks[i + 1][1] if i + 1 < len(bookmarks) else len(document.reader.pages) + 1)
            for i, (_, start) in enumerate(bookmarks)}
    starts = dict(bookmarks)
    missing, formulas, outputs = [], 0, 0
    for page in lecture_pages(site, lang):
        wanted = samples(page, lang)
        formulas += sum(d.startswith("formula") for d in wanted.values())
        outputs += sum(d.startswith("output") for d in wanted.values())
        start = starts.get(title(page))
        assert start, f"{lang}: no bookmark for {title(page)!r}"
        read = ""
        for number in range(start, ends[start]):
            text = document.text(number - 1)
            assert "\\(" not in text and "\\[" not in text, f"{lang}: raw TeX on page {number}: {text[:300]}"
            read += squeeze(text)
            if all(w in read for w in wanted):
                break
        missing += [f"{title(page)}: {d}" for w, d in wanted.items() if w not in read]
    assert formulas >= 10 and outputs >= 13, f"{lang}: too few samples ({formulas} formulas, {outputs} outputs)"
    assert not missing, f"{lang}: not in the lecture's pages of the PDF:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", HOMES)
def test_figures_and_embedded_fonts(site, documents, lang):
    reader = documents[lang].reader
    fonts, images = {}, set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        for font in resources.get("/Font", {}).values():
            key = font.indirect_reference.idnum if font.indirect_reference else id(font)
            if key not in fonts:
                fonts[key] = font = font.get_object()
                walk(font.get("/Resources"))
        for xobject in resources.get("/XObject", {}).values():
            key = xobject.indirect_reference.idnum
            if key in images:
                continue
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image" and xobject["/Width"] >= 100:
                images.add(key)
            elif xobject["/Subtype"] == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))

    def embedded(font) -> bool:
        if font["/Subtype"] == "/Type3":
            return "/CharProcs" in font  # the glyphs are drawn by the PDF itself
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font.get("/FontDescriptor")
        files = ("/FontFile", "/FontFile2", "/FontFile3")
        return descriptor is not None and any(k in descriptor.get_object() for k in files)

    not_embedded = [str(f.get("/BaseFont", f["/Subtype"])) for f in fonts.values() if not embedded(f)]
    assert fonts and not not_embedded, f"{lang}: fonts not embedded: {not_embedded}"
    names = " ".join(str(f.get("/BaseFont", "")) for f in fonts.values())
    assert "KaTeX_Main" in names and "KaTeX_Math" in names, f"{lang}: no KaTeX fonts, math not rendered: {names}"
    shown = set().union(*(figures(p) for p in lecture_pages(site, lang)))
    assert shown, f"{lang}: the lecture pages show no figure (a site built with COURSE_EXECUTE=0?)"
    assert len(images) >= len(shown), f"{lang}: {len(images)} images in the PDF, the lectures show {len(shown)} figures"


@pytest.mark.parametrize("lang", HOMES)
def test_no_placeholder_address_in_the_pdf(site, documents, lang):
    """The cover's link to the site online and every link annotation: the site's own address
    (from the repository it was built from), never a placeholder owner."""
    reader = documents[lang].reader
    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if action.get("/URI"):
                uris.append(str(action["/URI"]))
    cover = documents[lang].text(0)
    placeholder = re.compile(r"example\.github\.io|github(?:\.com)?/example/")
    assert not [u for u in uris if placeholder.search(u)] and not placeholder.search(cover)
    home = (site / HOMES[lang] / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    if canonical and canonical.group(1).startswith("http"):  # built from a repository
        assert any(u.startswith(canonical.group(1)) for u in uris), "the cover links the site online"


def test_chinese_text_reads_as_ideographs(documents):
    """Chromium names glyphs shared with a radical by the radical (⼊ for 入); engine.products.pdf repairs it."""
    text = documents["zh"].text(1)
    radicals = re.findall("[\u2e80-\u2fdf]", text)
    assert "页" in text and not radicals, f"radicals in the contents page: {radicals}"



def test_unicode_map_repair_names_ideographs():
    """A ToUnicode map naming radicals (as chromium writes them for Noto CJK) names the ideographs
    after the repair, in single entries and in ranges; a map without radicals is left alone."""
    from engine.products import pdf

    cmap = (
        "/CIDInit /ProcSet findresource begin\nbegincmap\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        "2 beginbfchar\n<06> <5197>\n<7E> <2F0F>\nendbfchar\n"
        "1 beginbfrange\n<10> <11> <2F00>\nendbfrange\nendcmap\nend\n"
    )
    table = {"\u2f0f": "几", "\u2f00": "一"}  # ⼏ ⼀; ⼁ (U+2F01) has no entry: kept
    repaired, kept = pdf.repaired_unicode_map(cmap, table)
    assert kept == {"\u2f01"}
    assert dict(pdf._unicode_map_entries(repaired)) == {"06": "\u5197", "7E": "几", "10": "一", "11": "\u2f01"}
    assert repaired.startswith(cmap[: cmap.index("2 beginbfchar")]) and repaired.endswith("endcmap\nend\n")
    assert pdf.repaired_unicode_map(cmap.replace("2F0F", "51E0").replace("2F00", "4E00"), table) == (None, set())
    equivalents = pdf.radical_equivalents(pdf._cjk_font())
    assert equivalents["\u2f0a"] == "入" and equivalents["\u2eda"] == "页"  # ⼊ (Kangxi), ⻚ (supplement)


def test_a_folder_that_is_no_built_site_is_refused(tmp_path, capsys):
    from engine.products import pdf

    (tmp_path / "index.html").write_text("<h1>zh home</h1>", encoding="utf-8")
    assert pdf.main([str(tmp_path), str(tmp_path / "pdf")]) == 1
    assert "is not a built site: no en/index.html" in capsys.readouterr().err
    assert not (tmp_path / "pdf").exists()


# --- page fill ---------------------------------------------------------------------------------

MM = 72 / 25.4  # PDF units per millimetre
PAGE_MARGIN_MM = (16, 18)  # top, bottom (engine/products/pdf.py @page); the footer is in the bottom margin
MIN_FILL = 0.5


def _product(a, b):
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def page_content(page) -> list[tuple[float, str]]:
    """(height from the bottom, text or "<image>") of what a page draws above its bottom margin."""
    found = []

    def text(t, cm, tm, font, size):
        y = _product(tm, cm)[5]
        if t.strip() and y > PAGE_MARGIN_MM[1] * MM:
            found.append((y, t.strip()))

    def operator(op, args, cm, tm):
        if op == b"Do" and cm[5] > PAGE_MARGIN_MM[1] * MM:
            found.append((cm[5] + cm[3], "<image>"))  # the image's top edge

    page.extract_text(visitor_text=text, visitor_operand_before=operator)
    return found


def diagram_labels(site: Path, lang: str) -> str:
    pages = [site / HOMES[lang] / "index.html", *lecture_pages(site, lang)]
    diagram = re.compile(r'<div class="mermaid">(.*?)</div>', re.S)
    sources = [source for page in pages for source in diagram.findall(page.read_text(encoding="utf-8"))]
    return " ".join(strip_tags(source) for source in sources)


@pytest.mark.parametrize("lang", HOMES)
def test_no_half_empty_page_before_a_block_that_could_break(site, documents, lang):
    """A page that is not the last of its part is filled at least MIN_FILL, unless what follows
    cannot be split (a figure, a diagram). Issue 23: the theme keeps admonitions and details
    on one page, so each errata table left the page before it half empty."""
    document = documents[lang]
    reader = document.reader
    starts = {page - 1 for _, page in document.bookmarks()}
    usable = float(reader.pages[0].mediabox.height) - sum(PAGE_MARGIN_MM) * MM
    labels = diagram_labels(site, lang)
    top = float(reader.pages[0].mediabox.height) - PAGE_MARGIN_MM[0] * MM
    half_empty, allowed = [], 0
    for i in range(len(reader.pages) - 1):
        if i + 1 in starts:
            continue
        content = page_content(reader.pages[i])
        fill = (top - min(y for y, _ in content)) / usable if content else 0
        if fill >= MIN_FILL:
            continue
        following = max(page_content(reader.pages[i + 1]), default=(0, ""))[1]
        if following == "<image>" or following in labels:
            allowed += 1
            continue
        half_empty.append(f"page {i + 1}: {fill:.0%} filled, the next page begins {following[:40]!r}")
    print(f"\n{lang}: {len(half_empty)} half-empty pages, {allowed} before a figure or diagram")
    assert not half_empty, "\n".join(half_empty)
