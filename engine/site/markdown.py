"""The snippet directive: a ``::: snippet PATH`` line becomes the file's code (a fenced block
titled with its path), then its output, figures and run record; an ordered list right after it
becomes the code's annotations (README, "How a snippet becomes part of a page"). :func:`expand`
serves the MkDocs hook, the Python-Markdown extension and the tests alike, so all see the same
text; which lines are directives is the page model's (:mod:`engine.core.pages`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pymdownx.snippets import SnippetPreprocessor

from engine.core.executor import Result
from engine.core.pages import DIRECTIVE, Directive, find_directives, scan  # noqa: F401 (the page model)
from engine.core.project import Project
MAX_OUTPUT_LINES = 30  # longer output is folded, its tail stays visible
TAIL_LINES = 12

LABELS = {
    "zh": {
        "output": "输出",
        "full_output": "完整输出（{n} 行）",
        "tail": "输出（最后 {n} 行）",
        "figure": "{name} 生成的图 {i}",
        "record": "本页构建时运行：{device} · torch {torch} · Python {python} · {seconds:.1f} 秒",
        "record_fetched": "结果取自 {origin}，在那里运行：{device} · torch {torch} · Python {python} · {seconds:.1f} 秒",
        "folder": "一个结果文件夹",
        "no_output": "（没有输出）",
        "not_run": "构建时未执行代码（COURSE_EXECUTE=0），这里不显示输出。",
        "queued": "这段代码正在排队等待运行（队列第 {n} 位），运行结束后输出会出现在这里。",
        "running": "这段代码正在后台运行，运行结束后输出会出现在这里。",
        "failed": "这段代码运行失败，终端里有完整的错误信息：",
    },
    "en": {
        "output": "Output",
        "full_output": "Full output ({n} lines)",
        "tail": "Output (last {n} lines)",
        "figure": "Figure {i} drawn by {name}",
        "record": "Ran when this page was built: {device} · torch {torch} · Python {python} · {seconds:.1f} s",
        "record_fetched": "Result fetched from {origin}, where it ran: {device} · torch {torch} · Python {python} · "
                          "{seconds:.1f} s",
        "folder": "a results folder",
        "no_output": "(no output)",
        "not_run": "Code was not executed for this build (COURSE_EXECUTE=0); outputs are not shown.",
        "queued": "This code is queued to run (position {n} in the queue); its output appears here when it has run.",
        "running": "This code is running in the background; its output appears here when it has run.",
        "failed": "This code failed; the terminal shows the whole error:",
    },
}


@dataclass
class Pending:
    """A snippet whose result is not there yet (``mkdocs serve`` runs it in the background)."""

    snippet: str
    key: str
    position: int  # 0: running now, n: n-th in the queue


PENDING_CLASS = "snippet-pending"
PENDING_MARK = "data-snippet-pending"  # a build for publishing refuses pages that contain it
STREAM_DIR = "assets/engine"  # where the served site keeps queue.json, fragments and the script


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _code_block(text: str, language: str, title: str, indent: str = "") -> str:
    fence = _fence(text)
    body = text.rstrip("\n")
    lines = [f'{fence}{language} title="{title}"', *body.splitlines(), fence]
    return "\n".join(indent + line if line else line for line in lines)


def render_code(snippet: str, project: Project | None = None) -> str:
    code = ((project or Project.at()).root / snippet).read_text(encoding="utf-8")
    return _code_block(code, "python", snippet)


def shown_as_printed(text: str) -> str:
    """``text`` with every line that pymdownx.snippets would expand or drop (``--8<--``)
    given its ``;`` escape, which that extension removes again: the page shows the line.

    Lines are cut where ``str.splitlines`` cuts (also at ``\\r``, form feed, U+2028, ...) and
    joined with ``\\n``: the code block and the page are split that way later, and Markdown
    turns a lone ``\\r`` into a line break, so pymdownx sees exactly these lines."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "8<" not in line:
            continue
        match = SnippetPreprocessor.RE_ALL_SNIPPETS.match(line) or SnippetPreprocessor.RE_SNIPPET_SECTION.match(line)
        if match:
            at = match.start("escape")
            lines[i] = line[:at] + ";" + line[at:]
    return "\n".join(lines)


