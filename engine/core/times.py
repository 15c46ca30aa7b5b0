"""Recorded run times: ``snippets/run_times.json`` (snippet path -> seconds).

Committed, so the progress line's estimate and the shard planner know how long each snippet
takes before anything runs. ``python -m engine times --update`` rewrites it from the run
records in the cache (``record.json``: ``seconds``), whatever their key.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.core.project import Project

DEFAULT_SECONDS = 10.0  # a snippet with no recorded time yet


def load(project: Project | None = None) -> dict[str, float]:
    file = (project or Project.at()).run_times
    return json.loads(file.read_text()) if file.is_file() else {}


def estimate(snippet: str, recorded: dict[str, float]) -> float:
    return recorded.get(snippet, DEFAULT_SECONDS)


def records(cache: Path) -> list[tuple[str, float, str]]:
    """(snippet, seconds, device) of every readable run record in ``cache``, oldest first (a
    later record of a snippet is newer code or libraries: it wins)."""
    found = []
    for record_file in cache.glob("*/record.json"):
        try:
            record = json.loads(record_file.read_text())
            found.append((record_file.stat().st_mtime, record["snippet"], float(record["seconds"]),
                          str(record["device"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged entry records nothing
    return [item[1:] for item in sorted(found, key=lambda item: item[0])]


def update(project: Project | None = None) -> dict[str, float]:
    """Merge the cache's records (the newest of each snippet wins) into ``run_times.json``
    (existing snippets only); return it."""
    project = project or Project.at()
    times = load(project) | {snippet: seconds for snippet, seconds, _ in records(project.cache)}
    times = {s: round(t, 2) for s, t in sorted(times.items()) if (project.root / s).is_file()}
    project.run_times.write_text(json.dumps(times, indent=1) + "\n")
    return times
