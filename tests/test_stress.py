"""`make stress` (.ci/stress): the whole suite as `make test` runs it, beside busy CPU loops."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_stress_runs_tests_that_can_stop_engine_run_with_ctrl_c(tmp_path):
    """The stress run starts pytest in the background; without job control bash gives it SIGINT
    ignored, and the tests that stop `engine run` with SIGINT saw it run on (both Ctrl+C tests
    of tests/test_hardening.py timed out in every stress run, never under `make test`)."""
    probe = tmp_path / "test_probe.py"
    probe.write_text("import signal\n\n\ndef test_sigint_is_ctrl_c():\n"
                     "    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler\n")
    env = dict(os.environ, RUNS="1", HOGS="0", STRESS_OUT=str(tmp_path / "out"),
               PYTEST_ARGS=f"-p no:cacheprovider --rootdir {tmp_path} {probe}")
    done = subprocess.run([str(ROOT / ".ci" / "stress")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900, preexec_fn=default_sigint)  # as from a terminal
    log = (tmp_path / "out" / "run-1.log").read_text() if (tmp_path / "out" / "run-1.log").is_file() else ""
    assert done.returncode == 0, done.stdout + done.stderr + log
    assert "run 1: exit 0" in done.stdout and "1 passed" in done.stdout, done.stdout
