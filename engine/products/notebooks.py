"""Jupyter notebooks of the lecture pages, built from the snippets the pages show.

A lecture page with snippets becomes a notebook (:func:`build`): a title cell, a ``%%writefile``
cell for each sibling module the snippets import (so it runs on its own, in Colab too), then per
snippet its page section and a code cell whose outputs are those of the build's one run (nothing
runs here). Notebooks are written under ``.cache/notebooks/`` and added to the build as pages that
mkdocs-jupyter renders (:class:`Pages`, called from :mod:`engine.site.mkdocs_hooks`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import nbformat

from engine.core import pages
from engine.core.executor import Result, SnippetError, local_imports
from engine.core.pages import under_title
from engine.core.project import Project

LECTURE_PAGE = re.compile(r"^(?P<lang>zh|en)/(?P<stem>lecture\d+[^/]*)\.md$")
HEADING = re.compile(r"^(?P<level>#{1,3})\s+(?P<text>.+?)\s*(\{[^}]*\})?\s*$")
ANNOTATION = re.compile(r"\s*# \(\d+\)!\s*$")
NOTEBOOK_DIR = "notebooks"  # site folder of the notebook pages, in each language
BRANCH = "notebooks"  # branch the Pages workflow publishes the .ipynb files to, for Colab

LABELS = {
    "zh": {
        "title": "{title}（Notebook）",
        "intro": (
            "本 Notebook 由网页 [{page}]({page_url}) 的代码生成，输出是网站构建时那一次运行的结果"
            "（{device}）。在 Jupyter 或 Colab 中可以从上到下重新运行。"
        ),
        "not_run": "本次构建没有执行代码（COURSE_EXECUTE=0），所以没有输出。",
        "modules": "下面的代码要导入同一目录下的模块，先把它们写成文件：",
        "bar": "本讲代码的 Notebook：[在网页中查看]({view}) · [下载 .ipynb]({download}) · [在 Colab 中打开]({colab})",
        "back": "返回讲义：[{page}]({page_url}) · [下载 .ipynb]({download}) · [在 Colab 中打开]({colab})",
        "figure": "{name} 生成的图 {i}",
    },
    "en": {
        "title": "{title} (notebook)",
        "intro": (
            "This notebook is generated from the code of the page [{page}]({page_url}); its outputs "
            "are those of the one run made when the site was built ({device}). Run it again from "
            "top to bottom in Jupyter or Colab."
        ),
        "not_run": "Code was not executed for this build (COURSE_EXECUTE=0), so there are no outputs.",
        "modules": "The code below imports modules from its own folder; write them to files first:",
        "bar": (
            "This lecture's code as a notebook: [view it]({view}) · "
            "[download the .ipynb]({download}) · [open in Colab]({colab})"
        ),
        "back": (
            "Back to the lecture: [{page}]({page_url}) · "
            "[download the .ipynb]({download}) · [open in Colab]({colab})"
        ),
        "figure": "Figure {i} drawn by {name}",
    },
}


@dataclass
class Entry:
    heading: str  # the page section the snippet is shown in
    snippet: str  # path relative to the repository root


@dataclass
class Notebook:
    lang: str
    stem: str  # file name without extension, e.g. lecture02-linear-model
    title: str  # the lecture page's h1
    page_src_uri: str  # e.g. zh/lecture02-linear-model.md
    entries: list[Entry]
    # base64 png -> (figure path in the site, alt text)
    figures: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def src_uri(self) -> str:
        """Where the page pretends to live in docs/ (zh is the default, unprefixed)."""
        prefix = "" if self.lang == "zh" else "en/"
        return f"{prefix}{NOTEBOOK_DIR}/{self.stem}.ipynb"


def source_uri(src_uri: str, lang: str = pages.DEFAULT_LANGUAGE) -> str:
    """A page's path under docs/ with its language folder (``zh/...`` or ``en/...``)."""
    return src_uri if src_uri.startswith(("zh/", "en/")) else f"{lang}/{src_uri}"


def strip_annotations(code: str) -> str:
    """Drop the ``# (1)!`` code-annotation markers, which mean nothing in a notebook."""
    return "\n".join(ANNOTATION.sub("", line) for line in code.splitlines()) + "\n"


