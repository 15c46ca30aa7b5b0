"""Which snippets the pages show, in the order of the navigation.

Pages are ``docs/<lang>/*.md`` (the default language, ``zh``, first); within a language
the home page comes first, then the others by file name, which is the order MkDocs gives a
site without an explicit ``nav``. The snippets of the results page's table
(:data:`engine.results.HEADLINES`) are added at the end where no page shows them.
"""

from __future__ import annotations

from pathlib import Path

from . import executor
from .markdown import DIRECTIVE

DEFAULT_LANGUAGE = "zh"


def docs_dir() -> Path:
    return executor.ROOT / "docs"


def page_files(docs: Path | None = None) -> list[Path]:
    """Every Markdown page, in navigation order."""
    docs = docs or docs_dir()

    def order(path: Path):
        parts = path.relative_to(docs).parts
        lang = parts[0] if len(parts) > 1 else ""
        return (lang != DEFAULT_LANGUAGE, lang, path.name != "index.md", parts)

    return sorted((p for p in docs.rglob("*.md") if "assets" not in p.parts), key=order)


def snippets_by_page(docs: Path | None = None) -> dict[str, list[str]]:
    """Page (relative to ``docs``) -> the snippets its directives name, in page order."""
    docs = docs or docs_dir()
    found: dict[str, list[str]] = {}
    for page in page_files(docs):
        in_fence = False
        names = []
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            match = None if in_fence else DIRECTIVE.match(line)
            if match and match.group("path") not in names:
                names.append(match.group("path"))
        if names:
            found[page.relative_to(docs).as_posix()] = names
    return found


def snippets_in_order(docs: Path | None = None) -> list[str]:
    """Every snippet the site shows, each once, in navigation order."""
    ordered: list[str] = []
    for names in snippets_by_page(docs).values():
        ordered += [n for n in names if n not in ordered]
    from .results import HEADLINES  # the results page runs these too

    ordered += [h.snippet for h in HEADLINES if h.snippet not in ordered and (executor.ROOT / h.snippet).is_file()]
    return ordered


def page_url(page: str) -> str:
    """Site path of a page relative to ``docs`` (i18n folder layout, default language at the
    root): ``zh/lecture03-x.md`` -> ``lecture03-x/``, ``en/index.md`` -> ``en/``."""
    path = page.removesuffix(".md")
    if path.startswith(DEFAULT_LANGUAGE + "/"):
        path = path[len(DEFAULT_LANGUAGE) + 1:]
    path = path.removesuffix("index")
    return path if not path or path.endswith("/") else path + "/"


def snippets_by_url(docs: Path | None = None) -> dict[str, list[str]]:
    """Site path of each page -> the snippets it shows."""
    return {page_url(page): names for page, names in snippets_by_page(docs).items()}
