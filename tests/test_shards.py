"""Sharded builds (engine/core/shards.py): plan, run shards in separate folders, merge, build from
the merge only; and the workflows that do the same on GitHub Actions.

The build tests work on a small throw-away project (its own snippets, pages and cache); the
"build" is the engine's page expansion (engine/site/markdown.py), the same text MkDocs renders.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from engine import core
from engine.core import executor, pages, shards
from engine.core.project import Project
from engine.site.markdown import expand

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"

LOG_RUN = 'import os\nopen(os.environ["RUNS_LOG"], "a").write(__file__ + "\\n")\n'
SNIPPETS = {
    "plot.py": LOG_RUN + textwrap.dedent("""
        import matplotlib.pyplot as plt
        losses = [3.0, 1.5, 0.75, 0.5]
        plt.plot(losses)
        plt.show()
        print("final loss", losses[-1])
    """),
    "helper.py": "FACTOR = 7\n",
    "uses_helper.py": LOG_RUN + "from helper import FACTOR\nanswer = 6 * FACTOR\nprint(answer)\n",
    "table.py": LOG_RUN + "for i in range(3):\n    print(i, i * i)\n",
    "bars.py": LOG_RUN + textwrap.dedent("""
        import matplotlib.pyplot as plt
        plt.bar([1, 2, 3], [3, 1, 2])
        plt.show()
    """),
    "on_gpu_page.py": LOG_RUN + textwrap.dedent("""
        import matplotlib.pyplot as plt
        device = "cpu"
        plt.plot([0.9, 0.5, 0.2])
        plt.show()
        print("trained on", device)
    """),
}
PAGES = {
    "plain.md": "# Plain\n\n" + "".join(
        f"::: snippet snippets/demo/{n}\n\n" for n in ("plot.py", "helper.py", "uses_helper.py", "table.py", "bars.py")
    ),
    "gpu.md": "---\ncuda: true\n---\n\n# GPU page\n\n::: snippet snippets/demo/on_gpu_page.py\n",
}
LOGGED = sorted(n for n in SNIPPETS if n != "helper.py")  # helper.py logs nothing (it is imported too)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A small project: snippets/demo/*.py, docs/en/*.md, and a log of every snippet run.
    :func:`engine` is the :class:`Project` of it with a given cache folder."""
    monkeypatch.setenv("RUNS_LOG", str(tmp_path / "runs.log"))
    monkeypatch.delenv("COURSE_EXECUTE", raising=False)
    (tmp_path / "snippets" / "demo").mkdir(parents=True)
    (tmp_path / "docs" / "en").mkdir(parents=True)
    for name, code in SNIPPETS.items():
        (tmp_path / "snippets" / "demo" / name).write_text(code)
    for name, text in PAGES.items():
        (tmp_path / "docs" / "en" / name).write_text(text)
    return tmp_path


def engine(project: Path, cache: str = "cache") -> Project:
    return Project(project, project / cache)


def runs(project: Path) -> list[str]:
    log = project / "runs.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return sorted(Path(line).name for line in lines)


def build(project: Path, cache: str = "cache") -> dict[str, str]:
    """Every page expanded with its results (what the MkDocs hook does), from ``cache``."""
    on = engine(project, cache)
    cuda = pages.cuda_snippets(on)
    return {
        page.name: expand(page.read_text(), "en", lambda s: core.result(s, s in cuda, on), project=on)
        for page in sorted((project / "docs" / "en").glob("*.md"))
    }


def figures(cache: Path, pages: dict[str, str]) -> dict[str, bytes]:
    """The figure files the pages link to (assets/snippets/<key>/<name>), read from ``cache``."""
    linked = set()
    for text in pages.values():
        linked.update(re.findall(r'src="assets/snippets/([0-9a-f]+/fig-\d+\.png)"', text))
    return {name: (cache / name).read_bytes() for name in sorted(linked)}


def without_seconds(text: str) -> str:
    """The run record's seconds are measured, not computed: the one thing two runs may differ in."""
    return re.sub(r" · [0-9.]+ (s|秒)</p>", r" · <seconds> \1</p>", text)


def run_all_shards(plan: shards.Plan, base: Path) -> list[Path]:
    folders = []
    for name in plan.to_run():
        folder = base / f"shard-{name}"
        shards.run_shard(plan, name, folder, project=engine(base.parent))
        folders.append(folder)
    return folders


