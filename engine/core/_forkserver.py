"""Fork server: snippets start in a warm interpreter (used by :mod:`engine.core.warm`).

``python -m engine.core._forkserver FD`` imports torch, torchvision, numpy and matplotlib (Agg)
once, then waits on the control socket FD (``SOCK_SEQPACKET``, from the engine). Each request
(JSON: snippet, work folder, cwd, environment, niceness) comes with two file descriptors: a
socket for this run and the write end of the snippet's output pipe. For each one it forks a
*supervisor* (:func:`engine.core._supervisor.supervise`: own session, child subreaper, kills
everything the snippet started), which forks the snippet's process: output to the pipe, stdin
from ``/dev/null``, the request's cwd and environment, fresh random seeds, then
:func:`engine.core._child.main` exactly as ``python -m engine.core._child`` runs it, and an exit
as the interpreter would (``sys.exit`` codes, a traceback and 1 for an exception, atexit
handlers). The server itself never runs a snippet: each child is forked from the clean parent.
It sends the supervisor's pid, then its wait status, on the run's socket.

CUDA is never initialised here (a forked child could not use it): the server checks that the
imports left it uninitialised. An import that prints or warns would change what a snippet's own
import prints: the server then refuses to serve (``fallback: ...`` instead of ``ready``), and the
engine starts snippets in fresh interpreters. When the engine ends (the control socket closes),
the server stops every supervisor (they kill their snippets) and exits.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
import tempfile
import time
import traceback
import warnings

PRELOAD = ("numpy", "matplotlib", "matplotlib.pyplot", "torch", "torchvision")
# more modules to import (tests: one that prints must make the server refuse)
PRELOAD += tuple(filter(None, os.environ.get("COURSE_WARM_PRELOAD", "").split(",")))


def _preload() -> str | None:
    """Import :data:`PRELOAD`; the reason it must not serve, or None."""
    import importlib

    with tempfile.TemporaryFile() as sink, warnings.catch_warnings(record=True) as caught:
        saved = os.dup(1), os.dup(2)
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            for name in PRELOAD:
                importlib.import_module(name)
                if name == "matplotlib":
                    sys.modules["matplotlib"].use("Agg")
        except BaseException as exc:  # noqa: BLE001 (any failure: serve nothing)
            return f"importing {name} failed: {exc!r}"
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        sink.seek(0)
        printed = sink.read()
    if printed or caught:
        what = printed.decode("utf-8", "replace")[:200] or str(caught[0].message)[:200]
        return f"importing {', '.join(PRELOAD)} printed or warned ({what!r})"
    torch = sys.modules["torch"]
    if torch.cuda.is_initialized():
        return "importing them initialised CUDA"
    return None


def _exit_code(exc: SystemExit) -> int:
    """What the interpreter exits with for ``exc`` (printing a non-integer code, as it does)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _run_snippet(request: dict, out_fd: int) -> None:
    """In the snippet's process: become what ``python -m engine.core._child`` would be, run it, exit."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(null)
    os.close(out_fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = os.getcwd()  # as `python -m` sets it
    import random

    random.seed()  # fresh, as a new interpreter's
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    if "torch" in sys.modules:  # its CPU generator; CUDA's are made (and seeded) in the child
        sys.modules["torch"].default_generator.seed()
    from engine.core import _child

    code = 0
    try:
        os.environ.setdefault("MPLBACKEND", "Agg")
        _child.main(request["snippet"], request["work"])
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # noqa: BLE001 (as the interpreter: traceback, exit status 1)
        traceback.print_exc()
        code = 1
    try:
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _supervisor(request: dict, out_fd: int, server: int) -> None:
    """In the supervisor's process (forked from the server): supervise the snippet's process."""
    from engine.core import _supervisor

    os.setsid()  # its own session and group, as the engine's start_new_session gave it
    if request.get("niceness"):
        os.nice(int(request["niceness"]))
    _supervisor.supervise(server, lambda: _run_snippet(request, out_fd))


def serve(control: socket.socket) -> None:
    runs: dict[int, socket.socket] = {}  # supervisor pid -> its run's socket
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    while True:
        for _ in selector.select(timeout=0.05):
            message, fds, _, _ = socket.recv_fds(control, 1 << 20, 2)
            if not message:  # the engine ended: stop every run (their supervisors kill the rest)
                for pid in runs:
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except OSError:
                        pass
                deadline = time.monotonic() + 35
                while runs and time.monotonic() < deadline:
                    _reap(runs)
                    time.sleep(0.05)
                return
            connection = socket.socket(fileno=fds[0])
            request = json.loads(message)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    control.close()
                    connection.close()
                    for other in runs.values():
                        other.close()
                    selector.close()
                    _supervisor(request, fds[1], os.getppid())
                finally:
                    os._exit(127)
            os.close(fds[1])
            runs[pid] = connection
            connection.sendall(f"{pid}\n".encode())
        _reap(runs)


def _reap(runs: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = runs.pop(pid, None)
        if connection is not None:
            try:
                connection.sendall(f"{status}\n".encode())
            except OSError:
                pass  # the engine stopped waiting
            connection.close()


def main(argv: list[str]) -> None:
    control = socket.socket(fileno=int(argv[0]))
    reason = _preload()
    out = open(1, "w", closefd=False)
    if reason:
        out.write(f"fallback: {reason}\n")
        out.flush()
        return
    out.write("ready\n")
    out.flush()
    serve(control)


if __name__ == "__main__":
    main(sys.argv[1:])
