"""Warm interpreters (engine/core/warm.py, engine/core/_forkserver.py): snippets forked from a
server that imported torch, torchvision, numpy and matplotlib once give what a fresh interpreter
gives, byte for byte, with nothing leaking from one snippet to the next."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.core import entries, executor, warm
from engine.core.project import Project

ROOT = Path(__file__).resolve().parent.parent
# light snippets of lectures 2-12 that read no dataset: figures (2D, 3D), values, printed tensors
SAMPLE = [
    "snippets/lecture02_linear_model/cost_surface_3d.py",
    "snippets/lecture04_back_propagation/autograd_basics.py",
    "snippets/lecture05_linear_regression/linear_shapes.py",
    "snippets/lecture06_logistic_regression/sigmoid_curve.py",
    "snippets/lecture10_cnn_basics/conv_by_hand.py",
    "snippets/lecture12_basic_rnn/hello_rnn.py",
]


def content(entry: Path) -> dict[str, bytes]:
    """Every file of a result but its run record (seconds, python patch version)."""
    return {name: data for name, data in entries.read(entry).items() if name != entries.RECORD}


def test_warm_runs_of_real_snippets_are_byte_identical_to_fresh_ones(tmp_path, monkeypatch, caplog):
    """The reference is the course's own cache (fresh-interpreter runs); a snippet missing there
    runs once in a fresh interpreter (COURSE_WARM=0) first."""
    course = Project.at()
    warm_project = Project.at(cache=tmp_path / "warm")
    for snippet in SAMPLE:
        key = executor.cache_key(snippet, project=course)
        assert executor.cache_key(snippet, project=warm_project) == key
        reference = course.cache / key
        if executor.load(reference, snippet, key) is None:
            fresh = Project.at(cache=tmp_path / "fresh")
            with monkeypatch.context() as m:
                m.setenv("COURSE_WARM", "0")
                executor.run(snippet, project=fresh)
            reference = fresh.cache / key
        with caplog.at_level(logging.INFO, logger="mkdocs.course.warm"):
            result = executor.run(snippet, use_cache=False, project=warm_project)
        assert "fresh interpreter" not in caplog.text, caplog.text
        assert content(warm_project.cache / key) == content(reference), f"{snippet}: warm run differs"
        assert result.record["figures"] == entries.verify(entries.read(reference), key)["figures"]
    assert any(server.alive() for server in warm._servers.values()), "no warm server ran them"


LEAKS = textwrap.dedent("""
    import random, sys
    import numpy as np
    import torch
    import matplotlib.pyplot as plt
    print("figures open", plt.get_fignums())
    print("torch seeded by the last snippet", torch.initial_seed() == 123)
    print("leaked module", "leaky_module" in sys.modules, "leaked global", "LEAKED" in dir(torch))
    print("rc", plt.rcParams["lines.linewidth"], "threads", torch.get_num_threads() > 0)
    print("cuda initialised", torch.cuda.is_initialized())
    sys.modules["leaky_module"] = sys
    torch.LEAKED = True
    torch.manual_seed(123)
    plt.rcParams["lines.linewidth"] = 9
    plt.figure()
    random.seed(1)
    np.random.seed(1)
