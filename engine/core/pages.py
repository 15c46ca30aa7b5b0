"""The page model: what a page of ``docs/`` says to the engine, read one way everywhere.

* :func:`find_directives`: its ``::: snippet PATH`` lines (outside code fences: a fence ends
  at a line of the same character, at least as long), each with the ordered list after it
  (the code block's annotations);
* :func:`front_matter`, :func:`is_cuda` (``cuda: true``) and :func:`language` (``en/...`` is
  English, everything else the default language, ``zh``);
* :func:`page_files`: every page in navigation order: the default language first; within a
  language the home page, then the others by file name (MkDocs' order without ``nav``).
  :func:`snippets_in_order` adds the results page's snippets where no page shows them;
* :func:`headlines`: the results page's entries (``includes/headlines.yml``);
* :func:`under_title`: a paragraph put right under a page's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from engine.core.project import Project, SnippetError

DEFAULT_LANGUAGE = "zh"
DIRECTIVE = re.compile(r"^::: snippet (?P<path>\S+)\s*$")
LIST_ITEM = re.compile(r"^\d+\.\s")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(?P<language>[\w-]*)")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass
class Directive:
    snippet: str  # path relative to the project root
    line: int  # 1-based line of the directive in the page
    annotations: list[str]


def fenced_code(lines: list[str]) -> list[str | None]:
    """For each line: None outside fenced code; on a fence line or inside a fenced block, the
    language its opening fence names ("" when none)."""
    languages: list[str | None] = []
    fence = language = None
    for line in lines:
        stripped = line.strip()
        opening = FENCE.match(stripped)
        if fence is None and opening:
            fence, language = opening.group(1), opening.group("language")
        elif fence is not None and stripped.startswith(fence) and stripped.strip("`~") == "":
            fence = None
        elif fence is None:
            language = None
        languages.append(language)
    return languages


def in_fences(lines: list[str]) -> list[bool]:
    """For each line: is it a fence line or inside a fenced code block?"""
    return [language is not None for language in fenced_code(lines)]


def scan(lines: list[str], project: Project | None = None):
    """Yield (directive, first line index, index after its annotation list); a directive naming
    a missing or misplaced snippet raises :class:`SnippetError`."""
    project = project or Project.at()
    fenced = in_fences(lines)
    i = 0
    while i < len(lines):
        match = None if fenced[i] else DIRECTIVE.match(lines[i])
        if not match:
            i += 1
            continue
        start = i
        i += 1
        annotations: list[str] = []
        j = i
        while j < len(lines) and lines[j].strip() == "":
            j += 1
        if j < len(lines) and LIST_ITEM.match(lines[j]):
            while j < len(lines):
                current = lines[j]
                if LIST_ITEM.match(current) or current.startswith("    ") or current.startswith("\t"):
                    annotations.append(current)
                    j += 1
                elif current.strip() == "" and j + 1 < len(lines) and (
                    LIST_ITEM.match(lines[j + 1]) or lines[j + 1].startswith("    ")
                ):
                    annotations.append(current)
                    j += 1
                else:
                    break
            i = j
        yield Directive(project.relative(match.group("path")), start + 1, annotations), start, i


def find_directives(markdown: str, project: Project | None = None) -> list[Directive]:
    return [d for d, _, _ in scan(markdown.splitlines(), project)]


def directive_paths(markdown: str) -> list[str]:
    """The paths the page's directives name, as written (unchecked), in page order."""
    lines = markdown.splitlines()
    fenced = in_fences(lines)
    return [m.group("path") for line, f in zip(lines, fenced) if not f and (m := DIRECTIVE.match(line))]


def has_marker(markdown: str, name: str) -> bool:
    """Whether the page has a ``::: name`` line (e.g. ``course-results``) outside code fences."""
    return bool(_marker_lines(markdown.split("\n"), name))


def expand_block(markdown: str, name: str, render: Callable[[], str]) -> str:
    """``markdown`` with each ``::: name`` line outside code fences replaced by ``render()``
    (called only when there is one) in a ``<div class="name" markdown>`` for its styles."""
    lines = markdown.split("\n")
    found = _marker_lines(lines, name)
    if found:
        block = f'<div class="{name}" markdown>\n\n{render()}\n\n</div>'
        for i in found:
            lines[i] = block
    return "\n".join(lines)


