"""The project the engine works on: where its pages, snippets, includes and cache are.

Every function that reads or writes a project's files takes a :class:`Project`; nothing keeps
a copy of these paths. ``Project.at()`` is this repository (the course) with the cache
``COURSE_CACHE_DIR`` names, else ``.cache/snippets``; ``python -m engine --project DIR`` and
a MkDocs build of another folder pass ``Project.at(DIR)``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

ENGINE_HOME = Path(__file__).resolve().parents[2]  # the folder that holds the engine package


class SnippetError(RuntimeError):
    """A snippet cannot be shown: missing, outside ``snippets/``, failed, timed out."""


@dataclass(frozen=True)
class Project:
    root: Path
    cache: Path  # the snippet results: one entry folder per key
    niceness: int = 0  # > 0: snippets run at a lower CPU priority (`nice`), behind a server
    data: Path | None = None  # its datasets (data/registry.json); None: the engine checkout's

    @classmethod
    def at(cls, root: Path | str | None = None, cache: Path | str | None = None) -> Project:
        root = Path(root or ENGINE_HOME).resolve()
        cache = cache or os.environ.get("COURSE_CACHE_DIR") or root / ".cache" / "snippets"
        return cls(root, Path(cache), data=root / "data")

    def replace(self, **changes) -> Project:
        return dataclasses.replace(self, **changes)

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def snippets(self) -> Path:
        return self.root / "snippets"

    @property
    def includes(self) -> Path:
        return self.root / "includes"

    @property
    def notebooks(self) -> Path:
        return self.cache.parent / "notebooks"

    @property
    def run_times(self) -> Path:
        return self.snippets / "run_times.json"

    def relative(self, path: Path | str) -> str:
        """Path of a snippet relative to the root, checked to stay under ``snippets/``."""
        full = (self.root / path).resolve()
        if not full.is_relative_to(self.snippets.resolve()):
            raise SnippetError(f"{path}: snippets must live under {self.snippets}")
        if not full.is_file():
            raise SnippetError(f"{path}: no such snippet file")
        return full.relative_to(self.root.resolve()).as_posix()

    def all_snippets(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.snippets.rglob("*.py"))