# --- planning -------------------------------------------------------------------------------


def test_balance_puts_each_snippet_in_one_shard_longest_first():
    times = {"a": 10.0, "b": 8.0, "c": 6.0, "d": 5.0, "e": 4.0, "f": 1.0}
    parts = shards.balance(times, 3)
    assert sorted(s for part in parts for s in part) == sorted(times)
    loads = sorted(sum(times[s] for s in part) for part in parts)
    assert loads == [11.0, 11.0, 12.0]  # a+f, b+e... LPT: 10|8|6 -> 10|8|11 -> 10|12|11 -> 11|12|11
    assert shards.makespan(times, 3) == 12.0
    assert shards.makespan(times, 1) == sum(times.values())
    assert shards.balance(times, 3) == parts  # deterministic
    assert [p for p in shards.balance({"a": 1.0}, 4) if p] == [["a"]]
    with pytest.raises(shards.ShardError):
        shards.balance(times, 0)


def test_plan_drops_cached_snippets_and_sends_cuda_pages_to_the_gpu_shard():
    keys = {f"s{i}": f"k{i}" for i in range(6)}
    times = {"s0": 100.0, "s1": 50.0, "s2": 40.0, "s3": 30.0}
    plan = shards.make_plan(keys, cached={"s1"}, cpu_times=times, shards=2,
                            gpu_snippets={"s4", "s0"}, gpu_times={"s0": 5.0})
    assert plan.cached == ["s1"]
    cpu = {s for shard in plan.shards if shard.name != shards.GPU for s in shard.snippets}
    assert cpu == {"s2", "s3", "s5"}
    gpu = plan.shard(shards.GPU)
    assert set(gpu.snippets) == {"s0", "s4"}
    assert gpu.predicted == 5.0 + shards.UNRECORDED_SECONDS  # the GPU's own time where recorded
    assert gpu.unrecorded == ["s4"]
    assert plan.to_run() == ["1", "2", "gpu"]
    assert shards.Plan.from_json(json.loads(json.dumps(plan.to_json()))).to_json() == plan.to_json()


def test_nothing_changed_means_an_empty_plan():
    keys = {"a": "1", "b": "2"}
    plan = shards.make_plan(keys, cached={"a", "b"}, cpu_times={}, shards=4, gpu_snippets={"b"})
    assert plan.to_run() == []


# --- plan, shard, merge, build --------------------------------------------------------------


def test_three_shards_merged_build_equals_a_single_machine_build(project, monkeypatch):
    single = build(project)  # one machine, everything run here
    single_cache = project / "cache"
    assert runs(project) == LOGGED
    (project / "runs.log").unlink()

    plan = shards.plan_project(3, gpu=False, project=engine(project, "merged"))
    assert len(plan.to_run()) == 3 and not plan.cached
    folders = run_all_shards(plan, project / "artifacts")
    # every snippet ran exactly once across the three shards
    assert runs(project) == LOGGED
    exported = []
    for name, folder in zip(plan.to_run(), folders):  # each shard's folder is an export of its part
        manifest = json.loads((folder / "manifest.json").read_text())
        assert {e["snippet"] for e in manifest["entries"].values()} == set(plan.shard(name).snippets)
        exported += [e["snippet"] for e in manifest["entries"].values()]
    assert sorted(exported) == sorted(f"snippets/demo/{n}" for n in SNIPPETS)

    report = shards.merge(folders, project / "merged")
    assert report["copied"] == len(SNIPPETS) and report["identical"] == 0
    monkeypatch.setenv("COURSE_EXECUTE", "cache-only")
    sharded = build(project, "merged")
    assert runs(project) == LOGGED  # the build ran nothing
    assert {k: without_seconds(v) for k, v in sharded.items()} == {
        k: without_seconds(v) for k, v in single.items()
    }
    assert figures(project / "merged", sharded) == figures(single_cache, single)
    assert len(figures(single_cache, single)) == 3

    # one edited snippet: the next plan has one shard with one snippet
    path = project / "snippets" / "demo" / "table.py"
    path.write_text(path.read_text().replace("range(3)", "range(4)"))
    again = shards.plan_project(3, gpu=False, project=engine(project, "merged"))
    assert [list(again.shard(n).snippets) for n in again.to_run()] == [["snippets/demo/table.py"]]
    with pytest.raises(core.SnippetNotCached, match="table.py.*cache-only"):
        build(project, "merged")  # the miss fails the cache-only build instead of running


