"""How many snippets run at a time: from the GPU's free memory and the CPU count.

On a GPU machine a training snippet leaves the GPU mostly idle (small models, small batches):
several run side by side, each in its own process. :func:`jobs` picks how many:

* ``COURSE_JOBS`` (or ``--jobs N``) when set;
* on a GPU machine: the free memory of the first GPU over :data:`GPU_MIB_PER_SNIPPET`, at most
  one snippet per :data:`CPUS_PER_SNIPPET` cores (a training's data-loading workers need them),
  at least 1;
* elsewhere: 1.

The GPU is asked through ``nvidia-smi`` in a subprocess, else ``torch.cuda.mem_get_info()`` in a
subprocess: CUDA is never initialised in the engine's own process (a forked snippet could not use
it, and the engine stays light).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys

from engine.core import executor

log = logging.getLogger("mkdocs.course.gpu")

GPU_MIB_PER_SNIPPET = 4096  # a CUDA context (~0.5 GiB) and a course model with its batches, with room
CPUS_PER_SNIPPET = 2
PROBE_TIMEOUT = 120

TORCH_PROBE = "import torch; free, total = torch.cuda.mem_get_info(0); print(total >> 20, free >> 20)"


class ProbeError(RuntimeError):
    """The GPU's memory could not be read."""


def memory() -> tuple[int, int]:
    """(total, free) MiB of the first visible GPU, asked in a subprocess; raises :class:`ProbeError`."""
    smi = shutil.which("nvidia-smi")
    if smi:
        command = [smi, "--query-gpu=memory.total,memory.free", "--format=csv,noheader,nounits"]
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
        if visible:
            command.insert(1, f"--id={visible}")
    else:
        command = [sys.executable, "-c", TORCH_PROBE]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT)
        if done.returncode != 0:
            raise ProbeError(f"{command[0]} exited with {done.returncode}: {done.stderr.strip()[-300:]}")
        first = done.stdout.strip().splitlines()[0].replace(",", " ").split()
        total, free = int(float(first[0])), int(float(first[1]))
    except (OSError, subprocess.TimeoutExpired, IndexError, ValueError) as exc:
        raise ProbeError(f"{command[0]}: {exc}") from None
    return total, free


def jobs_for(free_mib: int, cpus: int) -> int:
    """Snippets to run at a time on a GPU with ``free_mib`` free MiB and ``cpus`` cores."""
    return max(1, min(free_mib // GPU_MIB_PER_SNIPPET, cpus // CPUS_PER_SNIPPET))


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def jobs(given: int | None = None) -> int:
    """How many snippets run at a time (see the module docstring); one log line says why."""
    if given:
        return given
    if os.environ.get("COURSE_JOBS"):
        try:
            return max(1, int(os.environ["COURSE_JOBS"]))
        except ValueError:
            raise ValueError(f"COURSE_JOBS={os.environ['COURSE_JOBS']!r} is not a number") from None
    if executor.device_kind() != "cuda":
        return 1
    try:
        total, free = memory()
    except ProbeError as exc:
        log.warning("GPU memory unknown (%s): snippets run one at a time", exc)
        return 1
    chosen = jobs_for(free, cpu_count())
    log.info("GPU: %d of %d MiB free, %d CPUs: %d snippets at a time (COURSE_JOBS or --jobs to change)",
             free, total, cpu_count(), chosen)
    return chosen
