"""MkDocs hooks for fast, correct rebuilds under ``mkdocs serve --dirty`` (what ``make serve`` runs).

Registered in ``mkdocs.yml`` under ``hooks:``; the decisions are :mod:`engine.site.rebuilds`' (why
``--dirty`` alone is not enough for this site is explained there). Without ``--dirty``, and for
``mkdocs build``, these hooks do nothing.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mkdocs.plugins import event_priority  # noqa: E402

from engine.core.project import Project  # noqa: E402
from engine.site import rebuilds  # noqa: E402

log = logging.getLogger("mkdocs.course")
DIRTY_WARNING = "A 'dirty' build is being performed"


class _DirtyWarning(logging.Filter):
    """MkDocs warns that a dirty build gives inaccurate navigation and links: these hooks fix
    what it warns about, and a warning would stop ``mkdocs serve --strict``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_WARNING)


def on_startup(command, dirty):
    rebuilds.ACTIVE = command == "serve" and dirty
    if rebuilds.ACTIVE:
        logging.getLogger("mkdocs.commands.build").addFilter(_DirtyWarning())


def on_config(config):
    if rebuilds.ACTIVE:
        if rebuilds.STATE.depth == 0:  # the first language's build: a new rebuild starts
            rebuilds.TRACKER.new_rebuild()
            rebuilds.SEARCH.new_rebuild()
        rebuilds.STATE.depth += 1
    return config


def on_serve(server, config, builder):
    if rebuilds.ACTIVE:
        rebuilds.STATE.trigger = Path(tempfile.mkdtemp(prefix="course-rebuild-"))
        server.watch(str(rebuilds.STATE.trigger))
    return server


@event_priority(-120)  # after the i18n plugin and the notebook pages have settled the files
def on_files(files, config):
    if not rebuilds.ACTIVE:
        return files
    project = Project.at(Path(config.config_file_path).parent)
    rebuilds.TRACKER.project = project
    global_fp = rebuilds.TRACKER.global_fingerprint(project.root, Path(config.docs_dir))
    pages = {}
    for file in files.documentation_pages():
        if file.abs_src_path is None:  # generated in memory: MkDocs renders it every time
            continue
        source = Path(file.abs_src_path)
        pages[file.abs_dest_path] = source.read_text(encoding="utf-8") if source.suffix == ".md" else ""
    language = config.theme.get("language", "?")
    for html in rebuilds.TRACKER.stale(language, global_fp, pages):
        Path(html).unlink(missing_ok=True)  # MkDocs renders a page whose HTML is missing
    rendering = sum(1 for file in files.documentation_pages() if file.is_modified())
    log.info("course: %s: rendering %d of %d pages (the others are unchanged)",
             language, rendering, len(files.documentation_pages()))
    return files


@event_priority(-120)
def on_nav(nav, config, files):
    if not rebuilds.ACTIVE:
        return nav
    for file in files.documentation_pages():
        page = file.page
        if page is None:
            continue
        rebuilds.SEARCH.pages.add(page.url)
        known = rebuilds.TRACKER.pages.get(file.abs_dest_path)
        if page.markdown is None and known is not None and not file.is_modified():
            title, meta = known  # what the navigation of the rendered pages shows for it
            page.markdown = ""
            page.meta = {**meta, "title": title} if title else dict(meta)
    return nav


def on_page_context(context, page, config, nav):
    if rebuilds.ACTIVE:
        rebuilds.TRACKER.rendered(page.file.abs_dest_path, page.title, page.meta)
        rebuilds.SEARCH.rendered.add(page.url)
    return context


@event_priority(-200)  # last: after the i18n plugin built the other languages
def on_post_build(config):
    if not rebuilds.ACTIVE:
        return
    rebuilds.STATE.depth -= 1
    if rebuilds.STATE.depth == 0 and rebuilds.TRACKER.full_next and rebuilds.STATE.trigger:
        log.info("course: a page title changed; rendering every page once more for the navigation")
        (rebuilds.STATE.trigger / "titles").write_text(str(len(rebuilds.TRACKER.pages)))


def on_build_error(error):
    rebuilds.STATE.depth = 0


def on_shutdown():
    if rebuilds.STATE.trigger is not None:
        shutil.rmtree(rebuilds.STATE.trigger, ignore_errors=True)