def test_mkdocs_site_from_three_shards_equals_a_single_machine_build(tmp_path):
    """The same with the real MkDocs hooks and the command line, as the workflows run them."""
    import sys

    from tests import demo_project

    code = {name: code.replace(LOG_RUN, "") for name, code in SNIPPETS.items() if name != "on_gpu_page.py"}
    single, sharded = tmp_path / "single", tmp_path / "sharded"
    for root in (single, sharded):
        demo_project.make(root, code)
    assert demo_project.build(single).returncode == 0

    def engine(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "engine", "--project", str(sharded), *args],
                              cwd=ROOT, env=demo_project.environment(sharded), capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    printed = engine("plan", "--shards", "3", "--out", str(tmp_path / "plan.json"))
    assert re.search(r"\| 3 +\| 1 +\| ", printed) and "shards with work: 1, 2, 3" in printed
    folders = [str(tmp_path / f"results-{i}") for i in (1, 2, 3)]
    for index, folder in enumerate(folders, start=1):
        engine("shard", "--plan", str(tmp_path / "plan.json"), "--index", str(index), "--out", folder)
    engine("merge", "--plan", str(tmp_path / "plan.json"), *folders)
    built = demo_project.build(sharded, COURSE_EXECUTE="cache-only")
    assert built.returncode == 0, built.stdout + built.stderr
    assert re.search(r"showed 5 snippets: 0 run, 5 from cache", built.stderr)

    def site(root: Path) -> tuple[str, dict[str, bytes]]:
        page = without_seconds((root / "site" / "index.html").read_text())
        pngs = {p.relative_to(root / "site").as_posix(): p.read_bytes()
                for p in sorted((root / "site").rglob("fig-*.png"))}
        return page, pngs

    assert site(sharded) == site(single)
    assert len(site(single)[1]) == 2


def test_shard_refuses_files_changed_since_the_plan(project):
    plan = shards.make_plan({"snippets/demo/table.py": "not-this-key"}, set(), {}, 1,
                            environment=shards.environment())
    with pytest.raises(shards.ShardError, match="changed since the plan"):
        shards.run_shard(plan, "1", project / "out", project=engine(project))
    assert runs(project) == []


def test_gpu_shard_results_are_shown_on_cuda_pages(project, monkeypatch):
    merged = engine(project, "merged")
    plan = shards.plan_project(2, gpu=True, project=merged)
    assert list(plan.shard(shards.GPU).snippets) == ["snippets/demo/on_gpu_page.py"]
    with pytest.raises(shards.ShardError, match="no GPU"):
        shards.run_shard(plan, shards.GPU, project / "gpu", project=merged)
    # the GPU runner, as far as keys go (the child process itself runs on this CPU)
    with monkeypatch.context() as gpu_runner:
        gpu_runner.setattr(executor, "device_descriptor", lambda: "cuda:Test GPU")
        shards.run_shard(plan, shards.GPU, project / "gpu", project=merged)
    folders = [project / "gpu"] + [project / f"cpu-{n}" for n in plan.to_run() if n != shards.GPU]
    for folder in folders[1:]:
        shards.run_shard(plan, folder.name.split("-")[1], folder, project=merged)
    report = shards.merge(folders, project / "merged")
    assert report["copied"] == len(SNIPPETS)
    monkeypatch.setenv("COURSE_EXECUTE", "cache-only")
    page = build(project, "merged")["gpu.md"]
    gpu_key = executor.cache_key("snippets/demo/on_gpu_page.py", "cuda", merged)
    cpu_key = executor.cache_key("snippets/demo/on_gpu_page.py", project=merged)
    assert gpu_key != cpu_key
    assert core.find_result("snippets/demo/on_gpu_page.py", True, merged).key == gpu_key
    assert "trained on cpu" in page and f"assets/snippets/{gpu_key}/fig-01.png" in page
    # the MkDocs hooks show the GPU result and copy its figure under the GPU result's key
    from engine.site import mkdocs_hooks as hooks

    monkeypatch.setattr(hooks, "_cuda", {"snippets/demo/on_gpu_page.py"})
    monkeypatch.setattr(hooks, "_results", {})
    monkeypatch.setattr(hooks, "_shown", set())
    monkeypatch.setattr(hooks.SESSION, "project", merged)
    assert hooks._run("snippets/demo/on_gpu_page.py").key == gpu_key
    hooks.on_post_build(SimpleNamespace(site_dir=str(project / "site"), theme={"language": "en"}, site_url=None))
    copied = project / "site" / "assets" / "snippets" / gpu_key / "fig-01.png"
    assert copied.read_bytes() == (project / "merged" / gpu_key / "fig-01.png").read_bytes()
    # with the GPU result merged, a plan for the GPU has nothing left to do
    assert shards.plan_project(2, gpu=True, project=merged).to_run() == []
    assert runs(project) == LOGGED


