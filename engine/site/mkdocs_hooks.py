"""The MkDocs hooks that plug the engine into the site build (``hooks:`` in ``mkdocs.yml``).

Each ``::: snippet PATH`` line becomes code, output, figures and run record
(:mod:`engine.site.markdown`); the same hooks add the notebook pages, the glossary and the
results page (``engine/products/``), the note of ``cuda: true`` pages, and fix two links the
i18n plugin writes. How results are fetched, run up front, streamed under ``mkdocs serve`` and
exported into the site, and what ``COURSE_RESULTS_URL``, ``COURSE_EXECUTE`` (``0``,
``cache-only``), ``COURSE_STREAM`` and ``COURSE_GPU_FALLBACK`` do: README, "How a snippet becomes
part of a page", "Sharded builds and the workflows" and "GPU checks".
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402

from engine import core  # noqa: E402
from engine.core import address, data, executor, pages, prune, sharing  # noqa: E402
from engine.core.project import Project  # noqa: E402
from engine.products import glossary, notebooks, results  # noqa: E402
from engine.site import rebuilds  # noqa: E402
from engine.core.pages import under_title  # noqa: E402
from engine.site.markdown import PENDING_MARK, STREAM_DIR, expand  # noqa: E402
from engine.site.stream import SESSION, Worker  # noqa: E402

log = logging.getLogger("mkdocs.course")

_results: dict[str, executor.Result] = {}  # key -> result, for this process
_shown: set[str] = set()  # keys shown in the current build
_cuda: set[str] = set()  # snippets of the CUDA pages (a GPU result is shown first)
EXECUTE_MODES = ("1", "0", "cache-only")
_told_no_repository: list[bool] = []
_pruned: list[bool] = []  # the cache was pruned by this process


@contextlib.contextmanager
def _plugin_errors(*kinds: type[Exception], prefix: str = ""):
    """The engine's errors of ``kinds`` as MkDocs' one-paragraph ``PluginError`` (no traceback)."""
    try:
        yield
    except kinds as exc:
        raise PluginError(f"{prefix}{exc}") from None


def execution_enabled() -> bool:
    mode = os.environ.get("COURSE_EXECUTE", "1")
    if mode not in EXECUTE_MODES:
        raise PluginError(f"COURSE_EXECUTE={mode!r}: use one of {', '.join(EXECUTE_MODES)}")
    return mode != "0"


def site_prefix(page) -> str:
    """Relative path from ``page`` up to the site root, e.g. ``"../../"``."""
    return "../" * (page.url.count("/") if page.url else 0)


def streaming() -> bool:
    """Placeholders instead of waiting: under ``mkdocs serve`` unless ``COURSE_STREAM=0``;
    ``COURSE_STREAM=1`` forces them (what the test of a build's refusal uses)."""
    wanted = os.environ.get("COURSE_STREAM", "")
    return (execution_enabled() and not core.cache_only() and wanted != "0"
            and (SESSION.command == "serve" or wanted == "1"))


def _run(snippet: str) -> executor.Result:
    key = executor.cache_key(snippet, project=SESSION.project)  # a CUDA page may show a GPU result
    if key not in _results:
        with _plugin_errors(executor.SnippetError):
            result = core.result(snippet, snippet in _cuda, SESSION.project)
        _results[key] = _results[result.key] = result
    result = _results[key]
    _shown.add(result.key)  # its own key: the export copies that entry, figures included
    return result


def _cached_or_pending(snippet: str):
    """Streaming: the cached result, or a placeholder state (the worker queues the snippet)."""
    hit = executor.cached(snippet, project=SESSION.project)
    if hit is not None:
        _results[hit.key] = hit
        _shown.add(hit.key)
        return hit
    failure = SESSION.worker.failure(snippet)
    if failure is not None:
        raise PluginError(failure)
    pending = SESSION.worker.pending(snippet)
    SESSION.placeholders.add(pending.key)
    return pending


def _cached_or_none(snippet: str):
    result = _cached_or_pending(snippet)
    return result if isinstance(result, executor.Result) else None


def _runner(placeholders: bool = True):
    """What the renderers call to get a snippet's result; None when execution is off. Pages
    take placeholders; notebooks and the results table take None for a result not there yet."""
    if not execution_enabled():
        return None
    if streaming():
        return _cached_or_pending if placeholders else _cached_or_none
    return _run


def on_startup(command, dirty):
    SESSION.command = command
    if streaming():
        import signal

        # `kill` stops the server like Ctrl+C does, so on_shutdown stops the snippet running
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    if not execution_enabled():
        log.info("COURSE_EXECUTE=0: snippets are shown but not run")
    elif core.cache_only():
        log.info("COURSE_EXECUTE=cache-only: results come from the cache; a missing one fails the build")


def _prepare_data():
    with _plugin_errors(data.DataError, prefix="data: "):
        data.prepare(log=log.info, folder=(SESSION.project or Project.at()).data)


def _markdown_converter(config):
    import markdown

    return lambda text: markdown.Markdown(extensions=config.markdown_extensions,
                                          extension_configs=config.mdx_configs).convert(text)


def on_config(config):
    # The project being built (maybe not this repository): its snippets, cache, notebooks, data.
    SESSION.project = _notebooks.project = Project.at(Path(config.config_file_path).parent)
    _set_addresses(config)
    if not execution_enabled() or core.cache_only():
        return config
    if not streaming() and not SESSION.data_ready:  # serve: the worker prepares them
        SESSION.data_ready = True
        _prepare_data()
    with _plugin_errors(executor.SnippetError):  # e.g. a snippet that does not parse
        return _prepare_results(config)


def _set_addresses(config) -> None:
    """The site's address and repository from the repository it is built from (engine/address.py)
    where mkdocs.yml sets none: canonical links, sitemap, PDF covers and Colab links follow."""
    repo = address.repository(Path(config.config_file_path).parent)
    if not config.site_url:  # not set by mkdocs.yml, nor by `mkdocs serve` (its own address)
        config.site_url = address.site_url(repo)
    extra = config.extra
    if not extra.get("repository") and not config.repo_url and repo:
        extra["repository"] = address.repository_url(repo)
    if repo is None and not _told_no_repository:
        _told_no_repository.append(True)  # once per process (serve rebuilds)
        log.info(address.NO_REPOSITORY)


def _prepare_results(config):
    project = SESSION.project
    snippets = pages.snippets_in_order(project, Path(config.docs_dir))
    if not SESSION.fetched:
        SESSION.fetched = True
        published = address.published_site_url(Path(config.config_file_path), getattr(config, "user_configs", None))
        sharing.fetch_published(sharing.results_url(published), snippets, project=project)
    if streaming():
        SESSION.placeholders = set()  # those this (re)build shows
        SESSION.to_html = _markdown_converter(config)
        if SESSION.worker is None:
            # started by on_serve: the first build gets the CPU, so the pages answer sooner
            SESSION.worker = Worker(Path(config.site_dir), lambda text: SESSION.to_html(text),
                                    on_idle=_rebuild, prepare=_prepare_data, project=project)
        SESSION.worker.submit([s for s in snippets if executor.cached(s, project=project) is None])
    elif not SESSION.ran_up_front:
        SESSION.ran_up_front = True
        core.run_all(snippets, project=project)  # missing ones, in navigation order, with a progress line
    return config


def _rebuild():
    """Ask `mkdocs serve` for one rebuild (the worker's queue is empty) if the pages show
    placeholders; always under ``--dirty``, where a rebuild renders only the pages whose results
    changed (:mod:`engine.site.rebuilds`) and placeholders of pages it did not render are not known."""
    if (SESSION.placeholders or rebuilds.ACTIVE) and SESSION.trigger is not None:
        log.info("course: the snippet queue is empty; rebuilding the pages with every result")
        (SESSION.trigger / "results-ready").write_text(str(len(SESSION.worker.done)))


def on_serve(server, config, builder):
    import tempfile

    if SESSION.worker is not None:
        SESSION.trigger = Path(tempfile.mkdtemp(prefix="course-serve-"))
        server.watch(str(SESSION.trigger))
        _run_viewed_page_first(server, config)
        SESSION.worker.start()
    return server


def _run_viewed_page_first(server, config):
    """Each page request moves that page's queued snippets to the front of the queue."""
    by_url = pages.snippets_by_url(SESSION.project, Path(config.docs_dir))
    mount = urlsplit(config.site_url or "/").path or "/"
    app = server.get_app()

    def app_noting_pages(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(mount) and (path.endswith("/") or path.endswith(".html")):
            page = path[len(mount):].removesuffix("index.html")
            if page in by_url:
                SESSION.worker.prefer(by_url[page])
        return app(environ, start_response)

    server.set_app(app_noting_pages)


def on_shutdown():
    if SESSION.worker is not None:
        SESSION.worker.stop()
    if SESSION.trigger is not None:
        shutil.rmtree(SESSION.trigger, ignore_errors=True)


def on_pre_build(config):
    _shown.clear()  # the i18n plugin runs one build per language
    with _plugin_errors(executor.SnippetError):
        _cuda.clear()
        _cuda.update(pages.cuda_snippets(SESSION.project, Path(config.docs_dir)))
    _notebooks.on_pre_build(config)
    with _plugin_errors(glossary.GlossaryError, prefix="glossary: "):
        glossary.write_abbreviations(project=SESSION.project)


# Notebooks, glossary and results pages (engine/products/); on_config sets the project.
_notebooks = notebooks.Pages()


@event_priority(-110)  # after the i18n plugin (-100) has picked this language's files
def on_files(files, config):
    if streaming() and SESSION.worker.busy:
        # Rendering notebooks is slow: they come with the rebuild after the last result.
        SESSION.placeholders.add("notebooks")
        return files
    return _notebooks.on_files(files, config, _runner(placeholders=False), complete_only=streaming())


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


def _add_cuda_note(markdown: str, lang: str) -> str:
    """Put the GPU-page note right under the page title."""
    fallback = os.environ.get("COURSE_GPU_FALLBACK", "0") == "1"
    return under_title(markdown, (CUDA_FALLBACK_NOTES if fallback else CUDA_NOTES)[lang])


def on_page_markdown(markdown, page, config, files):
    lang = pages.language(page.file.src_uri)
    if page.meta.get("cuda"):
        markdown = _add_cuda_note(markdown, lang)
    prefix = site_prefix(page)
    markdown = _notebooks.on_page_markdown(markdown, page.file.src_uri, config, prefix)
    with _plugin_errors(glossary.GlossaryError, results.ResultsError):
        markdown = glossary.expand(markdown, lang, SESSION.project)
        markdown = results.expand(markdown, lang, _runner(placeholders=False), SESSION.project)
    if "::: snippet " not in markdown:
        return markdown
    with _plugin_errors(executor.SnippetError, prefix=f"{page.file.src_uri}: "):
        return expand(markdown, lang, _runner(), prefix, SESSION.project)


def on_post_build(config):
    _notebooks.on_post_build(config)
    if not config.site_url:  # no address (no repository): a sitemap of "None./" would mislead
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            (Path(config.site_dir) / name).unlink(missing_ok=True)
    target = Path(config.site_dir) / sharing.RESULTS_PATH
    if SESSION.command == "serve":  # the figures only: nothing publishes a served site
        for key in sorted(_shown):
            for figure in _results[key].figures:
                (target / key).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(figure, target / key / figure.name)
    else:  # the results this build showed, figures included, as the export the site carries
        sharing.export(sorted(_shown), target, SESSION.project.cache)
    if SESSION.worker is not None and streaming():
        SESSION.worker.publish_all()
    if SESSION.command == "build" and not _pruned:  # once per process (one build per language)
        _pruned.append(True)
        prune.auto(SESSION.project)
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
    if PENDING_MARK in output:
        if SESSION.command != "serve":
            raise PluginError(
                f"{page.file.src_uri}: a snippet result is a placeholder; a build for publishing "
                "shows every result (unset COURSE_STREAM, or run `python -m engine run` first)"
            )
        script = f'<script src="{site_prefix(page)}{STREAM_DIR}/stream.js"></script>'
        output = output.replace("</body>", script + "\n</body>", 1)
    return _relative_selector_links(ALTERNATE_LINK.sub("", output), page, config)