def parse_page(src_uri: str, markdown: str, project: Project | None = None) -> Notebook | None:
    """The notebook outline of a lecture page: its title and its snippets with their sections."""
    match = LECTURE_PAGE.match(src_uri)
    if not match:
        return None
    directives = pages.find_directives(markdown, project)
    if not directives:
        return None
    lines = markdown.splitlines()
    headings: list[tuple[int, int, str]] = []  # (line number, level, text)
    for number, (line, fenced) in enumerate(zip(lines, pages.in_fences(lines)), start=1):
        heading = None if fenced else HEADING.match(line)
        if heading:
            headings.append((number, len(heading.group("level")), heading.group("text")))
    title = next((text for _, level, text in headings if level == 1), match.group("stem"))
    entries: list[Entry] = []
    seen: set[str] = set()
    for directive in directives:
        if directive.snippet in seen:
            continue
        seen.add(directive.snippet)
        before = [text for number, level, text in headings if number < directive.line and level > 1]
        entries.append(Entry(before[-1] if before else title, directive.snippet))
    return Notebook(match.group("lang"), match.group("stem"), title, src_uri, entries)


def _cell_id(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:12]


def colab_url(repo_url: str | None, notebook: Notebook) -> str | None:
    """Colab link to the notebook on the repository's ``notebooks`` branch (GitHub only)."""
    if not repo_url:
        return None
    parts = urlsplit(repo_url)
    if parts.netloc != "github.com":
        return None
    owner_repo = parts.path.strip("/").removesuffix(".git")
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{BRANCH}/{notebook.lang}/{notebook.stem}.ipynb"


def repository(config) -> str | None:
    """The project's repository: ``extra.repository`` in mkdocs.yml, else ``repo_url``."""
    return (config.extra or {}).get("repository") or config.repo_url


def build(
    notebook: Notebook,
    result_of: Callable[[str], Result] | None,
    page_link: str,
    project: Project | None = None,
) -> nbformat.NotebookNode:
    """The notebook: code cells hold the snippets, outputs come from ``result_of`` (cached)."""
    root = (project or Project.at()).root
    labels = LABELS[notebook.lang]
    nb = nbformat.v4.new_notebook()
    nb.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    results = {e.snippet: result_of(e.snippet) for e in notebook.entries} if result_of else {}
    results = {snippet: r for snippet, r in results.items() if r is not None}  # None: not run yet
    devices = sorted({r.device for r in results.values()})
    intro = labels["intro"].format(
        page=notebook.title, page_url=page_link, device=", ".join(devices) or "-"
    )
    if result_of is None:
        intro += "\n\n" + labels["not_run"]
    cells = [nbformat.v4.new_markdown_cell(f"# {labels['title'].format(title=notebook.title)}\n\n{intro}")]
    modules = list(dict.fromkeys(m for e in notebook.entries for m in local_imports(root / e.snippet, root)))
    if modules:
        cells.append(nbformat.v4.new_markdown_cell(labels["modules"]))
        for module in modules:
            code = strip_annotations(module.read_text(encoding="utf-8"))
            cells.append(nbformat.v4.new_code_cell(f"%%writefile {module.name}\n{code}".rstrip("\n")))
    count = 0
    for entry in notebook.entries:
        cells.append(nbformat.v4.new_markdown_cell(f"## {entry.heading}\n\n`{entry.snippet}`"))
        code = strip_annotations((root / entry.snippet).read_text(encoding="utf-8")).rstrip("\n")
        cell = nbformat.v4.new_code_cell(code)
        result = results.get(entry.snippet)
        if result is not None:
            count += 1
            cell.execution_count = count
            if result.output:
                cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=result.output))
            for number, figure in enumerate(result.figures, start=1):
                data = base64.b64encode(figure.read_bytes()).decode("ascii")
                alt = labels["figure"].format(name=Path(entry.snippet).name, i=number)
                notebook.figures[data] = (f"assets/snippets/{result.key}/{figure.name}", alt)
                cell.outputs.append(
                    nbformat.v4.new_output("display_data", data={"image/png": data, "text/plain": alt})
                )
        cells.append(cell)
    for cell in cells:  # ids that do not change from build to build
        cell.id = _cell_id(notebook.lang, notebook.stem, cell.cell_type, cell.source)
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    """Write ``nb`` to ``path``, leaving the file untouched when nothing changed; a changed file
    is replaced whole, so a build running beside this one never reads half of it."""
    text = nbformat.writes(nb) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    return path