def test_gpu_fallback_runs_the_gpu_shard_on_the_cpu(project):
    plan = shards.plan_project(1, gpu=True, project=engine(project))
    manifest = shards.run_shard(plan, shards.GPU, project / "fallback", on_cpu=True, project=engine(project))
    assert manifest["fallback"] and manifest["key_device"] == "cpu"
    report = shards.merge([project / "fallback"], project / "merged")
    assert report["copied"] == 1
    # the build on a CPU finds the fallback's result under this machine's key
    found = core.find_result("snippets/demo/on_gpu_page.py", True, engine(project, "merged"))
    assert found.key == executor.cache_key("snippets/demo/on_gpu_page.py", project=engine(project))


def test_gpu_fallback_note_says_the_gpu_was_not_used(monkeypatch):
    from engine.site import mkdocs_hooks

    page = "# Lecture 9\n\ntext\n"
    monkeypatch.delenv("COURSE_GPU_FALLBACK", raising=False)
    assert "when there is one and on the CPU otherwise" in mkdocs_hooks._add_cuda_note(page, "en")
    monkeypatch.setenv("COURSE_GPU_FALLBACK", "1")
    for lang, words in (("en", "did not start in time"), ("zh", "没有按时启动")):
        note = mkdocs_hooks._add_cuda_note(page, lang)
        assert words in note and note.index(words) > note.index("# Lecture 9")


# --- merge: verified, conflicts are errors ---------------------------------------------------


@pytest.fixture
def two_shards(project):
    """The same snippet run in two shard folders (``a`` and ``b``)."""
    key = executor.cache_key("snippets/demo/table.py", project=engine(project))
    plan = shards.make_plan({"snippets/demo/table.py": key}, set(), {}, 1, environment=shards.environment())
    for name in ("a", "b"):
        shards.run_shard(plan, "1", project / name, project=engine(project))
    return project / "a", project / "b", key


def test_merge_keeps_identical_entries_once(two_shards, project):
    a, b, key = two_shards
    report = shards.merge([a, b], project / "merged")
    assert (report["copied"], report["identical"]) == (1, 1)


def test_merge_conflict_is_an_error(two_shards, project):
    a, b, key = two_shards
    output = b / key / "output.txt"
    output.write_text("0 0\n1 1\n2 5\n")
    record = json.loads((b / key / "record.json").read_text())
    record["files"]["output.txt"] = executor.sha256(output.read_bytes())  # consistent, but different
    (b / key / "record.json").write_text(json.dumps(record))
    with pytest.raises(shards.ShardError, match="merge conflict for snippets/demo/table.py"):
        shards.merge([a, b], project / "merged")


@pytest.mark.parametrize("damage", ["edit", "extra", "missing-manifest", "not-in-manifest"])
def test_merge_refuses_damaged_folders(two_shards, project, damage):
    a, b, key = two_shards
    if damage == "edit":
        (a / key / "output.txt").write_text("tampered\n")
        message = "does not match its checksum"
    elif damage == "not-in-manifest":  # a consistent entry, but not the one the folder's manifest lists
        (a / key / "output.txt").write_text("other\n")
        record = json.loads((a / key / "record.json").read_text())
        record["files"]["output.txt"] = executor.sha256(b"other\n")
        (a / key / "record.json").write_text(json.dumps(record))
        message = "does not match its sha256 in the manifest"
    elif damage == "extra":
        (a / key / "payload.sh").write_text("echo hi\n")
        message = "payload.sh.* not both in the entry and in its record"
    else:
        (a / "manifest.json").unlink()
        message = "not the results folder of a shard"
    with pytest.raises(shards.ShardError, match=message):
        shards.merge([a], project / "merged")


