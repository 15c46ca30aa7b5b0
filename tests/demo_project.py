"""A small MkDocs project that uses the real engine hooks, for the serve and sharing tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

ENGINE_HOME = Path(__file__).resolve().parent.parent
HOOKS = ("site/mkdocs_hooks.py", "site/rebuild_hooks.py")  # the site's, without search, reader and i18n

CONFIG = """\
site_name: Demo
site_url: {site_url}
docs_dir: docs
theme:
  name: material
  language: en  # the search index without Chinese segmentation: faster builds
  font: false
watch:
  - snippets
hooks:
  - {hooks}
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.superfences
"""


def make(root: Path, snippets: dict[str, str], site_url: str = "http://127.0.0.1:9/never-published/",
         pages: dict[str, str] | None = None) -> Path:
    """Write a project whose home page shows ``snippets`` (name -> code), in that order, and
    ``pages`` (file name -> Markdown) beside it."""
    (root / "snippets" / "demo").mkdir(parents=True)
    (root / "docs").mkdir()
    for name, code in snippets.items():
        (root / "snippets" / "demo" / name).write_text(textwrap.dedent(code))
    page = "# 演示\n\n一段说明文字。\n\n" + "\n\n".join(f"::: snippet snippets/demo/{n}" for n in snippets) + "\n"
    (root / "docs" / "index.md").write_text(page)
    for name, text in (pages or {}).items():
        (root / "docs" / name).write_text(textwrap.dedent(text))
    hooks = "\n  - ".join(str(ENGINE_HOME / "engine" / name) for name in HOOKS)
    (root / "mkdocs.yml").write_text(CONFIG.format(site_url=site_url, hooks=hooks))
    return root


def environment(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    env.update(NO_MKDOCS_2_WARNING="1", COURSE_CACHE_DIR=str(root / ".cache" / "snippets"), **extra)
    return env


def build(root: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root, env=environment(root, **extra), capture_output=True, text=True, timeout=300,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """``mkdocs serve`` on the project; its log is collected in ``lines``. ``dirty`` (the
    default) serves as ``make serve`` does."""

    def __init__(self, root: Path, dirty: bool = True, **extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{self.port}"]
            + (["--dirty"] if dirty else []),
            cwd=root, env=environment(root, **extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, pattern: str, timeout: float = 60, count: int = 1) -> str:
        """Wait until ``count`` log lines match ``pattern``; return the last of them."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [line for line in self.lines if re.search(pattern, line)]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(f"mkdocs serve: no {pattern!r}\n" + "".join(self.lines[-40:]))
                self.cond.wait(left)

    def ready(self, timeout: float = 90) -> str:
        """Wait for "Serving on URL"; return the URL (the site's path under ``site_url``
        included: anything else is a redirect, logged as a warning that fails a strict rebuild)."""
        line = self.wait_for(r"Serving on", timeout)
        self.url = line.split("Serving on", 1)[1].strip()
        return self.url

    def log(self) -> str:
        with self.cond:
            return "".join(self.lines)

    def close(self):
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