def _marker_lines(lines: list[str], name: str) -> list[int]:
    fenced = in_fences(lines)
    return [i for i, line in enumerate(lines) if not fenced[i] and line.rstrip() == f"::: {name}"]


def front_matter(markdown: str) -> dict:
    """The page's YAML front matter ({} without one)."""
    match = FRONT_MATTER.match(markdown)
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def is_cuda(markdown: str) -> bool:
    return front_matter(markdown).get("cuda") is True


def language(src_uri: str) -> str:
    """The language of a page from its path under ``docs/`` (``en/...``: English)."""
    return "en" if src_uri.startswith("en/") else DEFAULT_LANGUAGE


def page_files(docs: Path) -> list[Path]:
    """Every Markdown page, in navigation order."""

    def order(path: Path):
        parts = path.relative_to(docs).parts
        lang = parts[0] if len(parts) > 1 else ""
        return (lang != DEFAULT_LANGUAGE, lang, path.name != "index.md", parts)

    return sorted((p for p in docs.rglob("*.md") if "assets" not in p.parts), key=order)


def snippets_by_page(project: Project | None = None, docs: Path | None = None) -> dict[str, list[str]]:
    """Page (relative to ``docs``) -> the snippets its directives name, in page order."""
    project = project or Project.at()
    docs = docs or project.docs
    found: dict[str, list[str]] = {}
    for page in page_files(docs):
        names: list[str] = []
        for name in directive_paths(page.read_text(encoding="utf-8")):
            try:  # a missing or misplaced snippet: the page's one-paragraph error
                project.relative(name)
            except SnippetError as exc:
                raise SnippetError(f"{page.relative_to(docs).as_posix()}: {exc}") from None
            if name not in names:
                names.append(name)
        if names:
            found[page.relative_to(docs).as_posix()] = names
    return found


def snippets_in_order(project: Project | None = None, docs: Path | None = None) -> list[str]:
    """Every snippet the site shows, each once, in navigation order."""
    project = project or Project.at()
    ordered: list[str] = []
    for names in snippets_by_page(project, docs).values():
        ordered += [n for n in names if n not in ordered]
    headline_snippets = [h["snippet"] for h in headlines(project)]  # the results page runs these too
    ordered += [s for s in dict.fromkeys(headline_snippets) if s not in ordered and (project.root / s).is_file()]
    return ordered


def headlines(project: Project) -> list[dict]:
    """The results page's entries, ``includes/headlines.yml`` (none when the project has no such file)."""
    path = project.includes / "headlines.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or []) if path.is_file() else []


def under_title(markdown: str, block: str) -> str:
    """``block`` as a paragraph right under the page's title (its first ``# `` line; at the top
    of a page without one)."""
    lines = markdown.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join(lines[:at] + ["", block, ""] + lines[at:]) + "\n"


def cuda_snippets(project: Project | None = None, docs: Path | None = None) -> set[str]:
    """Snippets shown on a page whose front matter says ``cuda: true``."""
    project = project or Project.at()
    found: set[str] = set()
    for page in sorted((docs or project.docs).glob("*/*.md")):
        text = page.read_text(encoding="utf-8")
        if is_cuda(text):
            found.update(d.snippet for d in find_directives(text, project))
    return found


def page_url(page: str) -> str:
    """Site path of a page relative to ``docs`` (i18n folder layout, default language at the
    root): ``zh/lecture03-x.md`` -> ``lecture03-x/``, ``en/index.md`` -> ``en/``."""
    path = page.removesuffix(".md").removesuffix(".ipynb")
    if path.startswith(DEFAULT_LANGUAGE + "/"):
        path = path[len(DEFAULT_LANGUAGE) + 1:]
    path = path.removesuffix("index")
    return path if not path or path.endswith("/") else path + "/"


def snippets_by_url(project: Project | None = None, docs: Path | None = None) -> dict[str, list[str]]:
    """Site path of each page -> the snippets it shows."""
    return {page_url(page): names for page, names in snippets_by_page(project, docs).items()}
