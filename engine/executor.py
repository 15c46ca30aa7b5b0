"""Run snippets once, cache the results by content.

A *snippet* is a Python file under ``snippets/``. :func:`run` executes it in a
fresh process (see :mod:`engine._child`) from the repository root and returns
a :class:`Result`: the captured output, the figures, the top-level values and
a run record (device, torch version, seconds).

Results are cached in ``.cache/snippets/<key>/``. The key is a hash of

* the snippet's bytes and those of the sibling modules it imports,
* the checksums of the registered data files its code names (and of the
  optional Kaggle files a reader may have added),
* :data:`ENGINE_VERSION` and the sha256 of :mod:`engine._child` (the code that runs a
  snippet and captures its figures and values: changing it, e.g. the figures' dpi, re-runs
  every snippet without anyone having to remember a version bump), Python's major.minor version (not the patch: a
  reader on 3.11.9 reuses a result computed on 3.11.7), the versions of the
  libraries snippets compute with (:data:`KEYED_PACKAGES`) and the device
  kind (``cpu`` or ``cuda``, not the GPU model),

so nothing but a real change runs a snippet again (README: "Cache key"). A cache entry is written to
a temporary folder and renamed into place only after a successful run; its
``record.json`` lists the sha256 of every file in it, and an entry whose files
do not match (damaged, half-copied) is run again instead of shown.

A failing snippet raises :class:`SnippetError` with the file name and the
traceback; one that runs past its time limit raises :class:`SnippetTimeout`.
So does one that ends before its last line (``sys.exit()``) or prints more than
:data:`MAX_OUTPUT_BYTES`. None is cached. Processes a snippet starts end with
it: it runs under :mod:`engine._supervisor`, a child subreaper that kills every process left
under it when the snippet ends, is stopped, or the engine dies. A cache entry is refused (run
again) unless its record lists exactly the files in it and its values are
plain: versions, device and figure names are checked before a page shows them.
"""

from __future__ import annotations

import ast
import fcntl
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

from . import data

ENGINE_VERSION = "3"
# Libraries whose version can change what a snippet prints or draws.
KEYED_PACKAGES = ("torch", "torchvision", "numpy", "matplotlib")
ENGINE_HOME = Path(__file__).resolve().parent.parent  # where the engine package lives
# The project being built; tests point these three at a temporary project.
ROOT = ENGINE_HOME
SNIPPETS_DIR = ROOT / "snippets"
CACHE_DIR = Path(os.environ.get("COURSE_CACHE_DIR", ROOT / ".cache" / "snippets"))
# Inception takes 236-484 s on an idle 2-core machine, over 900 s on a busy one; under pytest-timeout (1800 s)
DEFAULT_TIMEOUT = float(os.environ.get("COURSE_SNIPPET_TIMEOUT", 1500))
NICENESS = 0  # > 0: snippets run at a lower CPU priority (`nice`), e.g. behind a server
# Warnings about deprecated APIs are errors: no snippet may use one.
WARNINGS_AS_ERRORS = "error::DeprecationWarning,error::FutureWarning"
# What runs a snippet and captures its output: part of every key (see the module docstring).
RUNNER_DIGEST = hashlib.sha256((Path(__file__).parent / "_child.py").read_bytes()).hexdigest()
# Runs each snippet and ends everything it started (not part of the key: it changes no result).
SUPERVISOR = Path(__file__).resolve().with_name("_supervisor.py")
SUPERVISOR_CLEANUP = 30  # seconds the supervisor may spend killing what a snippet left
# What a snippet may print (stdout and stderr together); more stops it.
MAX_OUTPUT_BYTES = int(os.environ.get("COURSE_SNIPPET_MAX_OUTPUT", 1_000_000))
# What a run record may hold: it reaches the page as text and file names.
PLAIN_RECORD = {
    "torch": re.compile(r"[0-9A-Za-z.+!-]{1,64}"),
    "python": re.compile(r"[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+]{0,16}"),
    "device": re.compile(r"[0-9A-Za-z .,:()/_+-]{1,100}"),
}
FIGURE_NAME = re.compile(r"fig-[0-9]{2,4}\.png")

log = logging.getLogger("mkdocs.course.executor")

# Called as ``listener(event, snippet, key, seconds)`` with event "running", "ran" or
# "cached" (seconds: the recorded run time, None while running); the progress line and
# the serve worker listen here.
listeners: list = []


_children: set = set()  # snippet processes running now (see stop_all)


def stop_all(wait: float = 5.0) -> None:
    """Stop every snippet this process started and that still runs, with everything it started
    (a server stopping, an interrupted run); wait up to ``wait`` seconds for them to end."""
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


class SnippetError(RuntimeError):
    """A snippet exited with an error."""


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


def _sha256(data_bytes: bytes) -> str:
    return hashlib.sha256(data_bytes).hexdigest()


def relative(path: Path | str) -> str:
    """Path of a snippet relative to the repository root, checked to stay inside it."""
    full = (ROOT / path).resolve()
    if not full.is_relative_to(SNIPPETS_DIR):
        raise SnippetError(f"{path}: snippets must live under {SNIPPETS_DIR}")
    if not full.is_file():
        raise SnippetError(f"{path}: no such snippet file")
    return full.relative_to(ROOT).as_posix()