# --- command line ---------------------------------------------------------------------------


def test_command_line_plan_shard_merge(project):
    import sys

    out = project / "github_output"

    def engine(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "engine", "--project", str(project), *args],
                              cwd=ROOT, capture_output=True, text=True)

    planned = engine("plan", "--shards", "2", "--gpu", "--out", str(project / "plan.json"), "--github-output", str(out))
    assert planned.returncode == 0, planned.stderr
    assert re.search(r"\| 1 +\| \d+ +\| [0-9.]+ s", planned.stdout) and "| gpu" in planned.stdout
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert json.loads(outputs["matrix"]) == ["1", "2"] and outputs["gpu"] == "true"
    ran = engine("shard", "--plan", str(project / "plan.json"), "--index", "1", "--out", str(project / "results-cpu-1"))
    assert ran.returncode == 0, ran.stderr
    merge = ["merge", "--plan", str(project / "plan.json")]
    merged = engine(*merge, str(project / "results-cpu-1"), "--into", str(project / "m"))
    assert merged.returncode == 0 and "entries copied" in merged.stdout
    refused = engine(*merge, str(project / "nothing"))
    assert refused.returncode == 1 and "not the results folder of a shard" in refused.stderr
    assert engine(*merge, str(project / "results-cpu-1"), "--into", str(project / "m2")).returncode == 0
    (project / "results-cpu-1").rename(project / "results-cpu-2")  # shard 1's results as shard 2's
    refused = engine(*merge, str(project / "results-cpu-2"), "--into", str(project / "m3"))
    assert refused.returncode == 1 and "did not assign this result to shard 2" in refused.stderr


def test_makespan_table_from_recorded_times(capsys):
    times = {"a": 60.0, "b": 30.0, "c": 30.0}
    table = shards.makespan_table(times, [1, 2, 4])
    assert "| 1      | 120.0 s" in table and "| 2      | 60.0 s" in table
    assert "| 4      | 60.0 s " in table and "120.0 s" in table.splitlines()[4]


# --- workflows ------------------------------------------------------------------------------


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(flow: dict) -> dict:
    return flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as True


GPU_LABELS = {"self-hosted", "gpu"}
TRUSTED_EVENTS = {"push", "workflow_dispatch", "pull_request"}


