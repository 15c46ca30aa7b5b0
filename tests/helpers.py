"""Helpers shared by the tests."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from engine.core import pages

ROOT = Path(__file__).resolve().parent.parent


def import_snippet(folder: str, name: str):
    """Import ``snippets/<folder>/<name>.py`` from its file path (snippet folders are not packages)."""
    path = ROOT / "snippets" / folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- pages -----------------------------------------------------------------------------------

DOCS = ROOT / "docs"
LANGUAGES = ("zh", "en")


def page_names(lang: str) -> set[str]:
    """Markdown files of one language, relative to ``docs/<lang>``."""
    return {p.relative_to(DOCS / lang).as_posix() for p in (DOCS / lang).rglob("*.md")}


def read_page(lang: str, page: str) -> str:
    return (DOCS / lang / page).read_text(encoding="utf-8")


front_matter = pages.front_matter  # the page model's: {} without front matter


def shown_snippets(markdown: str) -> list[str]:
    """Snippet paths of the page's ``::: snippet`` lines (outside code fences), in order."""
    return pages.directive_paths(markdown)


def lecture_page(number: int, lang: str = "zh") -> str:
    """File name of lecture ``number``'s page, e.g. ``lecture09-softmax-classifier.md``."""
    found = sorted(p.name for p in (DOCS / lang).glob(f"lecture{number:02d}-*.md"))
    if len(found) != 1:
        raise LookupError(f"docs/{lang}: expected one page for lecture {number}, found {found}")
    return found[0]


# --- snippets --------------------------------------------------------------------------------

CHOOSES_CUDA = re.compile(r"torch\.cuda\.is_available\(\)")


def chooses_cuda(snippet: str) -> bool:
    """Whether a snippet (or a sibling module it imports) picks the GPU when there is one."""
    from engine.core.executor import local_imports

    path = ROOT / snippet
    return any(CHOOSES_CUDA.search(p.read_text(encoding="utf-8")) for p in [path, *local_imports(path, ROOT)])


def page_claim(page: str, patterns: dict[str, str]) -> float:
    """A number a page states, found in each language by a regular expression whose first group is
    the number; both languages must state the same. Tests take their thresholds from it, so a test
    checks the claim the reader sees and fails when page and result part ways."""
    found = {}
    for lang, pattern in patterns.items():
        match = re.search(pattern, read_page(lang, page))
        if match is None:
            raise AssertionError(f"docs/{lang}/{page}: no text matches {pattern!r}; the test reads its threshold there")
        found[lang] = float(match.group(1))
    if len(set(found.values())) != 1:
        raise AssertionError(f"{page}: the two languages state different numbers: {found}")
    return next(iter(found.values()))
