"""The serve worker: results streamed into a served site while the reader reads (README,
"`mkdocs serve` does not wait").

A :class:`Worker` runs queued snippets one after another in a background thread, in the order
they were submitted, and writes into the served site's ``assets/engine/``
(:data:`engine.site.markdown.STREAM_DIR`):

* ``queue.json``: ``{"running": KEY, "queued": [KEY...], "done": [KEY...], "failed": {KEY: MESSAGE}}``;
* ``fragments/KEY-LANG.html``: a finished result as HTML (rendered by the pages' own Markdown),
  with ``__SITE_PREFIX__`` where the page's relative path to the site root goes;
* ``stream.js`` (from ``engine/site/assets/``), which polls ``queue.json`` from a page with
  placeholders and swaps in each finished result's fragment.

Figures go to ``assets/snippets/KEY/`` as in a build; when the queue is empty the worker calls
``on_idle`` (the hooks then ask ``mkdocs serve`` for one rebuild). Nothing here needs MkDocs.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterable

from engine.core import executor
from engine.core.progress import Progress
from engine.core.project import Project
from engine.site.markdown import STREAM_DIR, Pending, render_result

SCRIPT = Path(__file__).resolve().parent / "assets" / "stream.js"
PREFIX_MARK = "__SITE_PREFIX__"
LANGUAGES = ("zh", "en")
NICENESS = 10  # snippets run in the background at a lower CPU priority

log = logging.getLogger("mkdocs.course.stream")


def _write(path: Path, text: str | None = None, source: Path | None = None) -> None:
    """Write ``text`` (or a copy of ``source``) so that a reader never sees half a file. A
    rebuild may empty the site folder at the same moment: then try again (after a rebuild
    :meth:`Worker.publish_all` writes everything anyway)."""
    for _attempt in range(3):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            if source is None:
                temporary.write_text(text, encoding="utf-8")
            else:
                shutil.copyfile(source, temporary)
            temporary.replace(path)
            return
        except FileNotFoundError:
            continue


class Worker:
    """Runs submitted snippets in the background and publishes their results into ``site_dir``."""

    def __init__(self, site_dir: Path, to_html: Callable[[str], str],
                 on_idle: Callable[[], None] | None = None, prepare: Callable[[], None] | None = None,
                 project: Project | None = None):
        # page requests and rebuilds go first: snippets run at a lower CPU priority
        self.project = (project or Project.at()).replace(niceness=NICENESS)
        self.site_dir = Path(site_dir)
        self.to_html = to_html  # Markdown -> HTML, the pages' own converter
        self.on_idle = on_idle
        self.prepare = prepare  # called once before the first run (e.g. verify the datasets)
        self.queue: list[tuple[str, str]] = []  # (snippet, key), in run order
        self.running: tuple[str, str] | None = None
        self.done: dict[str, executor.Result] = {}  # key -> result
        self.failed: dict[str, str] = {}  # key -> error message
        self.fragments: dict[str, dict[str, str]] = {}  # key -> lang -> HTML
        self.progress = Progress([], project=self.project)
        self.lock = threading.Condition()
        self.thread = threading.Thread(target=self._loop, name="snippet-worker", daemon=True)
        self.stopped = False

    # --- asked by the page renderer ------------------------------------------------------

    def submit(self, snippets: Iterable[str]) -> None:
        """Queue the snippets (in order) that are neither queued, running, done nor failed."""
        with self.lock:
            for snippet in snippets:
                key = executor.cache_key(snippet, project=self.project)
                known = [k for _, k in self.queue] + ([self.running[1]] if self.running else [])
                if key in known or key in self.done or key in self.failed:
                    continue
                self.queue.append((snippet, key))
                if snippet not in self.progress.snippets:
                    self.progress.snippets.append(snippet)
                self.progress.done.discard(snippet)  # edited: it runs again
            self.lock.notify_all()
        self.publish_state()

    def prefer(self, snippets: Iterable[str]) -> None:
        """Move the queued ``snippets`` (the page a reader opened) to the front, in order."""
        wanted = list(snippets)
        with self.lock:
            first = [item for name in wanted for item in self.queue if item[0] == name]
            if first and self.queue[: len(first)] != first:
                self.queue = first + [item for item in self.queue if item not in first]
        if first:
            self.publish_state()

    def pending(self, snippet: str) -> Pending:
        """The placeholder state of a snippet without a result (queued if it was not)."""
        self.submit([snippet])
        key = executor.cache_key(snippet, project=self.project)
        with self.lock:
            if self.running and self.running[1] == key:
                return Pending(snippet, key, 0)
            keys = [k for _, k in self.queue]
            return Pending(snippet, key, keys.index(key) + 1 if key in keys else 0)

    def failure(self, snippet: str) -> str | None:
        return self.failed.get(executor.cache_key(snippet, project=self.project))

    @property
    def busy(self) -> bool:
        with self.lock:
            return bool(self.queue or self.running)

    # --- the background thread -----------------------------------------------------------

    def start(self) -> None:
        executor.listeners.append(self.progress.event)
        self.thread.start()

    def stop(self) -> None:
        """Stop after killing the snippet running now (its result is not cached)."""
        with self.lock:
            self.stopped = True
            self.lock.notify_all()
        executor.stop_all()
        if self.progress.event in executor.listeners:
            executor.listeners.remove(self.progress.event)

    def _loop(self) -> None:
        if self.prepare is not None:
            self.prepare()
        while True:
            with self.lock:
                while not self.queue and not self.stopped:
                    self.lock.wait()
                if self.stopped:
                    return
                snippet, key = self.running = self.queue.pop(0)
            self.publish_state()
            try:
                project = self.project
                if (project.root / snippet).is_file() and executor.cache_key(snippet, project=project) == key:
                    result = executor.run(snippet, project=project)  # edited meanwhile: the new key is queued
                    self.publish_result(result)
                    with self.lock:
                        self.done[key] = result
            except executor.SnippetError as exc:
                log.error("%s", exc)
                with self.lock:
                    self.failed[key] = str(exc)
            except Exception as exc:  # noqa: BLE001 - the worker must survive to run the others
                log.exception("snippet %s: %s", snippet, exc)
                with self.lock:
                    self.failed[key] = f"{snippet}: {exc}"
            with self.lock:
                self.running = None
                idle = not self.queue
            self.publish_state()
            if idle and self.on_idle is not None:
                self.on_idle()

    # --- what the served site sees -------------------------------------------------------

    def state(self) -> dict:
        with self.lock:
            return {
                "running": self.running[1] if self.running else None,
                "queued": [k for _, k in self.queue],
                "done": sorted(self.done),
                "failed": dict(self.failed),
            }

    def publish_state(self) -> None:
        _write(self.site_dir / STREAM_DIR / "queue.json", json.dumps(self.state()))

    def publish_result(self, result: executor.Result) -> None:
        """Figures and fragments of a finished result (rendered once, kept for rebuilds)."""
        for figure in result.figures:
            target = self.site_dir / "assets" / "snippets" / result.key / figure.name
            if not target.is_file():
                _write(target, source=figure)
        if result.key not in self.fragments:
            self.fragments[result.key] = {
                lang: self.to_html(render_result(result, lang, PREFIX_MARK)) for lang in LANGUAGES
            }
        for lang, fragment in self.fragments[result.key].items():
            _write(self.site_dir / STREAM_DIR / "fragments" / f"{result.key}-{lang}.html", fragment)

    def publish_all(self) -> None:
        """Write the script, the state and every finished result again (after a rebuild
        emptied the site folder)."""
        _write(self.site_dir / STREAM_DIR / SCRIPT.name, source=SCRIPT)
        with self.lock:
            finished = list(self.done.values())
        for result in finished:
            self.publish_result(result)
        self.publish_state()


class Session:
    """What one ``mkdocs serve`` or ``mkdocs build`` process keeps across its (re)builds: MkDocs
    loads the hooks file again for every rebuild, so this state lives here."""

    command: str | None = None  # "serve" or "build", from MkDocs' on_startup
    worker: Worker | None = None
    fetched = False  # published results fetched (once per process)
    data_ready = False  # the project's datasets prepared (once per process)
    ran_up_front = False  # a build ran the missing snippets before rendering (once)
    placeholders: set = set()  # keys the latest (re)build showed as placeholders
    trigger: Path | None = None  # touching a file in this folder makes `mkdocs serve` rebuild
    to_html: Callable[[str], str] | None = None  # the latest config's Markdown converter
    project: Project | None = None  # the project being built (from mkdocs.yml's folder)


SESSION = Session()
