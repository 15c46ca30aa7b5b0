"""A progress line for long runs: done/total, the current snippet, time left.

The estimate is the recorded run time (:mod:`engine.core.times`) of every snippet not done yet,
less what the current one has already used, scaled by how fast this machine has been so far
(the run times of the snippets this run executed against their recorded ones). On an
interactive terminal the line is a bar redrawn in place; elsewhere (CI logs, pipes) each event is one plain line::

    [3/66] running snippets/lecture03_gradient_descent/gradient_descent.py, about 14m05s left

:class:`Progress` listens to :data:`engine.core.executor.listeners`, so it counts whatever runs
snippets (the CLI, a build, the tests) while it is attached.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from engine.core import executor, times
from engine.core.project import Project

BAR_WIDTH = 24


def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    """Counts the snippets of a run; ``with Progress(snippets):`` attaches it to the executor."""

    def __init__(self, snippets: list[str], stream: TextIO | None = None, tty: bool | None = None,
                 recorded: dict[str, float] | None = None, project: Project | None = None):
        self.snippets = list(dict.fromkeys(snippets))
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.recorded = times.load(project) if recorded is None else recorded
        self.done: set[str] = set()
        self.running: dict[str, float] = {}  # snippet -> when it started (two with --jobs 2)
        self.actual = 0.0  # seconds the snippets run here took ...
        self.expected = 0.0  # ... and what their recorded times said
        self.lock = threading.Lock()

    @property
    def total(self) -> int:
        return len(self.snippets)

    def speed(self) -> float:
        """This machine's time per recorded second so far (1 before anything ran)."""
        if self.expected <= 0:
            return 1.0
        return min(max(self.actual / self.expected, 0.25), 10.0)

    def left_seconds(self, now: float | None = None) -> float:
        speed = self.speed()
        left = sum(times.estimate(s, self.recorded) for s in self.snippets if s not in self.done) * speed
        for snippet, started in self.running.items():
            used = (now or time.monotonic()) - started
            left -= min(used, times.estimate(snippet, self.recorded) * speed)
        return left

    @property
    def current(self) -> str | None:
        """The snippet started last of those running now."""
        return next(reversed(self.running), None)

    def line(self, now: float | None = None) -> str:
        count = f"{len(self.done)}/{self.total}"
        if self.tty:
            filled = BAR_WIDTH * len(self.done) // max(self.total, 1)
            count = "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "] " + count
        else:
            count = f"[{count}]"
        if len(self.done) >= self.total:
            return f"{count} snippets done"
        doing = f"running {self.current}" if self.current else "checking the cache"
        if len(self.running) > 1:
            doing += f" and {len(self.running) - 1} more"
        return f"{count} {doing}, about {duration(self.left_seconds(now))} left"

    def _show(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + self.line())
            if len(self.done) >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def event(self, event: str, snippet: str, key: str, seconds: float | None) -> None:
        """An :data:`engine.core.executor.listeners` callback."""
        if snippet not in self.snippets:
            return
        with self.lock:
            if event == "running":
                self.running[snippet] = time.monotonic()
                self._show()
            elif snippet not in self.done:
                if event == "ran" and seconds is not None:
                    self.actual += seconds
                    self.expected += times.estimate(snippet, self.recorded)
                self.done.add(snippet)
                self.running.pop(snippet, None)
                if event != "cached" or self.tty:
                    self._show()

    def __enter__(self) -> Progress:
        executor.listeners.append(self.event)
        return self

    def __exit__(self, *exc) -> None:
        executor.listeners.remove(self.event)
        if self.tty and len(self.done) < self.total:
            self.stream.write("\n")
