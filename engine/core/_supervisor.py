"""Run one command and make sure nothing it started outlives it (used by :mod:`engine.core.executor`).

``python _supervisor.py ENGINE_PID -- COMMAND...`` (run by path, standard library only; the fork
server calls :func:`supervise` with a function instead of a command):

* becomes a *child subreaper* (Linux ``prctl(PR_SET_CHILD_SUBREAPER)``): every process the
  command starts that is orphaned (double fork, ``setsid``, a daemon) is re-parented to this
  process instead of to init, so it stays findable;
* asks for SIGTERM when the engine thread that started it dies (``PR_SET_PDEATHSIG``: the
  engine killed with SIGKILL still stops the snippet);
* runs COMMAND in a process group of its own, waits for it, then kills every process left
  under it (repeatedly: a killed process's children come back here) until it has no child;
* on SIGTERM or SIGINT does the same at once (the time limit, an interrupted ``engine run``);
* exits as COMMAND did (its exit code, or killed by the same signal).

It prints nothing: its stdout and stderr are the snippet's. Where ``prctl`` or ``/proc`` is
missing (not Linux) it falls back to killing the command's process group.
"""

import ctypes
import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
CLEANUP_SECONDS = 30  # a process we may not kill (setuid) must not hang the engine


class Stop(Exception):
    """SIGTERM or SIGINT arrived."""


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children() -> list[int]:
    """Direct children of this process (from /proc: CONFIG_PROC_CHILDREN is often off)."""
    me, found = os.getpid(), []
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[1]) == me:
            found.append(int(name))
    return found


def _kill_everything(group: int) -> None:
    """Kill the command's group (``group`` > 0) and every process left under this one; reap
    them all."""
    if group > 0:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + CLEANUP_SECONDS
    while time.monotonic() < deadline:
        for pid in _children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:  # reap what has ended; a killed process's orphans are ours next round
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return  # no child left at all: nothing the command started survives
            if pid == 0:
                break
        time.sleep(0.01)


def _exit_like(status: int) -> None:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number != signal.SIGKILL:  # SIGKILL has no handler to reset (EINVAL)
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def main(argv: list[str]) -> None:
    engine, command = int(argv[0]), argv[argv.index("--") + 1:]
    supervise(engine, lambda: os.execvp(command[0], command))


def supervise(engine: int, start) -> None:
    """Supervise ``start()``, called in a forked child in its own process group (it execs the
    command, or runs a snippet in a warm interpreter: :mod:`engine.core._forkserver`); never returns.
    ``engine``: the process whose death (before this one asked for PR_SET_PDEATHSIG) stops it."""

    def stop(number, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second signal must not
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupt the cleanup
        raise Stop

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    pid, status = 0, None
    try:
        if os.getppid() != engine:  # the engine ended before PR_SET_PDEATHSIG took effect
            raise Stop
        pid = os.fork()
        if pid == 0:
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.setpgid(0, 0)
                start()
            finally:
                os._exit(127)
        try:
            os.setpgid(pid, pid)  # also here: the group exists before anything is killed
        except OSError:
            pass
        status = os.waitpid(pid, 0)[1]
    except Stop:
        status = None
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _kill_everything(pid)
    _exit_like(signal.SIGKILL if status is None else status)  # stopped: as if killed (as before)


if __name__ == "__main__":
    main(sys.argv[1:])
