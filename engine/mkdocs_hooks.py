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

``COURSE_EXECUTE=0`` builds the pages without running or showing results;
``COURSE_EXECUTE=cache-only`` shows cached results only (a sharded build's merge step, see
:mod:`engine.shards`): a snippet without one fails the build. A CUDA page's snippet shows the
GPU runner's result when the merged cache has one. ``COURSE_GPU_FALLBACK=1`` (set by the Pages
workflow when the GPU runner did not start in time) makes the GPU pages' note say so.
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

from engine import data, executor, glossary, notebooks, results, shards  # noqa: E402
from engine.markdown import expand  # noqa: E402

log = logging.getLogger("mkdocs.course")

_results: dict[str, executor.Result] = {}  # key -> result, for this process
_shown: set[str] = set()  # keys shown in the current build
_cuda: set[str] = set()  # snippets of the CUDA pages (a GPU result is shown first)
EXECUTE_MODES = ("1", "0", "cache-only")


def execution_enabled() -> bool:
    mode = os.environ.get("COURSE_EXECUTE", "1")
    if mode not in EXECUTE_MODES:
        raise PluginError(f"COURSE_EXECUTE={mode!r}: use one of {', '.join(EXECUTE_MODES)}")
    return mode != "0"


def page_language(src_uri: str) -> str:
    return "en" if src_uri.startswith("en/") else "zh"


def site_prefix(page) -> str:
    """Relative path from ``page`` up to the site root, e.g. ``"../../"``."""
    return "../" * (page.url.count("/") if page.url else 0)


def _run(snippet: str) -> executor.Result:
    key = executor.cache_key(snippet)
    if key not in _results:
        try:
            _results[key] = shards.result(snippet, prefer_other_devices=snippet in _cuda)
        except executor.SnippetError as exc:
            raise PluginError(str(exc)) from None
    _shown.add(key)
    return _results[key]


def _runner():
    """What the renderers call to get a snippet's result; None when execution is off."""
    return _run if execution_enabled() else None


def on_startup(command, dirty):
    if shards.cache_only():
        log.info("COURSE_EXECUTE=cache-only: results come from %s; a missing one fails the build",
                 executor.CACHE_DIR)
    elif execution_enabled():
        try:
            data.prepare(log=log.info)
        except data.DataError as exc:
            raise PluginError(f"data: {exc}") from None
    else:
        log.info("COURSE_EXECUTE=0: snippets are shown but not run")


def on_pre_build(config):
    _shown.clear()  # the i18n plugin runs one build per language
    try:
        _cuda.clear()
        _cuda.update(shards.cuda_snippets(Path(config.docs_dir)))
    except executor.SnippetError as exc:
        raise PluginError(str(exc)) from None
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
# When the GPU runner did not start in time (COURSE_GPU_FALLBACK=1, set by the Pages workflow).
CUDA_FALLBACK_NOTES = {
    "zh": '!!! warning "GPU 页面：这次构建没有用上 GPU"\n    本页代码有 GPU 时在 GPU（CUDA）上运行。'
    "这次构建时 GPU 运行器没有按时启动，所以本页此前没有在 GPU 上运行过的代码改在 CPU 上运行；"
    "每段代码下的运行记录写明了实际使用的设备。",
    "en": '!!! warning "GPU page: no GPU for this build"\n    The code on this page runs on a GPU (CUDA) '
    "when there is one. The GPU runner did not start in time for this build, so the snippets here "
    "that had not run on a GPU before ran on the CPU; the run record under each snippet names the device.",
}


def gpu_fallback() -> bool:
    return os.environ.get("COURSE_GPU_FALLBACK", "0") == "1"


def _add_cuda_note(markdown: str, lang: str) -> str:
    """Put the GPU-page note right under the page title."""
    lines = markdown.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    note = (CUDA_FALLBACK_NOTES if gpu_fallback() else CUDA_NOTES)[lang]
    return "\n".join(lines[:at] + ["", note, ""] + lines[at:]) + "\n"


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
        for figure in result.figures:  # under the result's own key (a GPU result's differs)
            destination = target / result.key / figure.name
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
