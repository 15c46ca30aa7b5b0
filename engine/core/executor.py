"""Run a snippet once; cache its result by content (README: "Cache key", "Security").

:func:`run` runs a snippet under :mod:`engine.core._supervisor` (a child subreaper that ends every
process the snippet started), forked from a warm interpreter (:mod:`engine.core.warm`) or, where
that is not possible, in a fresh one, and returns a :class:`Result`: output, figures, top-level
values and run record. A successful run is installed as ``<cache>/<key>/`` (:mod:`engine.core.entries`
verifies an entry before it is shown). A failure, a timeout, an early exit (``sys.exit()``) or more
output than :data:`MAX_OUTPUT_BYTES` raises :class:`SnippetError` and caches nothing.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine.core import data, entries, warm
from engine.core.entries import sha256
from engine.core.project import ENGINE_HOME, Project, SnippetError

ENGINE_VERSION = "3"
# Libraries whose version can change what a snippet prints or draws.
KEYED_PACKAGES = ("torch", "torchvision", "numpy", "matplotlib")
# Inception takes 236-484 s on an idle 2-core machine, over 900 s on a busy one; under pytest-timeout (1800 s)
DEFAULT_TIMEOUT = float(os.environ.get("COURSE_SNIPPET_TIMEOUT", 1500))
# Warnings about deprecated APIs are errors: no snippet may use one.
WARNINGS_AS_ERRORS = "error::DeprecationWarning,error::FutureWarning"
# What runs a snippet and captures its output: part of every key (see the module docstring).
RUNNER_DIGEST = hashlib.sha256((Path(__file__).parent / "_child.py").read_bytes()).hexdigest()
# Runs each snippet and ends everything it started (not part of the key: it changes no result).
SUPERVISOR = Path(__file__).resolve().with_name("_supervisor.py")
SUPERVISOR_CLEANUP = 30  # seconds the supervisor may spend killing what a snippet left
# What a snippet may print (stdout and stderr together); more stops it.
MAX_OUTPUT_BYTES = entries.MAX_OUTPUT_BYTES

log = logging.getLogger("mkdocs.course.executor")

# Called as ``listener(event, snippet, key, seconds)`` with event "running", "ran" or
# "cached" (seconds: the recorded run time, None while running); the progress line and
# the serve worker listen here.
listeners: list = []


_children: set = set()  # snippet processes running now (see stop_all)
_stops = 0  # how many times stop_all ran


def stop_all(wait: float = 5.0) -> None:
    """Stop every snippet this process started and that still runs, with everything it started
    (a server stopping, an interrupted run); wait up to ``wait`` seconds for them to end."""
    global _stops
    _stops += 1  # a run starting now sees it once it has registered its process
    running = list(_children)
    for process in running:
        _ask_to_stop(process)
    deadline = time.monotonic() + wait
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass  # its own thread ends it (see _end)


def _notify(event: str, snippet: str, key: str, seconds: float | None) -> None:
    for listener in list(listeners):
        listener(event, snippet, key, seconds)


class SnippetTimeout(SnippetError):
    """A snippet ran past its time limit."""


@dataclass
class Result:
    snippet: str  # path relative to the repository root, with forward slashes
    key: str
    output: str
    figures: list[Path]
    values: dict
    record: dict
    cached: bool = field(default=False)

    @property
    def seconds(self) -> float:
        return self.record["seconds"]

    @property
    def device(self) -> str:
        return self.record["device"]


# Characters a terminal acts on (escape sequences, bell, carriage return, bidi overrides):
# a snippet's output reaches the terminal in error messages only through shown_safely().
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def shown_safely(text: str) -> str:
    """``text`` with every control character but newline and tab written as an escape
    (``\\x1b[31m``), so printing it cannot move the cursor, recolour or retitle a terminal."""

    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return "\\r" if code == 13 else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return TERMINAL_CONTROL.sub(escape, text)


def local_imports(path: Path, root: Path | None = None) -> list[Path]:
    """Sibling modules a snippet imports (recursively), e.g. ``from models import Net``; a file
    that does not parse raises :class:`SnippetError` naming it (relative to ``root``)."""
    seen: list[Path] = []
    todo = [path]
    while todo:
        current = todo.pop()
        try:
            names = _imported_names(current, current.read_bytes())
        except SyntaxError as exc:
            raise SnippetError(shown_safely(f"{current.relative_to(root) if root else current}: {exc}")) from None
        for name in names:
            candidate = path.parent / f"{name}.py"
            if candidate.is_file() and candidate != path and candidate not in seen:
                seen.append(candidate)
                todo.append(candidate)
    return sorted(seen)


@functools.lru_cache(maxsize=1024)  # by content: a serve rebuild asks for every key, and parsing is slow
def _imported_names(current: Path, source: bytes) -> tuple[str, ...]:
    tree = ast.parse(source, filename=str(current))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module.split(".")[0])
    return tuple(names)


def data_files(sources: list[bytes], project: Project | None = None) -> list[data.DataFile]:
    """Registered data files (of the project's ``data/``) whose names appear in the source code."""
    text = b"\n".join(sources).decode("utf-8", "replace")
    found = []
    for name, entry in sorted(data.registry(project.data if project else None).items()):
        stem = name.split("/")[0] if name.startswith("MNIST/") else name
        if stem in text:
            found.append(entry)
    return found


def device_descriptor() -> str:
    """The device snippets will see, found without importing torch (it is slow)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    gpus = sorted(Path("/proc/driver/nvidia/gpus").glob("*/information"))
    if not gpus or visible in ("", "-1"):
        return "cpu"
    for line in gpus[0].read_text().splitlines():
        if line.startswith("Model:"):
            return "cuda:" + line.split(":", 1)[1].strip()
    return "cuda"


@functools.cache
def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def device_kind() -> str:
    """``cpu`` or ``cuda``: what the cache key uses (results of any GPU model are shared)."""
    return device_descriptor().split(":")[0]


def _sources(snippet: str, project: Project) -> list[bytes]:
    """The snippet's bytes, then each sibling module it imports (name, NUL, bytes)."""
    path = project.root / snippet
    parts = [path.read_bytes()]
    for module in local_imports(path, project.root):
        parts.append(module.name.encode() + b"\0" + module.read_bytes())
    return parts


def check_data(snippet: str, project: Project | None = None) -> None:
    """Verify (seed, unpack) the registered data files ``snippet`` names, as its cache key
    assumes, before it runs: a wrong file raises :class:`SnippetError` naming it."""
    project = project or Project.at()
    try:
        data.ensure(data_files(_sources(snippet, project), project), log=log.info)
    except data.DataError as exc:
        raise SnippetError(f"{snippet}: not run: its data failed the check: {exc}") from None


def cache_key(snippet: str, device: str | None = None, project: Project | None = None) -> str:
    """The content key of ``snippet`` (a path relative to the project root) on this machine,
    or for ``device`` (a :func:`device_kind` of another machine, e.g. ``cuda`` for results a
    sharded build merged from the GPU runner)."""
    project = project or Project.at()
    parts = _sources(snippet, project)
    environment = [
        ENGINE_VERSION,
        "runner " + RUNNER_DIGEST,
        "python " + ".".join(platform.python_version_tuple()[:2]),
        *(f"{package} {_version(package)}" for package in KEYED_PACKAGES),
        device or device_kind(),
        WARNINGS_AS_ERRORS,
    ]
    environment += [f"{f.name}={f.sha256}" for f in data_files(parts, project)]
    text = b"\n".join(parts).decode("utf-8", "replace")
    for name, optional in sorted(data.optional_files(project.data).items()):
        if name in text:  # a reader's own copy of Kaggle data changes what the snippet shows
            environment.append(f"{name}={data.sha256_of(optional) if optional.is_file() else 'absent'}")
    digest = hashlib.sha256()
    digest.update(snippet.encode() + b"\0")
    for part in parts + [e.encode() for e in environment]:
        digest.update(sha256(part).encode())
    return digest.hexdigest()[:32]


def cached(snippet: str, key: str | None = None, project: Project | None = None) -> Result | None:
    """The valid cached result of ``snippet``, or None; never executes anything."""
    project = project or Project.at()
    snippet = project.relative(snippet)
    key = key or cache_key(snippet, project=project)
    return load(project.cache / key, snippet, key)


def load(entry: Path, snippet: str, key: str) -> Result | None:
    """The result in the entry folder ``entry``, or None if it is absent or does not verify."""
    if not (entry / entries.RECORD).is_file():
        return None
    try:
        files = entries.read(entry)
        record = entries.verify(files, key, snippet)
    except (OSError, entries.EntryError) as exc:
        # info, not a warning: the repair is routine and must not fail `mkdocs build --strict`
        log.info("snippet %s: cache entry %s is damaged (%s); running it again", snippet, entry.name, exc)
        return None
    # universal newlines, as a text read gives them (a progress bar's "\r" starts a line)
    output = files[entries.OUTPUT].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    values = json.loads(files[entries.VALUES])
    return Result(snippet, key, output, [entry / name for name in record["figures"]], values, record, cached=True)


def _read_output(process: subprocess.Popen, limit: int, state: dict) -> None:
    """Collect the child's output (thread); stop the snippet past ``limit`` bytes. Ends at
    end of file, or once ``state["ended"]`` is set and nothing more is waiting: a process
    that still holds the pipe (one the supervisor could not kill) never blocks the run."""
    chunks, size = [], 0
    fd = process.stdout.fileno()
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        if not poller.poll(100):
            if state["ended"].is_set():
                break
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        if state.get("too_long"):
            continue  # read on and drop it: a writer blocked on a full pipe would never end
        if size + len(chunk) > limit:
            chunks.append(chunk[: limit - size])
            state["too_long"] = True
            _ask_to_stop(process)
            continue
        chunks.append(chunk)
        size += len(chunk)
    state["output"] = b"".join(chunks)


def _ask_to_stop(process: subprocess.Popen) -> None:
    """SIGTERM to the supervisor: it kills the snippet and everything under it, then exits."""
    try:
        process.send_signal(signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass  # ended already


def _end(process: subprocess.Popen) -> None:
    """Make sure the supervisor, the snippet and everything it started have ended."""
    if process.poll() is None:
        _ask_to_stop(process)
        try:
            process.wait(timeout=SUPERVISOR_CLEANUP + 5)
        except subprocess.TimeoutExpired:
            log.warning("snippet supervisor %d did not end; killing its process group", process.pid)
    try:  # the supervisor's own group (fallback; normally empty by now)
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone already
    process.wait()


def _execute(project: Project, snippet: str, key: str, timeout: float) -> Result:
    project.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}-run-", dir=project.cache))
    try:
        return _execute_in(project, work, snippet, key, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _execute_in(project: Project, work: Path, snippet: str, key: str, timeout: float) -> Result:
    env = dict(os.environ)
    env.update(
        MPLBACKEND="Agg",
        PYTHONHASHSEED="0",
        PYTHONWARNINGS=WARNINGS_AS_ERRORS,
        PYTHONPATH=str(ENGINE_HOME),
        PYTHONUNBUFFERED="1",
    )
    child = [sys.executable, "-m", "engine.core._child", snippet, str(work)]
    # the supervisor (a child subreaper) ends everything the snippet starts (README, "Security")
    command = [sys.executable, "-I", "-S", str(SUPERVISOR), str(os.getpid()), "--", *child]
    if project.niceness and shutil.which("nice"):
        command = ["nice", "-n", str(project.niceness), *command]
    start = time.perf_counter()
    stops = _stops  # a forked snippet runs before this thread registers it: a stop in between counts
    # forked from a warm interpreter (torch imported once), else a fresh one (one log line says why)
    process = warm.start(snippet, str(work), str(project.root), env, project.niceness)
    if process is None:
        process = subprocess.Popen(
            command, cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches the engine only; the engine stops the snippet
        )
    _children.add(process)
    if _stops != stops:
        _ask_to_stop(process)
    state: dict = {"ended": threading.Event()}
    reader = threading.Thread(target=_read_output, args=(process, MAX_OUTPUT_BYTES, state), daemon=True)
    reader.start()
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:  # also on KeyboardInterrupt (Ctrl+C, SIGTERM through the CLI): the snippet ends too
        _end(process)
        state["ended"].set()
        reader.join()
        process.stdout.close()
        _children.discard(process)
    seconds = time.perf_counter() - start
    output = state["output"].decode("utf-8", "replace")
    shown = shown_safely(output)  # what error messages print; the page shows ``output``
    if state.get("too_long"):
        raise SnippetError(
            f"{snippet}: stopped after it printed more than {MAX_OUTPUT_BYTES} bytes (the limit for "
            "a page; set COURSE_SNIPPET_MAX_OUTPUT to change it). Nothing was cached. "
            f"The start of its output:\n{shown[:2000]}"
        )
    if timed_out:
        raise SnippetTimeout(
            f"{snippet}: stopped after {timeout:.0f} s (time limit; set "
            "COURSE_SNIPPET_TIMEOUT to change it). Nothing was cached."
        )
    if process.returncode != 0:
        raise SnippetError(
            f"{snippet} failed (exit code {process.returncode}). Its output:\n{shown}"
        )
    if not (work / "child.json").is_file():
        raise SnippetError(
            f"{snippet} ended before its end (exit code 0, e.g. sys.exit() or os._exit()), so its "
            "figures and values could not be collected; let it run to its last line. "
            f"Nothing was cached. Its output:\n{shown}"
        )
    child = json.loads((work / "child.json").read_text())
    (work / "child.json").unlink()
    (work / entries.OUTPUT).write_text(output)
    files = {p.name: p.read_bytes() for p in sorted(work.iterdir())}
    record = {
        "snippet": snippet,
        "key": key,
        "seconds": round(seconds, 2),
        "device": child["device"],
        "torch": child["torch"] or _version("torch"),
        "python": platform.python_version(),
        "figures": sorted(name for name in files if name.startswith("fig-")),
        "files": {name: sha256(data) for name, data in files.items()},
    }
    files[entries.RECORD] = json.dumps(record, indent=1).encode()
    try:  # the caller holds the key's lock
        entries.install(project.cache, key, files, snippet, replace=True, lock=False)
    except entries.EntryError as exc:  # e.g. a snippet that set torch.__version__ to something else
        raise SnippetError(f"{snippet}: its run record is not plain ({exc}); nothing was cached") from None
    entry = project.cache / key
    values = json.loads(files[entries.VALUES])
    return Result(snippet, key, output, [entry / f for f in record["figures"]], values, record)


def run(path: Path | str, timeout: float | None = None, use_cache: bool = True,
        project: Project | None = None) -> Result:
    """Run ``path`` (or fetch its cached result) and return the :class:`Result`."""
    project = project or Project.at()
    snippet = project.relative(path)
    key = cache_key(snippet, project=project)
    # One lock per key: a build and a test run started together execute a snippet once.
    with entries.locked(project.cache, key):
        if use_cache:
            hit = load(project.cache / key, snippet, key)
            if hit is not None:
                log.info("snippet %s: cached (ran %.1f s on %s)", snippet, hit.seconds, hit.device)
                _notify("cached", snippet, key, hit.seconds)
                return hit
        try:
            check_data(snippet, project)  # the key holds the registered checksums: the files must match
            log.info("snippet %s: running ...", snippet)
            _notify("running", snippet, key, None)
            result = _execute(project, snippet, key, timeout or DEFAULT_TIMEOUT)
        except SnippetError:
            _notify("failed", snippet, key, None)
            raise
    log.info("snippet %s: ran in %.1f s on %s", snippet, result.seconds, result.device)
    _notify("ran", snippet, key, result.seconds)
    return result
