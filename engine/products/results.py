"""The results page: each lecture's headline result, read from this build's own runs.

``docs/{zh,en}/results.md`` hold the line ``::: course-results``; at build time it becomes a
table with, for each entry of ``includes/headlines.yml`` (:func:`load`), the value the snippet computed in this build
(its cached :class:`engine.core.executor.Result`: ``values.json``), the value the course reported,
the device the snippet ran on and its run time (``record.json``).

Nothing is typed by hand except ``includes/headlines.yml``: which snippet, which top-level
value, and what the course reported. An entry whose snippet or value does not exist fails the build
with a message naming it (:class:`ResultsError`).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Callable

from engine.core import pages
from engine.core.executor import Result, shown_safely
from engine.core.project import Project


class ResultsError(LookupError):
    """A mapped snippet or value does not exist."""


@dataclass(frozen=True)
class Headline:
    lecture: int
    snippet: str  # path relative to the repository root
    value: tuple  # keys into the snippet's top-level values, e.g. ("final_costs", "0.05")
    zh: str  # what the value is, in each language
    en: str
    # what the course reported: a number, a (low, high) range, a string, or None (nothing comparable);
    # the lecture page's "course" table states the same (tests/test_results.py)
    reported: float | str | tuple | None = None
    percent: bool = False  # a fraction shown as a percentage
    about: bool = False  # the course gives the value only roughly ("about 97%")


LABELS = {
    "zh": {
        "header": "| 讲 | 结果（代码） | 本次构建 | 课程报告 | 设备 | 运行时间 |\n|---|---|---|---|---|---|",
        "lecture": "第 {n} 讲",
        "seconds": "{s:.1f} 秒",
        "not_run": "未运行",
        "none": "—",
        "about": "约 {}",
        "range": "{}～{}",  # 83%～84%
    },
    "en": {
        "header": (
            "| Lecture | Result (code) | This build | Course | Device | Run time |\n"
            "|---|---|---|---|---|---|"
        ),
        "lecture": "Lecture {n}",
        "seconds": "{s:.1f} s",
        "not_run": "not run",
        "none": "—",
        "about": "about {}",
        "range": "{}–{}",  # 83%–84%
    },
}


def lookup(values: dict, path: tuple, where: str):
    """``values[path[0]][path[1]]...``; a missing key raises :class:`ResultsError`."""
    current = values
    for key in path:
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            known = ", ".join(sorted(values)) if isinstance(values, dict) else "-"
            raise ResultsError(
                f"{where}: no value {'.'.join(map(str, path))} (top-level values: {known})"
            ) from None
    return current


def fmt(value, percent: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if percent:
        return f"{100 * value:.2f}%"
    if isinstance(value, int):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.4e}"
    return f"{value:.10g}" if math.isfinite(value) else str(value)


def reported_text(h: Headline, lang: str) -> str:
    """What the course reported, worded as the lecture pages word it in ``lang``."""
    labels = LABELS[lang]
    if h.reported is None:
        return labels["none"]

    def one(value) -> str:
        if h.percent and isinstance(value, float):
            return f"{round(100 * value, 2):g}%"  # as the course wrote it: 97%, 98.69%
        return fmt(value, h.percent)

    if isinstance(h.reported, tuple):
        text = labels["range"].format(*map(one, h.reported))
    else:
        text = one(h.reported)
    return labels["about"].format(text) if h.about else text


def as_text(value) -> str:
    """A value from a run as Markdown table-cell text: its HTML, Markdown and ``--8<--``
    syntax escaped, so the page shows it as it is; line breaks and control characters are
    shown as escapes (``\\n``, ``\\u2028``): a table cell is one line."""
    text = shown_safely(str(value)).replace("\n", "\\n")
    text = re.sub(r"([\\`*_{}\[\]()#+\-.!|])", r"\\\1", text)
    return html.escape(text, quote=False)


def load(project: Project | None = None) -> list[Headline]:
    """The results page's entries, from ``includes/headlines.yml`` (:func:`engine.core.pages.headlines`)."""
    project = project or Project.at()
    entries = pages.headlines(project)
    if not entries:
        raise ResultsError(f"results mapping: no entries in {project.includes / 'headlines.yml'}")
    def tuples(entry: dict) -> dict:  # YAML lists: the value's path and a reported range
        reported = entry.get("reported")
        return {**entry, "value": tuple(entry["value"]),
                "reported": tuple(reported) if isinstance(reported, list) else reported}

    try:
        return [Headline(**tuples(e)) for e in entries]
    except (TypeError, KeyError) as exc:
        raise ResultsError(f"results mapping: includes/headlines.yml: {exc}") from None


def check(headlines: list[Headline] | None = None, project: Project | None = None) -> None:
    """Every mapped snippet exists (before anything runs)."""
    root = (project or Project.at()).root
    for h in load(project) if headlines is None else headlines:
        if not (root / h.snippet).is_file():  # the project being built
            raise ResultsError(f"results mapping, lecture {h.lecture}: no snippet {h.snippet}")


def table(lang: str, run: Callable[[str], Result] | None, headlines: list[Headline] | None = None,
          project: Project | None = None) -> str:
    labels = LABELS[lang]
    lines = [labels["header"]]
    headlines = load(project) if headlines is None else headlines
    check(headlines, project)
    for h in headlines:
        result = run(h.snippet) if run is not None else None
        if result is None:
            shown, device, seconds = labels["not_run"], labels["none"], labels["none"]
        else:
            shown = as_text(fmt(lookup(result.values, h.value, h.snippet), h.percent))
            device, seconds = as_text(result.device), labels["seconds"].format(s=result.seconds)
        reported = reported_text(h, lang)
        label = h.zh if lang == "zh" else h.en
        lecture = labels["lecture"].format(n=h.lecture)
        lines.append(f"| {lecture} | {label}<br>{code_path(h.snippet)} | {shown} | {reported} | {device} | {seconds} |")
    return "\n".join(lines)


def code_path(snippet: str) -> str:
    """The snippet's path under its result: folder and file name, each kept on one line."""
    folder, _, name = snippet.removeprefix("snippets/").rpartition("/")
    return f"`{folder}/`&#8203;`{name}`" if folder else f"`{name}`"


def expand(markdown: str, lang: str, run: Callable[[str], Result] | None, project: Project | None = None) -> str:
    """Replace the ``::: course-results`` line by the results table (:class:`ResultsError`
    names a mapped snippet or value that does not exist); reader.css fits it to the column."""

    def render() -> str:
        try:
            return table(lang, run, project=project)
        except ResultsError as exc:
            raise ResultsError(f"results page: {exc}") from None

    return pages.expand_block(markdown, "course-results", render)