""")


def test_nothing_leaks_from_one_snippet_to_the_next(project, monkeypatch):
    first = project("first.py", LEAKS)
    second = project("second.py", LEAKS + "\n# another file, the same code\n")
    warm_outputs = [project.run(first).output, project.run(second).output]
    assert warm_outputs[0] == warm_outputs[1], "the second snippet saw what the first one left"
    monkeypatch.setenv("COURSE_WARM", "0")
    third = project("third.py", LEAKS + "\n# fresh\n")
    assert project.run(third).output == warm_outputs[0], "a warm run differs from a fresh interpreter"
    assert "figures open []" in warm_outputs[0] and "leaked module False" in warm_outputs[0]
    assert "torch seeded by the last snippet False" in warm_outputs[0]


def test_random_state_is_fresh_in_each_child(project):
    code = ("import random\nimport numpy as np\nimport torch\n"
            "print(random.random(), np.random.rand(), torch.initial_seed(), torch.rand(1).item())\n")
    outputs = [project.run(project(f"r{i}.py", code + f"# {i}\n")).output.split() for i in range(3)]
    for number, name in enumerate(["random", "numpy.random", "torch's seed", "torch.rand"]):
        assert len({out[number] for out in outputs}) == 3, f"forked snippets share one {name} state"


def test_the_promises_hold_in_a_warm_child(project):
    exits = project("exits.py", "print('before')\nimport sys\nsys.exit('stopped here')\n")
    with pytest.raises(executor.SnippetError, match=r"(?s)exit code 1\).*before.*stopped here"):
        project.run(exits)
    early = project("early.py", "import sys\nprint('partial')\nsys.exit(0)\nx = 1\n")
    with pytest.raises(executor.SnippetError, match="ended before its end"):
        project.run(early)
    deprecated = project("deprecated.py", "import warnings\nwarnings.warn('old', DeprecationWarning)\n")
    with pytest.raises(executor.SnippetError, match="DeprecationWarning: old"):
        project.run(deprecated)
    group = project("group.py", "import os\nprint(os.getpgid(0) == os.getpid(), os.getpid() != os.getppid())\n")
    assert project.run(group).output.strip() == "True True"
    slow = project("slow.py", "import time\ntime.sleep(60)\n")
    with pytest.raises(executor.SnippetTimeout):
        project.run(slow, timeout=2)


def test_fresh_interpreter_where_the_server_cannot_serve(project, monkeypatch, caplog):
    # a preloaded module that prints (`this` prints the Zen of Python) would change outputs
    monkeypatch.setenv("COURSE_WARM_PRELOAD", "this")
    snippet = project("plain.py", "print('hello')\n")
    with caplog.at_level(logging.INFO, logger="mkdocs.course.warm"):
        assert project.run(snippet).output == "hello\n"
    assert "snippets start in fresh interpreters: importing" in caplog.text
    assert "printed or warned" in caplog.text


def test_engine_run_says_when_snippets_start_fresh(project):
    snippet = project("plain.py", "print('hello')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    done = subprocess.run([sys.executable, "-m", "engine", "--project", str(project.root), "run", "--no-fetch",
                           snippet], cwd=ROOT, env=dict(env, COURSE_WARM="0"), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "snippets start in fresh interpreters (COURSE_WARM=0)" in done.stderr


def test_the_server_ends_with_the_engine(tmp_path):
    code = ("from engine.core import executor, warm\nfrom engine.core.project import Project\n"
            "from pathlib import Path\nimport sys\nroot = Path(sys.argv[1])\n"
            "(root / 'snippets').mkdir()\n(root / 'snippets' / 'a.py').write_text('print(1)')\n"
            "executor.run('snippets/a.py', project=Project(root, root / 'cache'))\n"
            "print(*[s.process.pid for s in warm._servers.values()])\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    [pid] = [int(p) for p in done.stdout.split()]
    import time

    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        if (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) == "Z":
            break  # ended, not yet reaped by its new parent
        time.sleep(0.1)
    alive = Path(f"/proc/{pid}").exists() and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    assert not alive, "the fork server outlived the engine"


def test_a_stop_while_a_warm_snippet_is_starting_stops_it(project, monkeypatch):
    """A forked snippet is running within milliseconds, before the engine's thread has registered
    it (on a busy machine that thread may wait its turn for seconds): a Ctrl+C (``stop_all``)
    in that window must still stop it, at once."""
    import threading
    import time

    real_start = warm.start
    forked = threading.Event()

    def slow_to_register(*args, **kwargs):
        process = real_start(*args, **kwargs)
        forked.set()
        time.sleep(3)  # the engine's thread is late to register the run
        return process

    monkeypatch.setattr(warm, "start", slow_to_register)
    snippet = project("sleepy.py", "import time\ntime.sleep(60)\n")
    ended = []

    def run():
        try:
            project.run(snippet)
        except executor.SnippetError as exc:
            ended.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert forked.wait(120), "the snippet was never forked"
    stopped_at = time.monotonic()
    executor.stop_all()
    thread.join(40)
    assert not thread.is_alive(), "the snippet ran on after stop_all"
    assert time.monotonic() - stopped_at < 20, f"stopped after {time.monotonic() - stopped_at:.0f} s"
    assert ended, "a stopped snippet must not count as a result"
