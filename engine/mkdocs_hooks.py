"""MkDocs hooks that plug the snippet engine into the site build.

Registered in ``mkdocs.yml`` under ``hooks:``. For every page, each
``::: snippet PATH`` line is expanded (see :mod:`engine.markdown`): the code,
then what it printed, its figures and its run record. Snippets run through
:mod:`engine.executor`, so each runs at most once per build whatever the number
of pages and languages showing it, and not at all when its cached result is
still valid. Figures are copied to ``assets/snippets/<key>/`` in the site.

The same hooks add the notebook pages (:mod:`engine.notebooks`), the glossary
(:mod:`engine.glossary`) and the results page (:mod:`engine.results`), mark GPU
pages (front matter ``cuda: true``), and fix two links the i18n plugin writes.

``COURSE_EXECUTE=0`` builds the pages without running or showing results.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402

from engine import data, executor, glossary, notebooks, results  # noqa: E402
from engine.markdown import expand  # noqa: E402

log = logging.getLogger("mkdocs.course")

_results: dict[str, executor.Result] = {}  # key -> result, for this process
_shown: set[str] = set()  # keys shown in the current build


def execution_enabled() -> bool:
    return os.environ.get("COURSE_EXECUTE", "1") != "0"


def page_language(src_uri: str) -> str:
    return "en" if src_uri.startswith("en/") else "zh"


def site_prefix(page) -> str:
    """Relative path from ``page`` up to the site root, e.g. ``"../../"``."""
    return "../" * (page.url.count("/") if page.url else 0)


def _run(snippet: str) -> executor.Result:
    key = executor.cache_key(snippet)
    if key not in _results:
        try:
            _results[key] = executor.run(snippet)
        except executor.SnippetError as exc:
            raise PluginError(str(exc)) from None
    _shown.add(key)
    return _results[key]


def _runner():
    """What the renderers call to get a snippet's result; None when execution is off."""
    return _run if execution_enabled() else None


def on_startup(command, dirty):
    if execution_enabled():
        try:
            data.prepare(log=log.info)
        except data.DataError as exc:
            raise PluginError(f"data: {exc}") from None
    else:
        log.info("COURSE_EXECUTE=0: snippets are shown but not run")


def on_pre_build(config):
    _shown.clear()  # the i18n plugin runs one build per language
    _notebooks.on_pre_build(config)
    glossary.write_abbreviations()


# Notebooks, glossary and results pages (engine/notebooks.py, glossary.py, results.py).
_notebooks = notebooks.Pages(executor.CACHE_DIR.parent / "notebooks")


@event_priority(-110)  # after the i18n plugin (-100) has picked this language's files
def on_files(files, config):
    return _notebooks.on_files(files, config, _runner())


@event_priority(-110)
def on_nav(nav, config, files):
    return _notebooks.on_nav(nav)


def on_page_content(html, page, config, files):
    return _notebooks.on_page_content(html, page, config, site_prefix(page))


CUDA_NOTES = {
    "zh": '!!! info "GPU 页面"\n    本页代码有 GPU 时在 GPU（CUDA）上运行，没有时在 CPU 上运行；'
    "每段代码下的运行记录写明了构建时实际使用的设备。",
    "en": '!!! info "GPU page"\n    The code on this page runs on a GPU (CUDA) when there is one and on '
    "the CPU otherwise; the run record under each snippet names the device that ran it for this build.",
}


def _add_cuda_note(markdown: str, lang: str) -> str:
    """Put the GPU-page note right under the page title."""
    lines = markdown.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join(lines[:at] + ["", CUDA_NOTES[lang], ""] + lines[at:]) + "\n"


def on_page_markdown(markdown, page, config, files):
    lang = page_language(page.file.src_uri)
    if page.meta.get("cuda"):
        markdown = _add_cuda_note(markdown, lang)
    prefix = site_prefix(page)
    markdown = _notebooks.on_page_markdown(markdown, page.file.src_uri, config, prefix)
    markdown = glossary.expand(markdown, lang)
    markdown = results.expand(markdown, lang, _runner())
    if "::: snippet " not in markdown:
        return markdown
    try:
        return expand(markdown, lang, _runner(), prefix)
    except executor.SnippetError as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}") from None


def on_post_build(config):
    _notebooks.on_post_build(config)
    target = Path(config.site_dir) / "assets" / "snippets"
    for key in sorted(_shown):
        result = _results[key]
        for figure in result.figures:
            destination = target / key / figure.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(figure, destination)
    ran = sum(1 for k in _shown if not _results[k].cached)
    log.info(
        "course: %s build showed %d snippets: %d run, %d from cache",
        config.theme.get("language", "?"), len(_shown), ran, len(_shown) - ran,
    )


# mkdocs-material fetches "sitemap.xml" beside every <link rel="alternate" hreflang>
# in the page head; the i18n plugin points those at the page itself, so every page
# load would request a non-existent file. The language selector in the header keeps
# its per-page links.
ALTERNATE_LINK = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


# On the home pages the i18n plugin writes the language selector's links as absolute paths
# under site_url ("/repository/en/"), which break wherever the site is not served at that
# path (a local server, the browser tests). Make them relative like on every other page.
SELECTOR_LINK = re.compile(r'<a href="([^"]*)" hreflang="([^"]*)" class="md-select__link">')


def _relative_selector_links(output: str, page, config) -> str:
    site_path = urlsplit(config.site_url or "/").path or "/"
    prefix = site_prefix(page)

    def fix(match):
        href = match.group(1)
        if not href.startswith(site_path):
            return match.group(0)
        target = href[len(site_path):]
        return f'<a href="{prefix + target or "./"}" hreflang="{match.group(2)}" class="md-select__link">'

    return SELECTOR_LINK.sub(fix, output)


def on_post_page(output, page, config):
    return _relative_selector_links(ALTERNATE_LINK.sub("", output), page, config)