# --- the rendered page: keep it light --------------------------------------------------

_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.S)
_MATHJAX_CONFIG = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
_DATA_PNG = re.compile(r'<img(?P<attrs>[^>]*?)src="data:image/png;base64,(?P<data>[^"]+)"(?P<rest>[^>]*)>')


def lighten(html: str, notebook: Notebook, prefix: str, css_href: str) -> tuple[str, str]:
    """Move the notebook's inline CSS to one shared file, and show figures from the site.

    mkdocs-jupyter inlines about 0.6 MB of JupyterLab CSS into every notebook page and links
    MathJax from a CDN; the figures are base64 data. Returns the page HTML, linking one shared
    stylesheet and the figure files the lecture page already uses, and the CSS it removed.
    """
    styles = "\n".join(m.group(0)[m.group(0).index(">") + 1 : -len("</style>")] for m in _STYLE.finditer(html))
    html = _STYLE.sub("", html)
    html = _MATHJAX_CONFIG.sub("", html)
    html = _SCRIPT_SRC.sub("", html)

    def figure(match: re.Match) -> str:
        known = notebook.figures.get(match.group("data"))
        if known is None:
            return match.group(0)
        target, alt = known
        attrs = re.sub(r'\balt="[^"]*"', "", match.group("attrs") + match.group("rest")).strip()
        attrs = f" {attrs}" if attrs else ""
        return f'<img src="{prefix}{target}" alt="{html_escape(alt)}"{attrs}>'

    html = _DATA_PNG.sub(figure, html)
    # the theme's code colours (readable, both schemes) instead of the notebook's own
    html = html.replace('class="highlight-ipynb ', 'class="highlight ')
    return f'<link rel="stylesheet" href="{css_href}">\n' + html, styles


# --- the MkDocs side: called from engine/site/mkdocs_hooks.py ---------------------------------


