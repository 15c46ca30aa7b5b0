"""The executing core as a library: what another builder (or the CLI) calls; no MkDocs here.

Every function takes the :class:`engine.core.project.Project` to work on (default: this
repository, with the cache ``COURSE_CACHE_DIR`` names) and, without snippets, every snippet the
pages show, in navigation order.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, TextIO

from engine.core import executor, pages, sharing, times
from engine.core.progress import Progress
from engine.core.project import Project


def selected(snippets: Iterable[str] | None = None, project: Project | None = None) -> list[str]:
    """The given snippets (checked, normalised) or every snippet the pages show."""
    project = project or Project.at()
    names = list(snippets) if snippets else pages.snippets_in_order(project)
    return [project.relative(name) for name in names]


def keys(snippets: Iterable[str] | None = None, project: Project | None = None) -> dict[str, str]:
    project = project or Project.at()
    return {s: executor.cache_key(s, project=project) for s in selected(snippets, project)}


def status(snippets: Iterable[str] | None = None, project: Project | None = None) -> list[dict]:
    project = project or Project.at()
    recorded = times.load(project)
    rows = []
    for snippet, key in keys(snippets, project).items():
        hit = executor.cached(snippet, key, project)
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


def scheduled(missing: list[str], jobs: int, recorded: dict[str, float], on_gpu: bool) -> list[str]:
    """The snippets that run ``jobs`` at a time, in the order they start; the others run one
    after another afterwards. On a GPU all of them, longest first: a training keeps the GPU
    mostly idle, so the long ones overlap with each other and with the light ones. On a CPU the
    light ones only: a training keeps every core busy and runs alone."""
    if jobs <= 1:
        return []
    if on_gpu:
        return sorted(missing, key=lambda s: -times.estimate(s, recorded))  # stable: ties in order
    return [s for s in missing if times.estimate(s, recorded) < HEAVY_SECONDS]


def run_all(
    snippets: Iterable[str] | None = None,
    fetch_from: str | None = None,
    stream: TextIO | None = None,
    tty: bool | None = None,
    timeout: float | None = None,
    keep_going: bool = False,
    jobs: int = 1,
    project: Project | None = None,
    recorded: dict[str, float] | None = None,
) -> dict[str, executor.Result]:
    """Fetch (when ``fetch_from`` is given), then run every snippet not cached, in order
    (with ``jobs`` > 1: the light ones ``jobs`` at a time, then the heavy ones in order; on a
    GPU machine every one ``jobs`` at a time, longest first). ``recorded``: run times to order
    by (default: ``snippets/run_times.json``).

    The first failure raises :class:`engine.core.executor.SnippetError`; with ``keep_going`` the
    others still run and one error naming every failed snippet is raised at the end."""
    project = project or Project.at()
    names = selected(snippets, project)
    if fetch_from:
        sharing.fetch_published(fetch_from, names, project=project)
    results = {}
    failures = []
    attempted: set[str] = set()

    def run(snippet: str) -> None:
        attempted.add(snippet)
        try:
            results[snippet] = executor.run(snippet, timeout=timeout, project=project)
        except executor.SnippetError as exc:
            if not keep_going:
                raise
            failures.append(str(exc))

    missing = [s for s in names if executor.cached(s, project=project) is None]
    recorded = times.load(project) if recorded is None else recorded
    pooled = scheduled(missing, jobs, recorded, executor.device_kind() == "cuda")
    with Progress(missing, stream=stream, tty=tty, recorded=recorded):
        if pooled:
            with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="snippet") as pool:
                futures = [pool.submit(run, s) for s in pooled]  # started in this order
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


def export_cached(target: Path, snippets: Iterable[str] | None = None, project: Project | None = None) -> dict:
    """Export the cached results of ``snippets`` (default: all the pages show) to ``target``.
    Snippets without a cached result are left out (see :func:`status`)."""
    project = project or Project.at()
    chosen = [key for snippet, key in keys(snippets, project).items()
              if executor.cached(snippet, key, project) is not None]
    return sharing.export(chosen, target, project.cache)


# --- what a build shows ---------------------------------------------------------------------


class SnippetNotCached(executor.SnippetError):
    """A cache-only build met a snippet without a result."""


def cache_only() -> bool:
    return os.environ.get("COURSE_EXECUTE") == "cache-only"


def find_result(snippet: str, prefer_gpu: bool, project: Project | None = None) -> executor.Result | None:
    """The snippet's valid cached result, or None. With ``prefer_gpu`` (a CUDA page's snippet)
    on a machine without one, the GPU runner's result (its key for ``cuda``) comes first."""
    project = project or Project.at()
    devices = ["cuda", None] if prefer_gpu and executor.device_kind() != "cuda" else [None]
    for device in devices:
        key = executor.cache_key(snippet, device, project)
        found = executor.load(project.cache / key, snippet, key)
        if found is not None:
            return found
    return None


def result(snippet: str, prefer_gpu: bool = False, project: Project | None = None) -> executor.Result:
    """What a build shows for ``snippet``: a cached result (a GPU one first for CUDA pages), or
    a fresh run; under ``COURSE_EXECUTE=cache-only`` a missing result is an error."""
    project = project or Project.at()
    snippet = project.relative(snippet)
    if prefer_gpu or cache_only():
        found = find_result(snippet, prefer_gpu, project)
        if found is not None:
            executor.log.info("snippet %s: cached (ran %.1f s on %s)", snippet, found.seconds, found.device)
            return found
    if cache_only():
        raise SnippetNotCached(
            f"{snippet}: no result in {project.cache} (key {executor.cache_key(snippet, project=project)}), "
            "and COURSE_EXECUTE=cache-only forbids running it. Run its shard and merge the results "
            "(python -m engine plan, shard, merge), or build without COURSE_EXECUTE=cache-only."
        )
    return executor.run(snippet, project=project)
