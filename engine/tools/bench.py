"""Build benchmark: ``python -m engine.tools.bench`` (``make bench``).

Measures, in a temporary copy of the project (the working tree is never touched): the cold build
(estimated by default: a build from a copy of the cache plus the recorded run time of every
snippet it showed; ``--cold`` runs it), the warm rebuild, two builds with ``COURSE_EXECUTE=0``,
the rebuilds under ``mkdocs serve --dirty`` after editing a paragraph and a snippet, every page's
weight (:mod:`engine.tools.page_weight`), and ``mkdocs serve`` from a fresh clone (issue 9), with
no published results (``COURSE_RESULTS_URL=off``) and with results from a local export. The goals
and figures: README, "Build benchmark". Set-up time (``make setup``) is in no figure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from engine.core import pages, times
from engine.core.project import Project
from engine.core.static_site import StaticServer
from engine.tools import page_weight

COPIED = ["docs", "snippets", "engine", "includes", "mkdocs.yml"]
SHOWED = re.compile(r"course: (\w+) build showed (\d+) snippets: (\d+) run, (\d+) from cache")
RAN = re.compile(r"snippet (\S+): ran in ([\d.]+) s")
CACHED = re.compile(r"snippet (\S+): cached \(ran ([\d.]+) s")


def workspace(project: Project, cache: Path | None) -> Path:
    """A copy of ``project`` in a temporary folder, with a copy of ``cache`` (or none)."""
    work = Path(tempfile.mkdtemp(prefix="course-bench-"))
    for name in COPIED:
        source = project.root / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    if (project.root / "data").is_dir():
        (work / "data").symlink_to(project.root / "data")  # datasets are read, never rewritten
    (work / ".cache").mkdir()
    if cache is not None and cache.is_dir():
        shutil.copytree(cache, work / ".cache" / "snippets", ignore=shutil.ignore_patterns(".*"))
    return work


def environment(work: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", COURSE_CACHE_DIR=str(work / ".cache" / "snippets"))
    env.pop("COURSE_EXECUTE", None)
    env.update(extra)
    return env


def build(work: Path, site: Path, **extra: str) -> dict:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=work, env=environment(work, **extra), capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed in {work}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    log = proc.stdout + proc.stderr
    return {"seconds": seconds, **executions(log)}


def executions(log: str) -> dict:
    """Snippets shown (summed over the language builds), snippets executed, and the recorded
    run time of every distinct snippet the build used (cached or run)."""
    shown = sum(int(n) for _, n, _, _ in SHOWED.findall(log))
    ran = RAN.findall(log)
    seconds = dict(CACHED.findall(log)) | dict(ran)
    return {"shown": shown, "ran": len(ran), "snippet_seconds": sum(map(float, seconds.values())),
            "distinct": len(seconds)}


class Serve:
    """``mkdocs serve --dirty`` (as ``make serve``) in ``work``; :meth:`rebuild` times the
    rebuild after a change."""

    def __init__(self, work: Path, **extra: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--strict", "--dirty", "-a", f"127.0.0.1:{port}"],
            cwd=work, env=environment(work, **extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        at = self.wait_for(r"Serving on", 0, timeout=1800)
        self.serving_after = time.perf_counter() - self.started
        self.url = self.lines[at - 1].split("Serving on", 1)[1].strip()

    def log(self) -> str:
        with self.cond:
            return "".join(self.lines)

    def _read(self):
        for line in self.process.stdout:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, pattern: str, start: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if re.search(pattern, self.lines[i]):
                        return i + 1
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise SystemExit("mkdocs serve: no " + pattern + "\n" + "".join(self.lines[-40:]))
                self.cond.wait(left)

    def rebuild(self, change, results: bool = False) -> dict:
        """Apply ``change()`` and time until the served site has been rebuilt; with ``results``,
        until the rebuild that follows the snippets it queued (streaming serve)."""
        with self.cond:
            start_line = len(self.lines)
        start = time.perf_counter()
        change()
        detected = self.wait_for(r"Detected file changes", start_line, timeout=120)
        # from the detection on: the previous rebuild's last lines may come after start_line
        end_line = self.wait_for(r"Reloading browsers", detected, timeout=1800)
        if results:  # an edited snippet always runs again, in the background
            # a quick snippet can finish while the rebuild that queued it still runs
            queue_done = self.wait_for(r"rebuilding the pages with every result", detected, timeout=1800)
            end_line = self.wait_for(r"Reloading browsers", max(queue_done, end_line), timeout=1800)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, **executions("".join(self.lines[start_line:end_line]))}

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def edit_paragraph(work: Path) -> Path:
    """Change one word of the first paragraph of the Chinese home page (in the copy)."""
    page = work / "docs" / "zh" / "index.md"
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith(("#", "-", "!", ":", "|")))
    lines[at] = lines[at].rstrip("\n") + "（基准测试）\n"
    page.write_text("".join(lines), encoding="utf-8")
    return page


def cheapest_snippet(work: Path) -> Path:
    """The shown snippet with the shortest recorded run time."""
    shown = set()
    for md in (work / "docs").rglob("*.md"):
        shown.update(pages.directive_paths(md.read_text(encoding="utf-8")))
    cached = [(seconds, s) for s, seconds, _ in times.records(work / ".cache" / "snippets") if s in shown]
    if not cached:
        raise SystemExit("no cached snippet to edit")
    return work / min(cached, key=lambda c: c[0])[1]


# --- a fresh clone under mkdocs serve (issue 9) ----------------------------------------------


def lecture_urls(work: Path) -> list[str]:
    """Site paths of the home page and every lecture page, in both languages."""
    urls = []
    for lang, prefix in (("zh", ""), ("en", "en/")):
        urls.append(prefix)
        urls += [f"{prefix}{p.stem}/" for p in sorted((work / "docs" / lang).glob("lecture*.md"))]
    return urls


def answer_all(base: str, paths: list[str], timeout: float = 600) -> tuple[float, int]:
    """Fetch every page until each answers with its title; (time taken, placeholders seen)."""
    import urllib.request

    start = time.perf_counter()
    placeholders = 0
    for path in paths:
        while True:
            try:
                html = urllib.request.urlopen(base + path, timeout=60).read().decode()
                if "<h1" in html:
                    placeholders += html.count("data-snippet-pending")
                    break
            except OSError:
                pass
            if time.perf_counter() - start > timeout:
                raise SystemExit(f"mkdocs serve: {base + path} did not answer")
            time.sleep(0.2)
    return time.perf_counter() - start, placeholders


class ExportServer(StaticServer):
    """An export of ``cache`` served over HTTP on 127.0.0.1 (what the published site serves)."""

    def __init__(self, cache: Path, work: Path):
        from engine.core import sharing

        folder = work / "published-results"
        keys = [p.name for p in cache.iterdir() if (p / "record.json").is_file()]
        self.entries = len(sharing.export(keys, folder, cache)["entries"])
        super().__init__(folder)


def fresh_clone_serve(project: Project, cold: bool) -> list[tuple[str, str, str]]:
    rows = []
    work = workspace(project, None)
    try:
        with Serve(work, COURSE_RESULTS_URL="off") as serve:
            pages_after, placeholders = answer_all(serve.url, lecture_urls(work))
            rows.append(("serve, empty cache, no published results: home + every lecture page",
                         f"{serve.serving_after + pages_after:.1f} s",
                         f"first page at {serve.serving_after:.1f} s; {len(lecture_urls(work))} pages, "
                         f"{placeholders} placeholders (snippets run in the background)"))
            if cold:
                serve.wait_for(r"snippets done", 0, timeout=7200)
                last = time.perf_counter() - serve.started
                ran = sum(float(t) for _, t in RAN.findall(serve.log()))
                rows.append(("serve, empty cache: last result in the page", f"{last:.1f} s",
                             f"{last / ran:.2f}x the {ran:.1f} s the snippets took one after another"))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    work = workspace(project, None)
    try:
        with ExportServer(project.cache, work) as exported, Serve(work, COURSE_RESULTS_URL=exported.url) as serve:
            pages_after, placeholders = answer_all(serve.url, lecture_urls(work))
            ran = len(re.findall(r"snippet \S+: running", serve.log()))
            rows.append(("serve, empty cache, results from a local export: whole site",
                         f"{serve.serving_after + pages_after:.1f} s",
                         f"{exported.entries} results exported, {ran} executions, {placeholders} placeholders"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", action="store_true", help="really build with an empty cache (runs every snippet)")
    parser.add_argument("--cache", type=Path, default=Project.at().cache,
                        help="existing snippet cache to start from (default: the project's)")
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve measurements")
    parser.add_argument("--only-fresh-clone", action="store_true",
                        help="only the fresh-clone mkdocs serve measurements (issue 9)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = parser.parse_args(argv)
    project = Project.at(cache=args.cache)

    rows: list[tuple[str, str, str]] = []
    pages: list = []
    if not args.no_serve:
        rows += fresh_clone_serve(project, args.cold)
    if args.only_fresh_clone:
        report(rows, args.cold)
        return 0
    work = workspace(project, None if args.cold else project.cache)
    try:
        site = work / "site"
        if args.cold:
            cold = build(work, site)
            rows.append(("cold build (empty cache, every snippet runs)", f"{cold['seconds']:.1f} s",
                         f"{cold['ran']} executions"))
        else:
            first = build(work, site)
            recorded = first["snippet_seconds"]
            note = f"{first['ran']} snippets were not cached and ran" if first["ran"] else "snippets from the cache"
            rows.append(("build from a copied cache, empty notebook cache", f"{first['seconds']:.1f} s", note))
            rows.append(("cold build, estimated", f"{first['seconds'] + recorded:.1f} s",
                         f"the above + {recorded:.1f} s recorded run time of its {first['distinct']} snippets "
                         "(--cold measures it)"))
        warm = build(work, site)
        rows.append(("warm rebuild (nothing changed)", f"{warm['seconds']:.1f} s",
                     f"{warm['ran']} executions, {warm['distinct']} snippets shown in {warm['shown']} places"))
        # execution off: its notebook pages have no outputs, so the first such build renders them
        # (a cache of their own); the second is the warm figure
        off = build(work, work / "site-off", COURSE_EXECUTE="0")
        rows.append(("build with COURSE_EXECUTE=0, first", f"{off['seconds']:.1f} s",
                     f"{off['ran']} executions; renders the output-less notebook pages"))
        off = build(work, work / "site-off", COURSE_EXECUTE="0")
        rows.append(("build with COURSE_EXECUTE=0, again (nothing changed)", f"{off['seconds']:.1f} s",
                     f"{off['ran']} executions"))
        if not args.no_serve:
            with Serve(work) as serve:
                paragraph = serve.rebuild(lambda: edit_paragraph(work))
                rows.append(("mkdocs serve: rebuild after editing one paragraph", f"{paragraph['seconds']:.1f} s",
                             f"{paragraph['ran']} executions"))
                snippet = cheapest_snippet(work)

                def edit_snippet():
                    with snippet.open("a", encoding="utf-8") as f:
                        f.write("# edited by the build benchmark\n")

                edited = serve.rebuild(edit_snippet, results=True)
                rows.append(("mkdocs serve: editing one snippet, until its result is in the pages",
                             f"{edited['seconds']:.1f} s",
                             f"{edited['ran']} executions ({snippet.relative_to(work).as_posix()})"))
        pages = page_weight.measure(site)  # every page as a first visit transfers it (gzip)
        total_site = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        html_total = sum(p.stat().st_size for p in site.rglob("*.html"))
        rows.append(("pages", str(len(pages)), f"HTML {html_total / 1e6:.2f} MB, whole site {total_site / 1e6:.1f} MB"))
        over = sum(w.transferred > page_weight.BUDGET for w in pages)
        rows.append(("heaviest page, transferred before any interaction", f"{pages[0].transferred / 1e3:.0f} kB",
                     f"{pages[0].page or '/'}; {over} pages over the {page_weight.BUDGET / 1e3:.0f} kB budget"))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    report(rows, args.cold)
    if pages:
        print("\nevery page's weight (engine/tools/page_weight.py: gzip as GitHub Pages serves it):")
        print(page_weight.report(pages))
    return 0


def report(rows: list[tuple[str, str, str]], cold: bool) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"build benchmark ({os.cpu_count()} CPUs, {'real cold build' if cold else 'cold build estimated'})")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>9}  {note}")


if __name__ == "__main__":
    raise SystemExit(main())