def local_imports(path: Path) -> list[Path]:
    """Sibling modules a snippet imports (recursively), e.g. ``from models import Net``."""
    seen: list[Path] = []
    todo = [path]
    while todo:
        current = todo.pop()
        for name in _imported_names(current, current.read_bytes()):
            candidate = path.parent / f"{name}.py"
            if candidate.is_file() and candidate != path and candidate not in seen:
                seen.append(candidate)
                todo.append(candidate)
    return sorted(seen)


@functools.lru_cache(maxsize=1024)  # by content: a serve rebuild asks for every key, and parsing is slow
def _imported_names(current: Path, source: bytes) -> tuple[str, ...]:
    try:
        tree = ast.parse(source, filename=str(current))
    except SyntaxError as exc:
        raise SnippetError(shown_safely(f"{current.relative_to(ROOT)}: {exc}")) from None
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module.split(".")[0])
    return tuple(names)


def data_files(sources: list[bytes]) -> list[data.DataFile]:
    """Registered data files whose names appear in the given source code."""
    text = b"\n".join(sources).decode("utf-8", "replace")
    found = []
    for name, entry in sorted(data.registry().items()):
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


def _torch_version() -> str:
    return _version("torch")


def device_kind() -> str:
    """``cpu`` or ``cuda``: what the cache key uses (results of any GPU model are shared)."""
    return device_descriptor().split(":")[0]


def set_project(root: Path) -> None:
    """Point the engine at the project in ``root`` (its ``snippets/``; its ``.cache/``
    unless ``COURSE_CACHE_DIR`` names another cache)."""
    global ROOT, SNIPPETS_DIR, CACHE_DIR
    ROOT = Path(root).resolve()
    SNIPPETS_DIR = ROOT / "snippets"
    CACHE_DIR = Path(os.environ.get("COURSE_CACHE_DIR", ROOT / ".cache" / "snippets"))
    data.use_project(ROOT)  # its datasets: data/ and data/registry.json of that project


def _sources(snippet: str) -> list[bytes]:
    """The snippet's bytes, then each sibling module it imports (name, NUL, bytes)."""
    path = ROOT / snippet
    parts = [path.read_bytes()]
    for module in local_imports(path):
        parts.append(module.name.encode() + b"\0" + module.read_bytes())
    return parts


def check_data(snippet: str) -> None:
    """Verify (seed, unpack) the registered data files ``snippet`` names, as its cache key
    assumes, before it runs: a wrong file raises :class:`SnippetError` naming it."""
    try:
        data.ensure(data_files(_sources(snippet)), log=log.info)
    except data.DataError as exc:
        raise SnippetError(f"{snippet}: not run: its data failed the check: {exc}") from None


def cache_key(snippet: str, device: str | None = None) -> str:
    """The content key of ``snippet`` (a path relative to the project root) on this machine,
    or for ``device`` (a :func:`device_kind` of another machine, e.g. ``cuda`` for results a
    sharded build merged from the GPU runner)."""
    parts = _sources(snippet)
    environment = [
        ENGINE_VERSION,
        "runner " + RUNNER_DIGEST,
        "python " + ".".join(platform.python_version_tuple()[:2]),
        *(f"{package} {_version(package)}" for package in KEYED_PACKAGES),
        device or device_kind(),
        WARNINGS_AS_ERRORS,
    ]
    environment += [f"{f.name}={f.sha256}" for f in data_files(parts)]
    text = b"\n".join(parts).decode("utf-8", "replace")
    for name, optional in sorted(data.optional_files().items()):
        if name in text:  # a reader's own copy of Kaggle data changes what the snippet shows
            environment.append(f"{name}={data.sha256_of(optional) if optional.is_file() else 'absent'}")
    digest = hashlib.sha256()
    digest.update(snippet.encode() + b"\0")
    for part in parts + [e.encode() for e in environment]:
        digest.update(_sha256(part).encode())
    return digest.hexdigest()[:32]


def cached(snippet: str, key: str | None = None) -> Result | None:
    """The valid cached result of ``snippet``, or None; never executes anything."""
    snippet = relative(snippet)
    key = key or cache_key(snippet)
    return _load(CACHE_DIR / key, snippet, key)


def _load(entry: Path, snippet: str, key: str) -> Result | None:
    """Return the cached result in ``entry``, or None if it is absent or damaged."""
    record_file = entry / "record.json"
    if not record_file.is_file():
        return None
    try:
        record = json.loads(record_file.read_text())
        _check_record(entry, record)
        for name, digest in record["files"].items():
            if _sha256((entry / name).read_bytes()) != digest:
                raise ValueError(f"{name} does not match its checksum")
        if record["key"] != key or record["snippet"] != snippet:
            raise ValueError("record belongs to another snippet")
        output = (entry / "output.txt").read_text()
        values = json.loads((entry / "values.json").read_text())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # info, not a warning: the repair is routine and must not fail `mkdocs build --strict`
        log.info("snippet %s: cache entry %s is damaged (%s); running it again", snippet, entry.name, exc)
        return None
    figures = [entry / name for name in record["figures"]]
    return Result(snippet, key, output, figures, values, record, cached=True)


