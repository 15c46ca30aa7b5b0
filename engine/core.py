"""The executing core as a library: what another builder (or the CLI) calls.

No MkDocs here. The functions work on the project :mod:`engine.executor` points at
(``executor.set_project(root)``; the default is this repository) and its cache
(``COURSE_CACHE_DIR``).

* :func:`plan` -> ``[(snippet, key), ...]``: the snippets the pages show, in navigation
  order (or the given ones), with their cache keys.
* :func:`status` -> one dict per snippet: ``snippet``, ``key``, ``cached`` (bool),
  ``seconds`` (recorded run time).
* :func:`run_all` runs what is not cached, in order, with a progress line, after fetching
  what it can from ``fetch_from`` (an export's folder or URL; see :mod:`engine.sharing`),
  and returns ``{snippet: Result}``. The first failure raises
  :class:`engine.executor.SnippetError`. With ``jobs=2`` the light snippets (recorded under
  :data:`HEAVY_SECONDS`) run two at a time first, then the heavy ones one after another.
* :func:`export_cached` writes the cached results of the given snippets as an export;
  :func:`engine.sharing.import_results` reads one back (checksums verified).
* :func:`keys` -> ``{snippet: key}``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, TextIO

from . import executor, pages, sharing, times
from .progress import Progress


def selected(snippets: Iterable[str] | None = None) -> list[str]:
    """The given snippets (checked, normalised) or every snippet the pages show."""
    names = list(snippets) if snippets else pages.snippets_in_order()
    return [executor.relative(name) for name in names]


def keys(snippets: Iterable[str] | None = None) -> dict[str, str]:
    return {s: executor.cache_key(s) for s in selected(snippets)}


def plan(snippets: Iterable[str] | None = None) -> list[tuple[str, str]]:
    return list(keys(snippets).items())


def status(snippets: Iterable[str] | None = None) -> list[dict]:
    recorded = times.load()
    rows = []
    for snippet, key in plan(snippets):
        hit = executor.cached(snippet, key)
        rows.append({
            "snippet": snippet,
            "key": key,
            "cached": hit is not None,
            "seconds": hit.seconds if hit else recorded.get(snippet),
        })
    return rows


# A snippet recorded at this many seconds or more trains a model and keeps every core busy
# (PyTorch's intra-op threads): it runs alone. Lighter ones spend their time starting Python
# and importing PyTorch on one core, so two of them share a 2-core machine well.
HEAVY_SECONDS = 60.0


def run_all(
    snippets: Iterable[str] | None = None,
    fetch_from: str | None = None,
    stream: TextIO | None = None,
    tty: bool | None = None,
    timeout: float | None = None,
    keep_going: bool = False,
    jobs: int = 1,
) -> dict[str, executor.Result]:
    """Fetch (when ``fetch_from`` is given), then run every snippet not cached, in order
    (with ``jobs`` > 1: the light ones ``jobs`` at a time, then the heavy ones in order).

    The first failure raises :class:`engine.executor.SnippetError`; with ``keep_going`` the
    others still run and one error naming every failed snippet is raised at the end."""
    names = selected(snippets)
    if fetch_from:
        sharing.fetch_published(fetch_from, names)
    results = {}
    failures = []
    attempted: set[str] = set()

    def run(snippet: str) -> None:
        attempted.add(snippet)
        try:
            results[snippet] = executor.run(snippet, timeout=timeout)
        except executor.SnippetError as exc:
            if not keep_going:
                raise
            failures.append(str(exc))

    missing = [s for s in names if executor.cached(s) is None]
    recorded = times.load()
    light = [s for s in missing if times.estimate(s, recorded) < HEAVY_SECONDS] if jobs > 1 else []
    with Progress(missing, stream=stream, tty=tty, recorded=recorded):
        if light:
            with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="snippet") as pool:
                futures = [pool.submit(run, s) for s in light]
                try:
                    for future in futures:
                        future.result()  # the first failure (without keep_going) stops the run
                except BaseException:
                    executor.stop_all()  # e.g. Ctrl+C: the other running snippet stops too
                    pool.shutdown(cancel_futures=True)
                    raise
        for snippet in names:
            if snippet not in attempted:
                run(snippet)  # cached ones return at once
    results = {s: results[s] for s in names if s in results}  # navigation order
    if failures:
        raise executor.SnippetError(f"{len(failures)} snippets failed:\n\n" + "\n\n".join(failures))
    return results


def export_cached(target: Path, snippets: Iterable[str] | None = None) -> dict:
    """Export the cached results of ``snippets`` (default: all the pages show) to ``target``.
    Snippets without a cached result are left out (see :func:`status`)."""
    chosen = [key for snippet, key in plan(snippets) if executor.cached(snippet, key) is not None]
    return sharing.export(chosen, target)
