"""Pages: both languages mirror each other, and every code block a reader sees runs.

* Parity (checked here only): each page exists in ``docs/zh`` and ``docs/en`` with the same snippets
  in the same order and the same explicit heading anchors.
* Code blocks: the pages are expanded exactly as the site build expands them,
  pytest-codeblocks extracts the blocks a reader sees, and every Python block
  must be a snippet file, byte for byte, that runs (through the engine's cache,
  so the build and the tests share one execution).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pytest_codeblocks import extract_from_buffer

from engine.core import executor, pages
from engine.core.project import Project
from engine.site.markdown import expand, find_directives
from tests.helpers import LANGUAGES, page_names, read_page

HEADING = re.compile(r"^(#{2,6}) (.+?)\s*$")
ANCHOR = re.compile(r"\{#([a-z0-9-]+)\}$")


def headings(markdown: str) -> list[tuple[str, str | None]]:
    """(level, explicit anchor or None) of every heading outside code fences."""
    lines = markdown.splitlines()
    found = []
    for line, fenced in zip(lines, pages.in_fences(lines)):
        match = None if fenced else HEADING.match(line)
        if match:
            anchor = ANCHOR.search(match.group(2))
            found.append((match.group(1), anchor.group(1) if anchor else None))
    return found


ALL_PAGES = sorted(page_names("zh") | page_names("en"))


def test_both_languages_have_the_same_pages():
    missing = {lang: sorted(set(ALL_PAGES) - page_names(lang)) for lang in LANGUAGES}
    assert missing == {"zh": [], "en": []}, f"pages missing a translation: {missing}"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_translations_show_the_same_snippets(page):
    shown = {lang: [d.snippet for d in find_directives(read_page(lang, page))] for lang in LANGUAGES}
    assert shown["zh"] == shown["en"]


@pytest.mark.parametrize("page", ALL_PAGES)
def test_translations_carry_the_same_explicit_anchors(page):
    found = {lang: headings(read_page(lang, page)) for lang in LANGUAGES}
    for lang, items in found.items():
        missing = [level for level, anchor in items if anchor is None and len(level) in (2, 3)]
        assert not missing, f"{lang}/{page}: every ## and ### heading needs an explicit {{#anchor}}"
    assert found["zh"] == found["en"]


def test_every_snippet_is_shown_on_a_page():
    shown = {d.snippet for lang in LANGUAGES for page in page_names(lang)
             for d in find_directives(read_page(lang, page))}
    hidden = sorted(set(Project.at().all_snippets()) - shown)
    assert not hidden, f"snippets no page shows (and so no reader sees): {hidden}"


LECTURES = sorted(page for page in ALL_PAGES if page.startswith("lecture"))


@pytest.mark.parametrize("page", LECTURES)
def test_lecture_pages_end_with_errata(page):
    """The skeleton of CONTRIBUTING.md: errata last, homework (where there is some) before it.
    Anchors are the same in both languages (checked above), so the Chinese page stands for both."""
    found = [anchor for level, anchor in headings(read_page("zh", page)) if level == "##"]
    assert found and found[-1] == "errata", f"{page}: sections {found}"
    assert "homework" not in found or found.index("homework") == len(found) - 2, f"{page}: sections {found}"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_python_is_pasted_into_pages(page):
    for lang in LANGUAGES:
        blocks = extract_from_buffer(io.StringIO(read_page(lang, page)))
        pasted = [b.lineno for b in blocks if b.syntax.split()[0] in ("python", "py", "pycon")]
        assert not pasted, f"{lang}/{page}: Python pasted at lines {pasted}; use `::: snippet PATH`"


def _reader_blocks():
    """(page, code block) for every Python block of every expanded page."""
    for lang in LANGUAGES:
        for page in sorted(page_names(lang)):
            expanded = expand(read_page(lang, page), lang, run=None)
            for block in extract_from_buffer(io.StringIO(expanded)):
                if block.syntax.startswith("python"):
                    yield pytest.param(block, id=f"{lang}/{page}:{block.lineno}")


@pytest.mark.parametrize("block", list(_reader_blocks()))
def test_code_blocks_readers_see_are_snippets_that_run(block, run_snippet):
    title = re.search(r'title="([^"]+)"', block.syntax)
    assert title, "every Python block names its snippet file"
    snippet = Path(executor.ENGINE_HOME / title.group(1))
    assert block.code == snippet.read_text(encoding="utf-8")
    result = run_snippet(title.group(1))  # raises SnippetError with the traceback
    assert result.key == executor.cache_key(result.snippet), "the result shown belongs to other code"
    assert result.record["snippet"] == title.group(1)


def test_built_pages_show_the_same_figures_in_both_languages(site_dir):
    figure = re.compile(r'<figure class="snippet-figure"><img src="([^"]+)"')
    for page in ALL_PAGES:
        html = {}
        for lang in LANGUAGES:
            prefix = "" if lang == "zh" else "en/"
            url = page[:-3]
            url = "" if url == "index" else url + "/"
            built = site_dir / prefix / url / "index.html"
            html[lang] = [src.rsplit("assets/snippets/", 1)[1] for src in figure.findall(built.read_text())]
            for src in figure.findall(built.read_text()):
                assert (built.parent / src).resolve().is_file(), f"{lang}/{page}: missing figure {src}"
        assert html["zh"] == html["en"], f"{page}: figures differ between languages"


MAP_ROW = re.compile(r"^\| *(\d+) *\| *\[([^\]]+)\]\((lecture\d\d-[^)]+\.md)\)", re.M)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_course_map_names_each_lecture_by_its_title(lang):
    """The home page's course map calls each lecture what its page title calls it (the part before
    a dash: 加载数据集——Dataset 与 DataLoader is 加载数据集), and lists every lecture once, in order."""
    rows = MAP_ROW.findall(read_page(lang, "index.md"))
    lectures = sorted(p for p in page_names(lang) if re.match(r"lecture\d\d-", p))
    assert [page for _, _, page in rows] == lectures, f"docs/{lang}/index.md: the course map's rows and links"
    wrong = []
    for number, name, page in rows:
        title = re.search(r"^# .+?[：:] *(.+)$", read_page(lang, page), re.M).group(1)
        short = re.split(r"——| — ", title)[0].strip()
        if name != short:
            wrong.append(f"lecture {number}: {name!r}, title {short!r}")
    assert not wrong, f"docs/{lang}/index.md: course map names differ from the page titles:\n" + "\n".join(wrong)