def gpu_jobs() -> list[tuple[str, str, dict]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        flow = workflow(path.name)
        for job_id, job in flow["jobs"].items():
            labels = job.get("runs-on", [])
            labels = set(labels if isinstance(labels, list) else [labels])
            if labels & GPU_LABELS:
                found.append((path.name, job_id, job))
    return found


def test_workflows_pass_actionlint():
    actionlint = ROOT / ".venv" / "bin" / "actionlint"
    proc = subprocess.run([str(actionlint), *sorted(map(str, WORKFLOWS.glob("*.yml")))],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_gpu_jobs_cannot_be_triggered_by_fork_code():
    jobs = gpu_jobs()
    assert {(f, j) for f, j, _ in jobs} == {("pages.yml", "gpu-shard")}
    for name, job_id, job in jobs:
        flow = workflow(name)
        events = triggers(flow)
        assert set(events) <= TRUSTED_EVENTS, f"{name}: {set(events)}"
        assert "pull_request_target" not in events and "workflow_run" not in events
        assert "pull_request" not in events  # the runner group admits refs/heads/main only
        if "push" in events:
            assert events["push"] == {"branches": ["main"]}
        # checked inside the job too, before anything of the checkout runs
        first = job["steps"][0]
        assert first.get("name", "").startswith("Refuse"), f"{name}:{job_id} first step"
        assert "HEAD_REPOSITORY" in first["env"] and "exit 1" in first["run"]
        assert "${{" not in first["run"]  # event data only through env, never pasted into the script
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["persist-credentials"] is False
        assert job.get("permissions") == {"contents": "read"} or flow.get("permissions") == {"contents": "read"}


def test_in_job_repository_check_refuses_a_fork(tmp_path):
    """Run the GPU jobs' first step as the runner would, for this repository and for a fork."""
    for name, job_id, job in gpu_jobs():
        step = job["steps"][0]
        for head, expected in (("owner/course", 0), ("fork-owner/course", 1)):
            env = dict(os.environ, GITHUB_REPOSITORY="owner/course")
            env.update({k: ("" if "${{" in str(v) else str(v)) for k, v in step["env"].items()})
            env["HEAD_REPOSITORY"] = head
            proc = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True)
            assert proc.returncode == expected, f"{name}:{job_id} head={head}: {proc.stdout}{proc.stderr}"


def test_runner_hook_refuses_fork_pull_requests_and_other_workflows(tmp_path):
    hook = ROOT / ".github" / "runner" / "job-started.sh"
    config = tmp_path / "trusted"
    config.write_text("owner/course\n")
    main, pr = "@refs/heads/main", "@refs/pull/7/merge"
    pages, gpu = "owner/course/.github/workflows/pages.yml", "owner/course/.github/workflows/gpu.yml"
    same = {"pull_request": {"head": {"repo": {"full_name": "owner/course"}}}}
    cases = [
        ({"repository": {"full_name": "owner/course"}}, "push", pages + main, 0),
        ({"repository": {"full_name": "owner/course"}}, "workflow_dispatch", pages + main, 0),
        ({"repository": {"full_name": "owner/course"}}, "workflow_dispatch", pages + "@refs/heads/dev", 1),
        (same, "pull_request", pages + pr, 1),  # no pull request path to the runner
        ({"repository": {"full_name": "owner/course"}}, "push", gpu + main, 1),  # gone: pages.yml only
        ({"pull_request": {"head": {"repo": {"full_name": "evil/course"}}}}, "pull_request", pages + pr, 1),
        ({"repository": {"full_name": "evil/course"}}, "push", "evil/course/.github/workflows/pages.yml" + main, 1),
        ({"repository": {"full_name": "owner/course"}}, "push", "owner/course/.github/workflows/other.yml" + main, 1),
        (same, "pull_request_target", pages + main, 1),
    ]
    for payload, event, workflow_ref, expected in cases:
        event_file = tmp_path / "event.json"
        event_file.write_text(json.dumps(payload))
        env = dict(os.environ, GITHUB_EVENT_PATH=str(event_file), GITHUB_EVENT_NAME=event,
                   GITHUB_REPOSITORY=workflow_ref.split("/.github")[0], GITHUB_WORKFLOW_REF=workflow_ref,
                   GITHUB_REF=workflow_ref.split("@", 1)[1])
        proc = subprocess.run(["bash", "-e", str(hook), str(config)], env=env, capture_output=True, text=True)
        assert proc.returncode == expected, f"{event} {workflow_ref}: {proc.stdout}{proc.stderr}"


FAKE_GH = """#!/usr/bin/env bash
# gh api stand-in: the GPU shard's next state for /jobs, the run's artifacts for /artifacts
case "$*" in
  */jobs*) line=$(head -n 1 "$STATES"); [ "$(wc -l < "$STATES")" -gt 1 ] && sed -i 1d "$STATES"; echo "$line" ;;
  */artifacts*) cat "$ARTIFACTS" ;;
esac
"""


@pytest.mark.parametrize("states, artifacts, deadline_in, expected", [
    (["queued "], "", -1, "results-gpu-fallback"),  # the runner never came
    (["", "queued ", "in_progress ", "completed success"], "plan\nresults-gpu\n", 60, "results-gpu"),
    (["in_progress ", "completed success"], "plan\n", -1, "results-gpu-fallback"),  # started too late
    (["completed cancelled"], "", 60, "results-gpu-fallback"),
    (["in_progress ", "completed failure"], "", 60, "error"),  # a snippet failed on the GPU
    (["in_progress "], "plan\nresults-gpu\n", -1, "results-gpu"),  # uploaded; CUDA checks still running
])
def test_gpu_gate_falls_back_to_the_cpu_only_when_the_gpu_shard_did_not_run(
    tmp_path, states, artifacts, deadline_in, expected
):
    step = workflow("pages.yml")["jobs"]["gpu-gate"]["steps"][0]
    (tmp_path / "gh").write_text(FAKE_GH)
    (tmp_path / "gh").chmod(0o755)
    (tmp_path / "states").write_text("\n".join(states) + "\n")
    (tmp_path / "artifacts").write_text(artifacts)
    output = tmp_path / "output"
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}", STATES=str(tmp_path / "states"),
               ARTIFACTS=str(tmp_path / "artifacts"), GITHUB_OUTPUT=str(output), POLL_SECONDS="0",
               DEADLINE=str(int(time.time()) + deadline_in), GPU_WAIT_MINUTES="10",
               GITHUB_REPOSITORY="owner/course", GITHUB_RUN_ID="1", GITHUB_RUN_ATTEMPT="1")
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, timeout=60)
    if expected == "error":
        assert proc.returncode == 1 and "GPU shard failed" in proc.stdout
        return
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["artifact"] == expected
    assert outputs["fallback"] == ("1" if expected.endswith("fallback") else "0")