def render_result(result: Result, lang: str, site_prefix: str) -> str:
    """Markdown for a result: output, figures, run record (every value from the run escaped)."""
    labels = LABELS[lang]
    name = Path(result.snippet).name
    parts = []
    output = shown_as_printed(result.output.rstrip("\n"))
    lines = output.splitlines()
    if not lines:
        parts.append(f'<p class="snippet-output-empty">{labels["no_output"]}</p>')
    elif len(lines) <= MAX_OUTPUT_LINES:
        parts.append(_code_block(output, "text", labels["output"]))
    else:
        full = labels["full_output"].format(n=len(lines))
        parts.append(f'??? note "{full}"\n\n' + _code_block(output, "text", labels["output"], "    "))
        tail = "\n".join(lines[-TAIL_LINES:])
        parts.append(_code_block(tail, "text", labels["tail"].format(n=TAIL_LINES)))
    for i, figure in enumerate(result.figures, start=1):
        src = html.escape(f"{site_prefix}assets/snippets/{result.key}/{figure.name}", quote=True)
        alt = html.escape(labels["figure"].format(name=name, i=i), quote=True)
        parts.append(f'<figure class="snippet-figure"><img src="{src}" alt="{alt}"></figure>')
    shown = {item: html.escape(str(result.record[item])) for item in ("device", "torch", "python")}
    origin = result.record.get("origin")  # set by an import: not computed here (README, "Security")
    if origin is not None:
        origin = labels["folder"] if origin == "export" else html.escape(origin)
    record = labels["record" if origin is None else "record_fetched"].format(
        **shown, origin=origin, seconds=float(result.record["seconds"]))
    parts.append(f'<p class="snippet-record">{record}</p>')
    return "\n\n".join(parts)


def render_placeholder(pending: Pending, lang: str, site_prefix: str) -> str:
    """HTML that stands for a result until it is there; ``assets/engine/stream.js`` polls
    ``queue.json`` and swaps in the result's fragment (see :mod:`engine.site.stream`)."""
    labels = LABELS[lang]
    state = labels["running"] if pending.position == 0 else labels["queued"].format(n=pending.position)
    attributes = {
        "data-snippet-key": pending.key,
        "data-lang": lang,
        "data-prefix": site_prefix,
        "data-stream": f"{site_prefix}{STREAM_DIR}/",
        "data-label-queued": labels["queued"],
        "data-label-running": labels["running"],
        "data-label-failed": labels["failed"],
    }
    attrs = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attributes.items())
    return (f'<div class="admonition info {PENDING_CLASS}" {PENDING_MARK} role="status" aria-live="polite" '
            f'{attrs}>\n<p class="snippet-pending-state">{state}</p>\n</div>')


def expand(
    markdown: str,
    lang: str,
    run: Callable[[str], Result | Pending] | None,
    site_prefix: str = "",
    project: Project | None = None,
) -> str:
    """Replace every directive by its code and, if ``run`` is given, its results (or, for a
    :class:`Pending` one, a placeholder)."""
    lines = markdown.splitlines()
    out: list[str] = []
    position = 0
    for directive, start, end in scan(lines, project):
        out.extend(lines[position:start])
        block = [render_code(directive.snippet, project)]
        if directive.annotations:
            block.append("\n".join(directive.annotations).rstrip())
        if run is not None:
            result = run(directive.snippet)
            if isinstance(result, Pending):
                block.append(render_placeholder(result, lang, site_prefix))
            else:
                block.append(render_result(result, lang, site_prefix))
        else:
            block.append(f'<p class="snippet-record">{LABELS[lang]["not_run"]}</p>')
        out.extend(("\n\n".join(block) + "\n").splitlines())
        position = end
    out.extend(lines[position:])
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")
