"""The GPU shard fills the GPU (engine/core/gpu.py, engine/core/run.py): how many snippets run at
a time comes from the GPU's free memory and the CPU count (a faked ``nvidia-smi`` here: this
machine has no GPU), and on a GPU the longest snippets start first and overlap with the rest."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import core
from engine.core import executor, gpu

ROOT = Path(__file__).resolve().parent.parent


def fake_smi(folder: Path, output: str, status: int = 0) -> Path:
    """An ``nvidia-smi`` that prints ``output`` and exits with ``status``; returns its folder."""
    folder.mkdir(exist_ok=True)
    script = folder / "nvidia-smi"
    script.write_text(f"#!/bin/sh\necho \"$@\" >> {folder / 'calls'}\nprintf '%s\\n' '{output}'\nexit {status}\n")
    script.chmod(0o755)
    return folder


@pytest.fixture
def on_a_gpu(monkeypatch):
    """This process believes it is on a GPU machine with 16 CPUs (keys and probe only)."""
    monkeypatch.setattr(executor, "device_descriptor", lambda: "cuda:Fake GPU")
    monkeypatch.setattr(gpu, "cpu_count", lambda: 16)
    monkeypatch.delenv("COURSE_JOBS", raising=False)


def test_jobs_come_from_free_gpu_memory_and_cpus(tmp_path, monkeypatch, on_a_gpu):
    bin_dir = fake_smi(tmp_path / "bin", "143771, 140000")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert gpu.memory() == (143771, 140000)
    assert "--query-gpu=memory.total,memory.free" in (bin_dir / "calls").read_text()
    assert gpu.jobs() == 8  # 140000 MiB fit 34 snippets; 16 CPUs give 8
    fake_smi(bin_dir, "24576, 10000")
    assert gpu.jobs() == 2  # 10000 MiB fit 2
    fake_smi(bin_dir, "24576, 1000")
    assert gpu.jobs() == 1  # never 0
    monkeypatch.setenv("COURSE_JOBS", "3")
    assert gpu.jobs() == 3  # the override wins
    assert gpu.jobs(5) == 5  # and --jobs over it


def test_a_failing_probe_means_one_at_a_time_with_a_warning(tmp_path, monkeypatch, on_a_gpu, caplog):
    bin_dir = fake_smi(tmp_path / "bin", "NVIDIA-SMI has failed", status=9)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with caplog.at_level("WARNING"):
        assert gpu.jobs() == 1
    assert "GPU memory unknown" in caplog.text and "exited with 9" in caplog.text


def test_no_gpu_means_one_at_a_time_without_asking(tmp_path, monkeypatch):
    bin_dir = fake_smi(tmp_path / "bin", "143771, 140000")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(executor, "device_descriptor", lambda: "cpu")
    monkeypatch.delenv("COURSE_JOBS", raising=False)
    assert gpu.jobs() == 1
    assert not (bin_dir / "calls").exists()


def test_the_probe_never_imports_torch_in_the_engine(tmp_path):
    bin_dir = fake_smi(tmp_path / "bin", "81920, 80000")
    code = ("import sys; from engine.core import executor, gpu; "
            "executor.device_descriptor = lambda: 'cuda:Fake'; gpu.cpu_count = lambda: 4; "
            "print(gpu.jobs(), 'torch' in sys.modules)")
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    env.pop("COURSE_JOBS", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["2", "False"], done.stderr


# A snippet that notes when it started and waits (up to 10 s) until ``want`` others have started.
STARTS = """
    import time
    from pathlib import Path
    root = Path({root!r})
    (root / "{me}.start").write_text(repr(time.time()))
    deadline = time.monotonic() + 10
    while len(list(root.glob("*.start"))) < {want} + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    others = len(list(root.glob("*.start"))) - 1
    print("{me} ran beside", min(others, {want}))
"""


def test_on_a_gpu_the_longest_start_first_and_overlap(project, on_a_gpu):
    root = project.root / "marks"
    root.mkdir()
    recorded = {"light1.py": 5, "light2.py": 6, "mid.py": 100, "long.py": 400}
    names = [project(name, STARTS.format(root=str(root), me=name[:-3], want=2)) for name in recorded]
    (project.root / "snippets" / "run_times.json").write_text(
        json.dumps({f"snippets/demo/{n}": s for n, s in recorded.items()}))
    results = core.run_all(names, stream=io.StringIO(), jobs=3, project=project.project)
    assert list(results) == names  # navigation order, whatever order they ran in
    started = {p.stem: float(p.read_text()) for p in root.glob("*.start")}
    order = sorted(started, key=started.get)
    # the first three slots go to the longest three (processes start in any order), the shortest waits
    assert set(order[:3]) == {"long", "mid", "light2"} and order[3] == "light1", f"start order: {order}"
    assert results["snippets/demo/long.py"].output.strip() == "long ran beside 2", \
        "the longest snippet did not overlap with the others"
    assert all(r.key == executor.cache_key(n, "cuda", project.project) for n, r in results.items())


def test_on_a_cpu_the_heavy_ones_still_run_alone(project, monkeypatch):
    monkeypatch.setattr(executor, "device_descriptor", lambda: "cpu")
    root = project.root / "marks"
    root.mkdir()
    recorded = {"long.py": 400, "light1.py": 5}
    names = [project(name, STARTS.format(root=str(root), me=name[:-3], want=0)) for name in recorded]
    (project.root / "snippets" / "run_times.json").write_text(
        json.dumps({f"snippets/demo/{n}": s for n, s in recorded.items()}))
    core.run_all(names, stream=io.StringIO(), jobs=2, project=project.project)
    started = {p.stem: float(p.read_text()) for p in root.glob("*.start")}
    assert started["light1"] < started["long"]