def test_pages_job_keeps_no_write_token_while_snippets_run():
    flow = workflow("pages.yml")
    assert flow["permissions"] == {"contents": "read"}
    for job_id, job in flow["jobs"].items():
        runs_snippets = any("engine" in str(s.get("run", "")) or "mkdocs" in str(s.get("run", ""))
                            for s in job.get("steps", []))
        writes = {k for k, v in (job.get("permissions") or {}).items() if v == "write"}
        if runs_snippets:
            assert not writes, f"{job_id} runs snippets with write permissions {writes}"
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, job_id


def test_actions_are_pinned_by_commit():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text().splitlines():
            match = re.search(r"uses:\s*(\S+)", line)
            if match:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), f"{path.name}: {line}"
                assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{path.name}: no version comment: {line}"


def test_one_shard_setting_for_ci_and_pages():
    for name in ("ci.yml", "pages.yml"):
        flow = workflow(name)
        assert re.fullmatch(r"\d+", str(flow["env"]["SHARDS"])), name
        text = (WORKFLOWS / name).read_text()
        assert "--shards \"$SHARDS\"" in text or "--shards $SHARDS" in text
        assert "COURSE_EXECUTE: cache-only" in text


if shutil.which("bash") is None:  # pragma: no cover
    pytest.skip("bash is needed for the workflow step tests", allow_module_level=True)


# --- merge: a shard supplies only what the plan assigned it (issue 22) -------------------------


def test_merge_refuses_a_result_the_plan_gave_another_shard(project):
    merged = engine(project, "merged")
    plan = shards.plan_project(2, gpu=False, project=merged)
    shards.run_shard(plan, "1", project / "results-cpu-2", project=merged)  # shard 1's part, as shard 2
    with pytest.raises(shards.ShardError, match="did not assign this result to shard 2"):
        shards.merge([project / "results-cpu-2"], project / "merged", plan, merged)
    assert not (project / "merged").exists() or not any((project / "merged").iterdir())
    shards.run_shard(plan, "1", project / "results-cpu-1", project=merged)
    report = shards.merge([project / "results-cpu-1"], project / "merged", plan, merged)
    assert report["copied"] == len(plan.shard("1").snippets)


def test_merge_refuses_cuda_results_from_a_cpu_shard(project, monkeypatch):
    merged = engine(project, "merged")
    plan = shards.plan_project(1, gpu=True, project=merged)
    with monkeypatch.context() as gpu_runner:  # keys as the GPU runner computes them
        gpu_runner.setattr(executor, "device_descriptor", lambda: "cuda:Test GPU")
        shards.run_shard(plan, shards.GPU, project / "results-cpu-1", project=merged)
        shards.run_shard(plan, shards.GPU, project / "results-gpu", project=merged)
    with pytest.raises(shards.ShardError, match="did not assign this result to shard 1"):
        shards.merge([project / "results-cpu-1"], project / "merged", plan, merged)
    assert shards.merge([project / "results-gpu"], project / "merged", plan, merged)["copied"] == 1


def test_merge_refuses_a_key_that_is_a_path(two_shards, project):
    a, b, key = two_shards
    manifest = json.loads((a / "manifest.json").read_text())
    manifest["entries"]["../outside"] = manifest["entries"][key]
    (a / "manifest.json").write_text(json.dumps(manifest))
    (project / "outside").mkdir()
    for f in (a / key).iterdir():
        (project / "outside" / f.name).write_bytes(f.read_bytes())
    record = json.loads((project / "outside" / "record.json").read_text())
    record["key"] = "../outside"
    (project / "outside" / "record.json").write_text(json.dumps(record))
    with pytest.raises(shards.ShardError, match="'../outside' is not a cache key"):
        shards.merge([a], project / "merged" / "cache")
    assert not (project / "merged" / "outside").exists()
