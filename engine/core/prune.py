"""Cache housekeeping: remove what no snippet of the tree uses any more.

Every edit of a snippet (or a library upgrade) gives it a new key and leaves the old entry
behind. :func:`prune` removes, from a project's cache:

* entries (``<key>/``) whose key no snippet of the tree has, for either device kind (a CPU
  machine keeps the GPU runner's ``cuda`` results, and the reverse);
* ``.<key>.lock`` files of those keys, when nobody holds them;
* temporary folders (``.<key>-...``: a run or an install interrupted by a crash) whose key's
  lock nobody holds.

``older_than`` (seconds) keeps unused entries younger than that (another branch's results);
``max_unused_bytes`` keeps the youngest unused entries up to that size; given both, an unused
entry is kept when it is young enough and fits. ``python -m engine prune`` removes every
unused entry (``--dry-run`` lists them); a build and ``python -m engine run`` call
:func:`auto`, which removes unused entries older than :data:`AUTO_DAYS` days or beyond
:data:`AUTO_UNUSED_MB` MB, the youngest kept first (``COURSE_PRUNE=off`` keeps them).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine.core import executor
from engine.core.project import Project, SnippetError

log = logging.getLogger("mkdocs.course.prune")

KEY = re.compile(r"[0-9a-f]{32}")
LOCK = re.compile(r"\.([0-9a-f]{32})\.lock")
TEMPORARY = re.compile(r"\.([0-9a-f]{32})-.+")
DEVICES = ("cpu", "cuda")
AUTO_DAYS = float(os.environ.get("COURSE_PRUNE_DAYS", 14))
AUTO_UNUSED_MB = float(os.environ.get("COURSE_PRUNE_UNUSED_MB", 200))


@dataclass
class Report:
    entries: list[Path] = field(default_factory=list)  # removed (or, dry run, to remove)
    locks: list[Path] = field(default_factory=list)
    temporary: list[Path] = field(default_factory=list)
    kept_unused: list[Path] = field(default_factory=list)  # unused, but young or within the size
    freed: int = 0  # bytes

    def summary(self, dry_run: bool = False) -> str:
        verb = "would remove" if dry_run else "removed"
        return (f"{verb} {len(self.entries)} unused entries ({self.freed / 1e6:.1f} MB), "
                f"{len(self.locks)} lock files, {len(self.temporary)} temporary folders; "
                f"kept {len(self.kept_unused)} unused entries (young or within the size limit)")


def used_keys(project: Project) -> set[str]:
    """The keys of every snippet file of the tree, for every device kind."""
    found = set()
    for snippet in project.all_snippets():
        for device in DEVICES:
            try:
                found.add(executor.cache_key(snippet, device, project))
            except (SnippetError, OSError) as exc:  # e.g. a file that does not parse: nothing to keep
                log.info("prune: %s has no key (%s)", snippet, exc)
    return found


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _unlocked(cache: Path, key: str, dry_run: bool = False):
    """The key's lock file, opened and locked by us, or None when someone holds it."""
    lock = cache / f".{key}.lock"
    if dry_run and not lock.exists():
        return contextlib.nullcontext()  # nobody holds it; a dry run creates nothing
    try:
        handle = open(lock, "a")
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def prune(project: Project, older_than: float | None = None, max_unused_bytes: int | None = None,
          dry_run: bool = False, keep: set[str] | None = None, now: float | None = None) -> Report:
    """Remove from ``project.cache`` what no snippet uses (see the module docstring)."""
    cache, report = project.cache, Report()
    if not cache.is_dir():
        return report
    keep = used_keys(project) if keep is None else keep
    now = time.time() if now is None else now
    unused = []
    for path in cache.iterdir():
        if path.is_dir() and not path.is_symlink() and KEY.fullmatch(path.name) and path.name not in keep:
            unused.append((path.stat().st_mtime, path))
    unused.sort(reverse=True)  # youngest first
    kept_bytes = 0
    for mtime, path in unused:
        size = _size(path)
        # kept: young enough and within the size (each where given); nothing given: removed
        limits = [now - mtime < older_than] if older_than is not None else []
        limits += [kept_bytes + size <= max_unused_bytes] if max_unused_bytes is not None else []
        if limits and all(limits):
            report.kept_unused.append(path)
            kept_bytes += size
            continue
        handle = _unlocked(cache, path.name, dry_run)
        if handle is None:  # running or being installed right now
            report.kept_unused.append(path)
            continue
        with handle:
            report.entries.append(path)
            report.freed += size
            if not dry_run:
                shutil.rmtree(path)
    for path in sorted(cache.iterdir()):  # first: the check below may leave a lock file behind
        temporary = TEMPORARY.fullmatch(path.name)
        if temporary and path.is_dir() and not path.is_symlink():
            handle = _unlocked(cache, temporary.group(1), dry_run)  # a run or an install holds its key's lock
            if handle is not None:
                with handle:
                    report.temporary.append(path)
                    if not dry_run:
                        shutil.rmtree(path, ignore_errors=True)
    kept_keys = keep | {p.name for p in report.kept_unused}
    for path in sorted(cache.iterdir()):
        lock = LOCK.fullmatch(path.name)
        if lock and lock.group(1) not in kept_keys and not (cache / lock.group(1)).exists():
            handle = _unlocked(cache, lock.group(1), dry_run)
            if handle is not None:
                with handle:
                    report.locks.append(path)
                    if not dry_run:
                        path.unlink()
    return report


def auto(project: Project) -> Report | None:
    """What a build and ``engine run`` do: prune unused entries older than :data:`AUTO_DAYS` days
    or beyond :data:`AUTO_UNUSED_MB` MB; one log line when something was removed."""
    if os.environ.get("COURSE_PRUNE") == "off":
        return None
    report = prune(project, older_than=AUTO_DAYS * 86400, max_unused_bytes=int(AUTO_UNUSED_MB * 1e6))
    if report.entries or report.locks or report.temporary:
        log.info("cache %s: %s (python -m engine prune removes them all; COURSE_PRUNE=off keeps them)",
                 project.cache, report.summary())
    return report
