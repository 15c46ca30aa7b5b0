"""Which pages a ``mkdocs serve --dirty`` rebuild renders again (``make serve`` uses ``--dirty``).

MkDocs' ``--dirty`` renders only the pages whose Markdown is newer than their HTML; why that is
wrong here on its own and what makes it right: README, "`mkdocs serve` does not wait". A page's
*fingerprint* is the key and cached state of every snippet it shows (every headline snippet for
the results page): a page whose fingerprint changed has its HTML removed, which makes MkDocs
render it; a change to :data:`GLOBAL_INPUTS`, an asset or the set of pages renders every page.
:class:`Tracker` keeps the titles and front matter of the pages a rebuild skips (their
navigation), :class:`SearchDocs` their search documents. The hooks are in
:mod:`engine.site.rebuild_hooks`; nothing here imports MkDocs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from engine.core import executor, pages
from engine.core.project import Project, SnippetError

# Inputs of every page besides its own Markdown (paths relative to the project root).
GLOBAL_INPUTS = ("mkdocs.yml", "includes", "engine", "overrides")


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.relative_to(path).parts)


def global_fingerprint(root: Path, docs: Path) -> str:
    """Digest of the inputs every page depends on: :data:`GLOBAL_INPUTS`, the files of ``docs``
    that are not pages (assets) and the list of pages (names and stat only, no reading)."""
    digest = hashlib.sha256()
    for top in GLOBAL_INPUTS:
        for path in _files_under(root / top):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    for path in _files_under(docs):
        if path.suffix == ".md":
            digest.update(f"page {path.relative_to(docs)}\n".encode())
        else:
            stat = path.stat()
            digest.update(f"{path.relative_to(docs)}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


def shown_snippets(markdown: str, project: Project) -> list[str]:
    """The snippets a page's Markdown shows: its ``::: snippet`` lines outside code fences,
    and every headline snippet for the results page."""
    names = pages.directive_paths(markdown)
    if pages.has_marker(markdown, "course-results"):
        names += [h["snippet"] for h in pages.headlines(project)]
    return names


class Tracker:
    """What the previous builds of this ``mkdocs serve`` rendered, per page (its HTML path)."""

    def __init__(self, project: Project | None = None) -> None:
        self.project = project  # None: this repository (the hooks set the built project)
        self.fingerprints: dict[str, str] = {}  # HTML path -> fingerprint when last checked
        self.global_seen: dict[str, str] = {}  # language -> global fingerprint when last checked
        self.pages: dict[str, tuple[str | None, dict]] = {}  # HTML path -> (title, front matter)
        self.full_next = False  # a title changed: the next rebuild renders every page
        self.full_now = False
        self._snippets: dict[str, str] = {}  # snippet -> "key cached|missing", for one rebuild
        self._global: dict[Path, str] = {}  # docs folder -> global fingerprint, for one rebuild

    def new_rebuild(self) -> None:
        self._snippets.clear()
        self._global.clear()
        self.full_now, self.full_next = self.full_next, False

    def global_fingerprint(self, root: Path, docs: Path) -> str:
        if docs not in self._global:
            self._global[docs] = global_fingerprint(root, docs)
        return self._global[docs]

    def snippet_state(self, snippet: str) -> str:
        if snippet not in self._snippets:
            project = self.project or Project.at()
            try:
                rel = project.relative(snippet)
                key = executor.cache_key(rel, project=project)
                state = f"{key} {'cached' if executor.cached(rel, key, project) else 'missing'}"
            except SnippetError as exc:  # the page's render reports it
                state = f"error {exc}"
            self._snippets[snippet] = state
        return self._snippets[snippet]

    def page_fingerprint(self, markdown: str) -> str:
        states = [f"{s} {self.snippet_state(s)}" for s in shown_snippets(markdown, self.project or Project.at())]
        return hashlib.sha256("\n".join(states).encode()).hexdigest()

    def stale(self, language: str, global_fp: str, pages: dict[str, str]) -> list[str]:
        """The HTML paths (of ``pages``: HTML path -> Markdown source) to render again, and
        remember this state. Every page when the global inputs changed for ``language`` or a
        title changed; else the pages whose fingerprint changed."""
        everything = self.full_now or self.global_seen.get(language) != global_fp
        self.global_seen[language] = global_fp
        stale = []
        for html, markdown in pages.items():
            fingerprint = self.page_fingerprint(markdown)
            if everything or self.fingerprints.get(html) != fingerprint:
                stale.append(html)
            self.fingerprints[html] = fingerprint
        return stale

    def rendered(self, html: str, title: str | None, meta: dict) -> None:
        """A page was rendered: remember its title and front matter for the navigation of later
        builds; a changed title asks for one rebuild of every page."""
        previous = self.pages.get(html)
        if previous is not None and previous[0] != title:
            self.full_next = True
        self.pages[html] = (title, dict(meta))


class SearchDocs:
    """The search documents of every page, kept across dirty rebuilds: a rebuild replaces the
    documents of the pages it rendered and keeps the others'."""

    def __init__(self) -> None:
        self.by_page: dict[str, list[dict]] = {}
        self.pages: set[str] = set()  # URLs of the pages the current rebuild has (both languages)
        self.rendered: set[str] = set()  # URLs of the pages it rendered

    def new_rebuild(self) -> None:
        self.pages.clear()
        self.rendered.clear()

    @staticmethod
    def page_of(doc: dict) -> str:
        return doc["location"].split("#", 1)[0]

    def merge(self, docs: list[dict]) -> list[dict]:
        fresh: dict[str, list[dict]] = {}  # in the order of the documents
        for doc in docs:
            page = self.page_of(doc)
            if page in self.rendered:
                fresh.setdefault(page, []).append(doc)
        for url in sorted(self.rendered - set(fresh)):  # rendered, nothing to index any more
            fresh[url] = []
        self.by_page.update(fresh)
        for gone in set(self.by_page) - self.pages:  # a page deleted or renamed
            del self.by_page[gone]
        return [doc for page_docs in self.by_page.values() for doc in page_docs]


class State:
    depth = 0  # builds in progress: the i18n plugin builds the other languages inside the first
    trigger: Path | None = None  # a file written here makes `mkdocs serve` rebuild


TRACKER = Tracker()
SEARCH = SearchDocs()
STATE = State()
ACTIVE = False  # set by the hooks under `mkdocs serve --dirty`