class Pages:
    """Adds the notebook pages to each language build and links them from the lecture pages."""

    def __init__(self, project: Project | None = None):
        self.project = project or Project.at()  # the hooks set the project being built
        self.by_page: dict[str, Notebook] = {}  # lecture page src_uri -> notebook
        self.by_file: dict[str, Notebook] = {}  # notebook src_uri -> notebook
        self.css = ""  # the CSS taken out of the notebook pages, served once
        self.cache_paths: set = set()  # mkdocs-jupyter cache entries of every language build

    @staticmethod
    def _language(config) -> str:
        i18n = config.plugins.get("i18n")
        return getattr(i18n, "current_language", None) or config.theme.get("language", "zh")

    def on_files(self, files, config, result_of, complete_only: bool = False):
        """Add a notebook page per lecture page; with ``complete_only`` (``mkdocs serve`` while
        snippets still run) only those whose every snippet has a result, the others wait for
        the rebuild that follows the last result (rendering a notebook is slow)."""
        from types import SimpleNamespace

        from mkdocs.exceptions import PluginError
        from mkdocs.structure.files import File
        from mkdocs_jupyter.plugin import NotebookFile

        lang = self._language(config)
        site_url = (config.site_url or "").rstrip("/") + "/"
        for file in list(files.documentation_pages()):
            source = source_uri(file.src_uri, lang)
            if not LECTURE_PAGE.match(source) or file.abs_src_path is None:
                continue
            try:  # the same one-paragraph error as a page's own snippet error
                notebook = parse_page(source, Path(file.abs_src_path).read_text(encoding="utf-8"), self.project)
                if notebook is None or notebook.lang != lang:
                    continue
                if complete_only and any(result_of(e.snippet) is None for e in notebook.entries):
                    continue
                nb = build(notebook, result_of, site_url + pages.page_url(source), self.project)
            except SnippetError as exc:
                raise PluginError(f"{file.src_uri}: {exc}") from None
            path = write(nb, self.project.notebooks / notebook.lang / f"{notebook.stem}.ipynb")
            generated = File.generated(config, notebook.src_uri, abs_src_path=str(path))
            other = "en" if lang == "zh" else "zh"
            twin = notebook.src_uri.removeprefix("en/") if other == "zh" else f"en/{notebook.src_uri}"
            generated.locale = lang
            generated.locale_alternate_of = ""
            generated.alternates = {
                lang: SimpleNamespace(url=pages.page_url(notebook.src_uri)),
                other: SimpleNamespace(url=pages.page_url(twin)),
            }
            page_file = NotebookFile(generated, **config)
            page_file.abs_src_path = str(path)  # a class property would hide the wrapped file's
            files.append(page_file)
            self.by_page[source] = notebook
            self.by_file[notebook.src_uri] = notebook
        return files

    def on_nav(self, nav):
        """Keep the notebook pages out of the navigation: each lecture page links its own."""

        def keep(items):
            kept = []
            for item in items:
                if getattr(item, "file", None) is not None and item.file.src_uri in self.by_file:
                    continue
                if getattr(item, "children", None):
                    item.children = keep(item.children)
                    if not item.children:
                        continue
                kept.append(item)
            return kept

        nav.items = keep(nav.items)
        nav.pages = [p for p in nav.pages if p.file.src_uri not in self.by_file]
        return nav

    def _links(self, notebook: Notebook, config, prefix: str) -> dict[str, str]:
        view = prefix + pages.page_url(notebook.src_uri)
        return {
            "view": view,
            "download": f"{view}{notebook.stem}.ipynb",
            "colab": colab_url(repository(config), notebook),  # None: no repository, no link
            "page": notebook.title,
            "page_url": prefix + pages.page_url(notebook.page_src_uri),
        }

    @staticmethod
    def _html_links(template: str, links: dict[str, str]) -> str:
        """A label with ``[text]({name})`` links as HTML (MkDocs checks Markdown links only
        against docs/, where the generated notebook pages are not). A link without an address
        (Colab, when no repository is known) is left out with its separator."""
        for name in [k for k, v in links.items() if v is None]:
            template = re.sub(r"\s*·\s*\[[^\]]+\]\(\{" + name + r"\}\)", "", template)
        links = {k: v for k, v in links.items() if v is not None}
        html = re.sub(r"\[([^\]]+)\]\(\{(\w+)\}\)", r'<a href="{\2}">\1</a>', template)
        html = html.replace('<a href="{download}">', '<a href="{download}" download>')
        return html.format(**{k: html_escape(v, quote=True) for k, v in links.items()})

    def on_page_markdown(self, markdown: str, source: str, config, prefix: str) -> str:
        """Put the notebook links under a lecture page's title."""
        notebook = self.by_page.get(source_uri(source))
        if notebook is None:
            return markdown
        bar = self._html_links(LABELS[notebook.lang]["bar"], self._links(notebook, config, prefix))
        return under_title(markdown, f'<p class="notebook-links">{bar}</p>')

    def on_page_content(self, html: str, page, config, prefix: str) -> str:
        notebook = self.by_file.get(page.file.src_uri)
        if notebook is None:
            return html
        page.meta = dict(page.meta or {}, search={"exclude": True})  # the lecture page is indexed
        html, css = lighten(html, notebook, prefix, prefix + "assets/stylesheets/notebook.css")
        self.css = self.css or css
        links = self._links(notebook, config, prefix)
        back = self._html_links(LABELS[notebook.lang]["back"], links)
        return f'<p class="notebook-links">{back}</p>\n{html}'

    def on_pre_build(self, config):
        plugin = config.plugins.get("mkdocs-jupyter")
        if plugin is not None:
            # mkdocs-jupyter deletes the cache entries its build did not use: share one set
            # across the language builds so each keeps the other's rendered notebooks, seeded
            # with the entries already there (the first language's build would otherwise delete
            # the second's before it runs, and every rebuild rendered those notebooks again)
            plugin._used_cache_paths = self.cache_paths
            if plugin.config.get("cache", True):
                self.cache_paths.update(Path(plugin.config["cache_dir"]).glob("*.json"))

    def on_post_build(self, config):
        if self.css:
            target = Path(config.site_dir) / "assets" / "stylesheets" / "notebook.css"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(self.css, encoding="utf-8")
