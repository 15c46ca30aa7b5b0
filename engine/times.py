"""Recorded run times: ``snippets/run_times.json`` (snippet path -> seconds).

Committed, so the progress line's estimate and the shard planner know how long each snippet
takes before anything runs. ``python -m engine times --update`` rewrites it from the run
records in the cache (``record.json``: ``seconds``), whatever their key.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import executor

DEFAULT_SECONDS = 10.0  # a snippet with no recorded time yet


def path() -> Path:
    return executor.SNIPPETS_DIR / "run_times.json"


def load() -> dict[str, float]:
    file = path()
    return json.loads(file.read_text()) if file.is_file() else {}


def estimate(snippet: str, recorded: dict[str, float]) -> float:
    return recorded.get(snippet, DEFAULT_SECONDS)


def from_cache(cache: Path | None = None) -> dict[str, float]:
    """Snippet -> seconds from every run record in ``cache`` (the newest record wins)."""
    cache = cache or executor.CACHE_DIR
    found: dict[str, tuple[float, float]] = {}
    for record_file in cache.glob("*/record.json"):
        try:
            record = json.loads(record_file.read_text())
            snippet, seconds = record["snippet"], float(record["seconds"])
        except (OSError, ValueError, KeyError):
            continue
        when = record_file.stat().st_mtime
        if snippet not in found or when > found[snippet][0]:
            found[snippet] = (when, seconds)
    return {snippet: seconds for snippet, (_, seconds) in found.items()}


def update(cache: Path | None = None) -> dict[str, float]:
    """Merge the cache's records into ``run_times.json`` (existing snippets only); return it."""
    times = load() | from_cache(cache)
    times = {s: round(t, 2) for s, t in sorted(times.items()) if (executor.ROOT / s).is_file()}
    path().write_text(json.dumps(times, indent=1) + "\n")
    return times
