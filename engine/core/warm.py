"""Warm interpreters: start snippets from a fork server (:mod:`engine.core._forkserver`).

A fresh interpreter spends most of a light snippet's time importing torch, torchvision and
matplotlib. :func:`start` asks a server that imported them once to fork the snippet's process
(under its own supervisor, with the same promises: own process group, everything it starts ends
with it, output through a pipe) and returns a :class:`WarmProcess`, which the executor handles
like the ``subprocess.Popen`` of a fresh run. It returns None where forking is not possible or not wanted (no
``fork``, ``COURSE_WARM=0``, a server that failed to start or refused to serve); the executor then
starts a fresh interpreter, and one log line says why.

One server per environment (its interpreter reads some variables once, at start: threads,
``PYTHON*``); variables that change per test or per build (``PYTEST_*``, ``COURSE_*``) are
passed to each child instead. A server ends with the engine (its control socket closes).
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from engine.core.project import ENGINE_HOME

log = logging.getLogger("mkdocs.course.warm")  # shown by `engine run` too (it quiets the executor)

START_TIMEOUT = float(os.environ.get("COURSE_WARM_START_TIMEOUT", 300))  # a busy 2-core machine
VOLATILE = ("PYTEST_", "COURSE_")  # not read by an interpreter at start: per request
MAX_SERVERS = 3

_lock = threading.Lock()
_servers: dict[tuple, Server] = {}
_refused: dict[tuple, str] = {}  # environment -> why no server serves it (said once)


class Server:
    def __init__(self, env: dict[str, str]):
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.send_lock = threading.Lock()
        self.running = 0
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "engine.core._forkserver", str(theirs.fileno())],
                cwd=ENGINE_HOME, env=env, pass_fds=[theirs.fileno()], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        finally:
            theirs.close()
        self.reason = self._ready()

    def _ready(self) -> str | None:
        """None once the server says ``ready``, else why it will not serve."""
        fd = self.process.stdout.fileno()
        deadline, text = time.monotonic() + START_TIMEOUT, b""
        while b"\n" not in text:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.close()
                return f"the fork server did not start within {START_TIMEOUT:.0f} s"
            chunk = os.read(fd, 65536)
            if not chunk:
                self.close()
                return f"the fork server ended: {text.decode('utf-8', 'replace')[-500:]}"
            text += chunk
        line = text.split(b"\n", 1)[0].decode("utf-8", "replace")
        if line != "ready":
            self.close()
            return line.removeprefix("fallback: ")
        return None

    def alive(self) -> bool:
        return self.reason is None and self.process.poll() is None

    def close(self) -> None:
        self.control.close()  # the server stops what still runs and exits
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


class WarmProcess:
    """A snippet's supervisor forked by the server, handled like a ``subprocess.Popen`` (from any
    thread: a thread of its own reads the wait status the server sends when it ends)."""

    def __init__(self, server: Server, pid: int, connection: socket.socket, stdout):
        self.server, self.pid, self.connection, self.stdout = server, pid, connection, stdout
        self.returncode: int | None = None
        self.args = ["engine.core._forkserver", str(pid)]
        self._ended = threading.Event()
        threading.Thread(target=self._collect, daemon=True, name=f"warm-{pid}").start()

    def _collect(self) -> None:
        data = b""
        try:
            while not data.endswith(b"\n"):
                chunk = self.connection.recv(64)
                if not chunk:
                    break
                data += chunk
        except OSError:
            data = b""
        finally:
            self.connection.close()
            with _lock:
                self.server.running -= 1
        # no status: the server died, and its supervisors with it (PR_SET_PDEATHSIG)
        self.returncode = os.waitstatus_to_exitcode(int(data)) if data.strip() else -9
        self._ended.set()

    def poll(self) -> int | None:
        return self.returncode if self._ended.is_set() else None

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if not self._ended.is_set():  # not yet reaped: the pid is still the supervisor's
            try:
                os.kill(self.pid, number)
            except ProcessLookupError:
                pass


def _key(env: dict[str, str]) -> tuple:
    return tuple(sorted((k, v) for k, v in env.items()
                        if not k.startswith(VOLATILE) or k == "COURSE_WARM_PRELOAD"))


def _server(env: dict[str, str]) -> Server | None:
    key = _key(env)
    with _lock:
        server = _servers.get(key)
        if server is not None and server.alive():
            server.running += 1
            return server
        if key in _refused:
            return None
        if len(_servers) >= MAX_SERVERS:  # an idle one makes room
            for old_key, old in list(_servers.items()):
                if old.running == 0:
                    old.close()
                    del _servers[old_key]
                    break
        server = Server(env)  # under the lock: parallel snippets wait for one start
        if server.reason is not None:
            _refused[key] = server.reason
            log.info("snippets start in fresh interpreters: %s", server.reason)
            return None
        _servers[key] = server
        server.running += 1
        return server


def start(snippet: str, work: str, cwd: str, env: dict[str, str], niceness: int = 0) -> WarmProcess | None:
    """Fork ``snippet`` from a warm server; None where that is not possible (see the module)."""
    if os.environ.get("COURSE_WARM", "1") == "0":
        if not _refused.get(("platform",)):
            _refused[("platform",)] = "said"
            log.info("snippets start in fresh interpreters (COURSE_WARM=0)")
        return None
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        if not _refused.get(("platform",)):
            _refused[("platform",)] = "said"
            log.info("snippets start in fresh interpreters (no fork on this system)")
        return None
    server = _server(env)
    if server is None:
        return None
    read_fd, write_fd = os.pipe()
    mine, theirs = socket.socketpair()
    request = {"snippet": snippet, "work": work, "cwd": cwd, "env": env, "niceness": niceness}
    sent, data = False, b""
    try:
        with server.send_lock:
            socket.send_fds(server.control, [json.dumps(request).encode()], [theirs.fileno(), write_fd])
        sent = True
        while not data.endswith(b"\n"):  # the pid line only: the status line may follow at once
            chunk = mine.recv(1)
            if not chunk:
                raise OSError("the fork server ended")
            data += chunk
    except BaseException as exc:
        if sent and not isinstance(exc, OSError):  # e.g. Ctrl+C after the request went out: end that run
            theirs.close()
            _stop_unregistered(mine, data)
        os.close(read_fd)
        mine.close()
        with _lock:
            server.running -= 1
        if not isinstance(exc, OSError):
            raise
        log.info("snippet %s: the fork server failed (%s); a fresh interpreter runs it", snippet, exc)
        return None
    finally:
        theirs.close()
        os.close(write_fd)
    return WarmProcess(server, int(data), mine, os.fdopen(read_fd, "rb", buffering=0))


def _stop_unregistered(connection: socket.socket, data: bytes) -> None:
    """Stop the run whose pid line ``connection`` was bringing (``data``: what came of it so far),
    and wait until it ended."""
    connection.settimeout(60)
    try:
        while data.count(b"\n") < 1:
            chunk = connection.recv(64)
            if not chunk:
                return
            data += chunk
        os.kill(int(data.split(b"\n")[0]), signal.SIGTERM)
        while data.count(b"\n") < 2:  # its wait status: the supervisor has ended
            chunk = connection.recv(64)
            if not chunk:
                return
            data += chunk
    except (OSError, ValueError):
        pass  # the server is gone, and its supervisors with it