def _check_record(entry: Path, record: dict) -> None:
    """Raise ValueError unless ``record`` lists exactly the entry's files and holds plain values."""
    present = {p.name for p in entry.iterdir()} - {"record.json"}
    listed = set(record["files"])
    if present != listed:
        raise ValueError(f"files {sorted(present ^ listed)} are not both in the entry and in its record")
    if not {"output.txt", "values.json"} <= listed:
        raise ValueError("record lists no output.txt or values.json")
    for name in record["figures"]:
        if not FIGURE_NAME.fullmatch(name) or name not in listed:
            raise ValueError(f"figure {name!r} is not one of its files")
    for item, pattern in PLAIN_RECORD.items():
        if not isinstance(record[item], str) or not pattern.fullmatch(record[item]):
            raise ValueError(f"{item} {record[item]!r} is not plain text")
    if isinstance(record["seconds"], bool) or not isinstance(record["seconds"], (int, float)):
        raise ValueError(f"seconds {record['seconds']!r} is not a number")


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


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone already


def _end(process: subprocess.Popen) -> None:
    """Make sure the supervisor, the snippet and everything it started have ended."""
    if process.poll() is None:
        _ask_to_stop(process)
        try:
            process.wait(timeout=SUPERVISOR_CLEANUP + 5)
        except subprocess.TimeoutExpired:
            log.warning("snippet supervisor %d did not end; killing its process group", process.pid)
    _kill_group(process)  # the supervisor's own group (fallback; normally empty by now)
    process.wait()


def _execute(snippet: str, key: str, timeout: float) -> Result:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=CACHE_DIR))
    try:
        return _execute_in(work, snippet, key, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # renamed into the cache when it succeeded


def _execute_in(work: Path, snippet: str, key: str, timeout: float) -> Result:
    env = dict(os.environ)
    env.update(
        MPLBACKEND="Agg",
        PYTHONHASHSEED="0",
        PYTHONWARNINGS=WARNINGS_AS_ERRORS,
        PYTHONPATH=str(ENGINE_HOME),
        PYTHONUNBUFFERED="1",
    )
    child = [sys.executable, "-m", "engine._child", snippet, str(work)]
    # the supervisor (a child subreaper) ends everything the snippet starts (README, "Security")
    command = [sys.executable, "-I", "-S", str(SUPERVISOR), str(os.getpid()), "--", *child]
    if NICENESS and shutil.which("nice"):
        command = ["nice", "-n", str(NICENESS), *command]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl+C reaches the engine only; the engine stops the snippet
    )
    _children.add(process)
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
    (work / "output.txt").write_text(output)
    figures = sorted(p.name for p in work.glob("fig-*.png"))
    record = {
        "snippet": snippet,
        "key": key,
        "seconds": round(seconds, 2),
        "device": child["device"],
        "torch": child["torch"] or _torch_version(),
        "python": platform.python_version(),
        "figures": figures,
        "files": {p.name: _sha256(p.read_bytes()) for p in sorted(work.iterdir())},
    }
    try:
        _check_record(work, record)
    except ValueError as exc:  # e.g. a snippet that set torch.__version__ to something else
        raise SnippetError(f"{snippet}: its run record is not plain ({exc}); nothing was cached") from None
    (work / "record.json").write_text(json.dumps(record, indent=1))
    entry = CACHE_DIR / key
    if entry.exists():
        shutil.rmtree(entry)
    work.rename(entry)
    values = json.loads((entry / "values.json").read_text())
    return Result(snippet, key, output, [entry / f for f in figures], values, record)


def run(path: Path | str, timeout: float | None = None, use_cache: bool = True) -> Result:
    """Run ``path`` (or fetch its cached result) and return the :class:`Result`."""
    snippet = relative(path)
    key = cache_key(snippet)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # One lock per key: a build and a test run started together execute a snippet once.
    with open(CACHE_DIR / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if use_cache:
            hit = _load(CACHE_DIR / key, snippet, key)
            if hit is not None:
                log.info("snippet %s: cached (ran %.1f s on %s)", snippet, hit.seconds, hit.device)
                _notify("cached", snippet, key, hit.seconds)
                return hit
        try:
            check_data(snippet)  # the key holds the registered checksums: the files must match
            log.info("snippet %s: running ...", snippet)
            _notify("running", snippet, key, None)
            result = _execute(snippet, key, timeout or DEFAULT_TIMEOUT)
        except SnippetError:
            _notify("failed", snippet, key, None)
            raise
    log.info("snippet %s: ran in %.1f s on %s", snippet, result.seconds, result.device)
    _notify("ran", snippet, key, result.seconds)
    return result


def all_snippets() -> list[str]:
    """Every snippet file, relative to the repository root."""
    return sorted(p.relative_to(ROOT).as_posix() for p in SNIPPETS_DIR.rglob("*.py"))
