"""Build benchmark: ``python -m engine.bench`` (``make bench``).

Measures, in a temporary copy of the project (the working tree is never touched):

* cold build: an empty snippet cache, so every snippet runs. That costs the sum of all snippets'
  run times (about 15 CPU minutes for the whole course), so by default it is *estimated*: a build
  from an empty notebook cache whose snippets come from a copy of the existing cache, plus the
  recorded run time of every snippet it showed. ``--cold`` really runs it (empty cache);
* warm rebuild: the same build again, everything cached;
* under ``mkdocs serve`` (a real serve process, its log watched for the end of each rebuild):
  the rebuild after editing one paragraph of a page, and after editing one snippet (the cheapest
  one, which then runs again);
* a build with execution off (``COURSE_EXECUTE=0``);
* snippet executions per build, total site weight and the heaviest page (its HTML plus the
  images, stylesheets and scripts it loads).
"""

from __future__ import annotations

import argparse
import json
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
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
COPIED = ["docs", "snippets", "engine", "includes", "mkdocs.yml"]
SHOWED = re.compile(r"course: (\w+) build showed (\d+) snippets: (\d+) run, (\d+) from cache")
RAN = re.compile(r"snippet (\S+): ran in ([\d.]+) s")
CACHED = re.compile(r"snippet (\S+): cached \(ran ([\d.]+) s")


def workspace(cache: Path | None) -> Path:
    """A copy of the project in a temporary folder, with a copy of ``cache`` (or none)."""
    work = Path(tempfile.mkdtemp(prefix="course-bench-"))
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    if (ROOT / "data").is_dir():
        (work / "data").symlink_to(ROOT / "data")  # datasets are read, never rewritten
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
    """``mkdocs serve`` in ``work``; :meth:`rebuild` times the rebuild after a change."""

    def __init__(self, work: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{port}"],
            cwd=work, env=environment(work), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(r"Serving on", 0, timeout=1800)

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

    def rebuild(self, change) -> dict:
        """Apply ``change()`` and time until the served site has been rebuilt."""
        with self.cond:
            start_line = len(self.lines)
        start = time.perf_counter()
        change()
        self.wait_for(r"Detected file changes", start_line, timeout=120)
        end_line = self.wait_for(r"Documentation built in|Reloading browsers|Serving on", start_line, timeout=1800)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, **executions("".join(self.lines[start_line:end_line]))}

    def close(self):
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
        shown.update(re.findall(r"^::: snippet (\S+)\s*$", md.read_text(encoding="utf-8"), re.M))
    best = None
    for record in (work / ".cache" / "snippets").glob("*/record.json"):
        data = json.loads(record.read_text())
        if data["snippet"] in shown and (best is None or data["seconds"] < best[0]):
            best = (data["seconds"], data["snippet"])
    if best is None:
        raise SystemExit("no cached snippet to edit")
    return work / best[1]


# --- page weight ------------------------------------------------------------------------------


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("img", "script", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or ""):
            self.urls.append(attrs["href"])


def page_weights(site: Path) -> list[tuple[int, int, str]]:
    """(weight with resources, HTML bytes, page) for every page."""
    weights = []
    for page in site.rglob("*.html"):
        parser = _Resources()
        html = page.read_text(encoding="utf-8")
        parser.feed(html)
        total = len(html.encode())
        seen = set()
        base = "/" + page.relative_to(site).as_posix()
        for url in parser.urls:
            parts = urlsplit(urljoin(base, url))
            if parts.scheme or parts.netloc:
                continue
            target = site / unquote(parts.path).lstrip("/")
            if target.is_file() and target not in seen:
                seen.add(target)
                total += target.stat().st_size
        weights.append((total, len(html.encode()), page.relative_to(site).as_posix()))
    return sorted(weights, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", action="store_true", help="really build with an empty cache (runs every snippet)")
    default_cache = Path(os.environ.get("COURSE_CACHE_DIR", ROOT / ".cache/snippets"))
    parser.add_argument("--cache", type=Path, default=default_cache,
                        help="existing snippet cache to start from (default: the project's)")
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve measurements")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = parser.parse_args(argv)

    rows: list[tuple[str, str, str]] = []
    work = workspace(None if args.cold else args.cache)
    try:
        site = work / "site"
        if args.cold:
            cold = build(work, site)
            rows.append(("cold build (empty cache, every snippet runs)", f"{cold['seconds']:.1f} s",
                         f"{cold['ran']} executions"))
        else:
            first = build(work, site)
            recorded = first["snippet_seconds"]
            if first["ran"]:
                note = f"{first['ran']} snippets were not cached and ran"
            else:
                note = "snippets from the cache"
            rows.append(("build from a copied cache, empty notebook cache", f"{first['seconds']:.1f} s", note))
            rows.append(("cold build, estimated", f"{first['seconds'] + recorded:.1f} s",
                         f"the above + {recorded:.1f} s recorded run time of its {first['distinct']} snippets "
                         "(--cold measures it)"))
        warm = build(work, site)
        rows.append(("warm rebuild (nothing changed)", f"{warm['seconds']:.1f} s",
                     f"{warm['ran']} executions, {warm['distinct']} snippets shown in {warm['shown']} places"))
        off = build(work, work / "site-off", COURSE_EXECUTE="0")
        rows.append(("build with COURSE_EXECUTE=0", f"{off['seconds']:.1f} s", f"{off['ran']} executions"))
        if not args.no_serve:
            serve = Serve(work)
            try:
                paragraph = serve.rebuild(lambda: edit_paragraph(work))
                rows.append(("mkdocs serve: rebuild after editing one paragraph", f"{paragraph['seconds']:.1f} s",
                             f"{paragraph['ran']} executions"))
                snippet = cheapest_snippet(work)

                def edit_snippet():
                    with snippet.open("a", encoding="utf-8") as f:
                        f.write("# edited by the build benchmark\n")

                edited = serve.rebuild(edit_snippet)
                rows.append(("mkdocs serve: rebuild after editing one snippet", f"{edited['seconds']:.1f} s",
                             f"{edited['ran']} executions ({snippet.relative_to(work).as_posix()})"))
            finally:
                serve.close()
        weights = page_weights(site)
        total_site = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        html_total = sum(w[1] for w in weights)
        heaviest = weights[0]
        rows.append(("pages", str(len(weights)),
                     f"HTML {html_total / 1e6:.2f} MB, whole site {total_site / 1e6:.1f} MB"))
        rows.append(("heaviest page (HTML + images, CSS, JS it loads)", f"{heaviest[0] / 1e6:.2f} MB",
                     f"{heaviest[2]} (HTML {heaviest[1] / 1e3:.0f} kB)"))
        largest_html = max(weights, key=lambda w: w[1])
        rows.append(("largest HTML", f"{largest_html[1] / 1e3:.0f} kB", largest_html[2]))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    width = max(len(r[0]) for r in rows)
    print(f"build benchmark ({os.cpu_count()} CPUs, {'real cold build' if args.cold else 'cold build estimated'})")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>9}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
