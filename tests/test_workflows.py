"""The delivery path as GitHub runs it (issue 19), checked without running a workflow: each test
guards a defect that a run (``make workflows``, act on this machine) found or would find.

- the site CI and Pages test is built once with its PDFs, and Pages uploads that same folder;
- apt-get runs through sudo when the user is not root (GitHub's runner user is not);
- artifact paths with a hidden folder are uploaded (upload-artifact v4+ skips hidden files);
- one job per push on the self-hosted GPU runner, no pull-request path to it;
- no placeholder address: the site's addresses derive from the repository (engine/core/address.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from engine.core import address
from engine.core.project import Project

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
GPU_LABELS = {"self-hosted", "gpu"}
PLACEHOLDERS = re.compile(r"example\.github\.io|github(?:\.com)?/example/")


def flows() -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted(WORKFLOWS.glob("*.yml"))}


def triggers(flow: dict) -> dict:
    return flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as True


def steps_of(job: dict) -> list[dict]:
    return job.get("steps", [])


def makefile_recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)*)", text, re.M)
    assert match, f"no `{target}` target in the Makefile"
    return match.group(1)


# --- one build, with its PDFs, tested and published -------------------------------------------


def _site_steps(job: dict) -> tuple[list[int], list[int], list[str]]:
    """Indexes of the steps that build a site, of those that test one, and the tested folders."""
    builds, tests, folders = [], [], []
    for i, step in enumerate(steps_of(job)):
        run = step.get("run", "")
        if re.search(r"\bmkdocs build\b|\bmake build\b", run):
            builds.append(i)
        site_dir = (step.get("env") or {}).get("COURSE_SITE_DIR")
        if site_dir:
            tests.append(i)
            folders.append(site_dir)
    return builds, tests, folders


def _builds_pdfs(run: str) -> bool:
    """A build step that makes the PDFs: `make build` (whose recipe prints them) or engine.products.pdf."""
    if "make build" in run:
        return "engine.products.pdf site site/pdf" in makefile_recipe("build")
    return "engine.products.pdf" in run


@pytest.mark.parametrize("name, job_id", [("ci.yml", "test"), ("pages.yml", "build")])
def test_the_tested_site_is_built_once_with_its_pdfs(name, job_id):
    job = flows()[name]["jobs"][job_id]
    builds, tests, folders = _site_steps(job)
    assert len(builds) == 1, f"{name}:{job_id} builds the site {len(builds)} times: one build per run"
    assert tests, f"{name}:{job_id} runs no test on the site it built (COURSE_SITE_DIR)"
    build = steps_of(job)[builds[0]]
    assert _builds_pdfs(build["run"]), (
        f"{name}:{job_id}: the site under test has no pdf/ (both home pages link pdf/course-*.pdf): "
        f"{build['run']!r}")
    assert all(t > builds[0] for t in tests) and set(folders) == {"site"}
    assert "--site-dir" not in build["run"], "make build writes site/: the folder the tests read"


def test_pages_publishes_the_folder_it_tested():
    job = flows()["pages.yml"]["jobs"]["build"]
    _, tests, folders = _site_steps(job)
    upload = [i for i, s in enumerate(steps_of(job)) if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert len(upload) == 1 and upload[0] > max(tests)
    assert steps_of(job)[upload[0]]["with"]["path"] == folders[0]
    tested = " ".join(steps_of(job)[i]["run"] for i in tests)
    for suite in ("tests/test_browser.py", "tests/test_pdf.py", "tests/test_content.py"):
        assert suite in tested, f"Pages publishes a site {suite} did not check"


# --- sudo ------------------------------------------------------------------------------------


def _apt_calls_without_sudo(script: str) -> list[str]:
    calls = []
    for line in script.splitlines():
        for match in re.finditer(r"\bapt-get\s+(?:update|install|-)", line):
            before = line[:match.start()].split("&&")[-1].split(";")[-1]
            if not re.search(r"\bsudo\b", before):
                calls.append(line.strip())
    return calls


def test_make_browser_uses_sudo_when_not_root(tmp_path):
    """`make -n browser` as a non-root user with neither chromium nor a CJK font: every apt-get it
    would run goes through sudo (GitHub's runner user has passwordless sudo, not root)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool, body in {"id": "echo 1001", "fc-list": "true", "chromium": None}.items():
        if body is not None:
            (fake / tool).write_text(f"#!/bin/sh\n{body}\n")
            (fake / tool).chmod(0o755)
    path = f"{fake}:/usr/local/bin:/usr/bin:/bin"
    env = {k: v for k, v in os.environ.items() if k != "COURSE_CHROMIUM"}
    env["PATH"] = path
    # chromium in /usr/bin would skip its install; the recipe's text is what is checked
    proc = subprocess.run(["make", "-n", "-s", "browser"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "apt-get" in proc.stdout and "install -y -qq fonts-noto-cjk" in proc.stdout
    assert not _apt_calls_without_sudo(proc.stdout), proc.stdout


def test_make_browser_runs_apt_get_directly_as_root(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 0\n")
    (fake / "id").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}:/usr/local/bin:/usr/bin:/bin")
    proc = subprocess.run(["make", "-n", "-s", "browser"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and "sudo" not in proc.stdout, proc.stdout


def test_workflow_steps_use_sudo_for_apt_get():
    for name, flow in flows().items():
        for job_id, job in flow["jobs"].items():
            for step in steps_of(job):
                bad = _apt_calls_without_sudo(step.get("run", ""))
                assert not bad, f"{name}:{job_id}: apt-get as the runner user fails: {bad}"


def test_hosted_jobs_use_playwrights_own_chromium_not_ubuntus_snap():
    for name, flow in flows().items():
        for job_id, job in flow["jobs"].items():
            runs = "\n".join(s.get("run", "") for s in steps_of(job))
            assert not re.search(r"apt-get install[^\n]*\bchromium\b", runs), (
                f"{name}:{job_id}: Ubuntu's apt chromium is a snap wrapper Playwright cannot drive")
            if re.search(r"make (build|test)\b|tests/test_browser.py", runs):
                assert "playwright install --with-deps chromium" in runs, f"{name}:{job_id}"
                assert "COURSE_CHROMIUM=" in runs, f"{name}:{job_id}: make's browser target must see it"


# --- artifacts -------------------------------------------------------------------------------


def test_hidden_artifact_paths_are_uploaded():
    """upload-artifact v4+ leaves out hidden files and folders unless include-hidden-files."""
    found = 0
    for name, flow in flows().items():
        for job_id, job in flow["jobs"].items():
            for step in steps_of(job):
                if not step.get("uses", "").startswith("actions/upload-artifact@"):
                    continue
                found += 1
                paths = str(step["with"]["path"]).split()
                hidden = [p for p in paths if any(part.startswith(".") and part not in (".", "..")
                                                  for part in Path(p).parts)]
                if hidden:
                    assert step["with"].get("include-hidden-files") is True, (
                        f"{name}:{job_id}: {hidden} uploads nothing without include-hidden-files: true")
    assert found >= 4


# --- the GPU runner --------------------------------------------------------------------------


def gpu_jobs() -> list[tuple[str, str, dict]]:
    found = []
    for name, flow in flows().items():
        for job_id, job in flow["jobs"].items():
            labels = job.get("runs-on", [])
            if set(labels if isinstance(labels, list) else [labels]) & GPU_LABELS:
                found.append((name, job_id, job))
    return found


def test_one_gpu_job_per_push_and_no_pull_request_path():
    jobs = gpu_jobs()
    on_push = [(n, j) for n, j, _ in jobs if "push" in triggers(flows()[n])]
    assert on_push == [("pages.yml", "gpu-shard")], f"GPU jobs a push starts: {on_push}"
    for name, job_id, job in jobs:
        assert "pull_request" not in triggers(flows()[name]), (
            f"{name}: the runner group admits refs/heads/main only: a pull request's GPU job never starts")
        assert job["concurrency"]["group"] == "gpu-runner", f"{name}:{job_id}"
    runs = "\n".join(s.get("run", "") for s in steps_of(flows()["pages.yml"]["jobs"]["gpu-shard"]))
    assert "pytest -m cuda" in runs and "REQUIRE_CUDA" in str(flows()["pages.yml"]["jobs"]["gpu-shard"])


def test_the_cuda_checks_reuse_the_results_the_gpu_shard_made():
    """``pytest -m cuda`` runs every CUDA page's snippet through the engine: on the runner it must
    find the shard's results (and those the plan found cached) instead of running each one again,
    one after another; what is still missing runs first, several at a time (engine/core/gpu.py)."""
    steps = steps_of(flows()["pages.yml"]["jobs"]["gpu-shard"])
    runs = [s.get("run", "") for s in steps]
    checks = next(i for i, r in enumerate(runs) if "pytest -m cuda" in r)
    shard = next(i for i, r in enumerate(runs) if "engine shard" in r and "--index gpu" in r)
    restore = [i for i, s in enumerate(steps) if "actions/cache/restore" in s.get("uses", "")
               and s["with"]["path"] == ".cache/snippets" and "needs.plan.outputs.cache" in s["with"]["key"]]
    assert restore and restore[0] < checks, "the runner does not restore the cache the plan was made on"
    merging = r"engine merge --plan plan.json results-gpu --into \.cache/snippets"
    merge = [i for i, r in enumerate(runs) if re.search(merging, r)]
    assert merge and shard < merge[0] < checks, "the shard's results are not merged before the checks"
    assert re.search(r"engine run --no-fetch --cuda-pages[^\n]*\n(.*\n)*.*pytest -m cuda", runs[checks]), \
        "the checks do not run what is missing first, several at a time"
    recipe = makefile_recipe("test-gpu")
    assert re.search(r"engine run --no-fetch --cuda-pages[^\n]*\n(.*\n)*.*pytest -m cuda", recipe), \
        "make test-gpu runs each CUDA snippet inside pytest, one after another"


def test_the_runner_hook_admits_only_pages_pushes():
    hook = (ROOT / ".github" / "runner" / "job-started.sh").read_text()
    workflows = re.search(r"^workflows=\((.*)\)$", hook, re.M).group(1).split()
    assert workflows == [".github/workflows/pages.yml"]
    assert all((ROOT / w).is_file() for w in workflows)


# --- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize("remote, repo", [
    ("https://github.com/alice/my-course.git", "alice/my-course"),
    ("https://github.com/alice/my-course", "alice/my-course"),
    ("git@github.com:alice/my-course.git", "alice/my-course"),
    ("ssh://git@github.com/alice/my-course.git", "alice/my-course"),
    ("https://token@github.com/alice/my-course", "alice/my-course"),
    ("https://gitlab.com/alice/my-course.git", None),
    ("/srv/git/course.git", None),
])
def test_repository_from_the_git_remote(tmp_path, monkeypatch, remote, repo):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.delenv(address.REPOSITORY_ENV, raising=False)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", remote], check=True)
    assert address.repository(tmp_path) == repo


def test_environment_wins_and_a_fork_gets_its_own_addresses(tmp_path, monkeypatch):
    monkeypatch.delenv(address.SITE_URL_ENV, raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "Bob/course-fork")
    monkeypatch.delenv(address.REPOSITORY_ENV, raising=False)
    assert address.repository(tmp_path) == "Bob/course-fork"
    assert address.site_url("Bob/course-fork") == "https://bob.github.io/course-fork/"
    assert address.site_url("bob/Bob.github.io") == "https://bob.github.io/"
    monkeypatch.setenv(address.REPOSITORY_ENV, "off")
    assert address.repository(tmp_path) is None and address.site_url(None) is None
    monkeypatch.setenv(address.SITE_URL_ENV, "https://course.example.org")
    assert address.site_url(None) == "https://course.example.org/"
    monkeypatch.setenv(address.REPOSITORY_ENV, "not a repository")
    with pytest.raises(ValueError, match="COURSE_REPOSITORY"):
        address.repository(tmp_path)


def test_mkdocs_yml_names_no_address():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert not re.search(r"^site_url:", text, re.M), "site_url derives from the repository"
    assert not re.search(r"^\s*repository:", text, re.M)
    assert not PLACEHOLDERS.search(text)


def _hooks_config(tmp_path, **extra):
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    return SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"), site_url=None, repo_url=None,
                           extra=dict(extra), user_configs=[{"site_name": "t"}])


def test_build_addresses_follow_the_repository(tmp_path, monkeypatch):
    from engine.products import notebooks
    from engine.site import mkdocs_hooks

    monkeypatch.delenv(address.SITE_URL_ENV, raising=False)
    monkeypatch.delenv("COURSE_RESULTS_URL", raising=False)
    monkeypatch.setenv(address.REPOSITORY_ENV, "bob/course-fork")
    config = _hooks_config(tmp_path)
    mkdocs_hooks._set_addresses(config)
    assert config.site_url == "https://bob.github.io/course-fork/"
    assert notebooks.repository(config) == "https://github.com/bob/course-fork"
    published = address.published_site_url(Path(config.config_file_path), config.user_configs)
    assert published == "https://bob.github.io/course-fork/"
    # `python -m engine run` fetches there
    assert address.published_site_url(Project.at().root / "mkdocs.yml") == "https://bob.github.io/course-fork/"


def test_no_repository_means_no_address_and_no_fetch(tmp_path, monkeypatch, caplog):
    import logging

    from engine.core import sharing
    from engine.site import mkdocs_hooks

    monkeypatch.delenv(address.SITE_URL_ENV, raising=False)
    monkeypatch.delenv("COURSE_RESULTS_URL", raising=False)
    monkeypatch.setenv(address.REPOSITORY_ENV, "off")
    monkeypatch.setattr(mkdocs_hooks, "_told_no_repository", [])
    config = _hooks_config(tmp_path)
    with caplog.at_level(logging.INFO, logger="mkdocs.course"):
        mkdocs_hooks._set_addresses(config)
        mkdocs_hooks._set_addresses(config)
    assert config.site_url is None and "repository" not in config.extra
    said = [r.getMessage() for r in caplog.records if "no GitHub repository" in r.getMessage()]
    assert len(said) == 1, said  # one line, once
    assert sharing.results_url(address.published_site_url(Path(config.config_file_path), config.user_configs)) is None
    assert sharing.results_url(address.published_site_url(Project.at().root / "mkdocs.yml")) is None


def test_a_notebook_bar_without_repository_has_no_colab_link():
    from engine.products.notebooks import LABELS, Pages

    links = {"view": "v/", "download": "d.ipynb", "colab": None, "page": "p", "page_url": "u"}
    for lang in LABELS:
        html = Pages._html_links(LABELS[lang]["bar"], links)
        assert "Colab" not in html and "d.ipynb" in html and "None" not in html


def test_built_site_has_no_placeholder_address(site):
    """No page, sitemap or script of the built site names a placeholder owner."""
    hits = []
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".js", ".txt", ".ipynb") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            hits += [f"{path.relative_to(site)}: {m.group(0)}" for m in PLACEHOLDERS.finditer(text)]
    assert not hits, hits[:10]
    home = (site / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    expected = address.site_url(address.repository(ROOT))
    sitemap = site / "sitemap.xml"
    locations = re.findall(r"<loc>([^<]*)</loc>", sitemap.read_text()) if sitemap.is_file() else []
    if expected:  # built from a repository: its own address
        assert canonical and canonical.group(1) == expected
        assert locations and all(loc.startswith(expected) for loc in locations), locations[:3]
    else:  # no repository: no invented address, and no sitemap of relative "None./" entries
        assert canonical is None and not sitemap.exists(), locations[:3]


# --- portability: MkDocs 1.x, and the same site with ProperDocs --------------------------------


def test_mkdocs_stays_below_2_in_requirements_and_lock():
    pins = {}
    for name in ("requirements.txt", "requirements.lock"):
        match = re.search(r"^mkdocs==(\d+)\.(\d+)\.(\d+)\b", (ROOT / name).read_text(), re.M)
        assert match, f"{name} pins no mkdocs version"
        pins[name] = tuple(map(int, match.groups()))
    assert pins["requirements.txt"] == pins["requirements.lock"] and pins["requirements.txt"][0] < 2


def test_ci_builds_the_tested_site_again_with_properdocs_and_compares():
    job = flows()["ci.yml"]["jobs"]["test"]
    runs = [s.get("run", "") for s in steps_of(job)]
    at = next(i for i, r in enumerate(runs) if "properdocs build" in r)
    assert at > next(i for i, r in enumerate(runs) if "make build" in r)
    assert "--require-hashes -r .ci/properdocs.lock" in runs[at]
    assert "compare_sites.py site site-properdocs" in runs[at]
    lock = (ROOT / ".ci" / "properdocs.lock").read_text()
    assert re.search(r"^properdocs==1\.\d+\.\d+ \\", lock, re.M) and lock.count("--hash=sha256:") >= 1


def test_compare_sites_reports_all_but_the_generator_tag(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("compare_sites", ROOT / ".ci" / "compare_sites.py")
    compare_sites = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare_sites)
    a, b = tmp_path / "a", tmp_path / "b"
    for root, generator in ((a, "mkdocs-1.6.1"), (b, "mkdocs-ProperDocs 1.6.7")):
        (root / "pdf").mkdir(parents=True)
        (root / "index.html").write_text(f'<meta name="generator" content="{generator}"><p>same</p>')
        (root / "pdf" / "course.pdf").write_text(generator)
    assert compare_sites.main([str(a), str(b), "--ignore", "pdf"]) == 0
    (b / "index.html").write_text('<meta name="generator" content="x"><p>other</p>')
    (b / "extra.html").write_text("")
    assert compare_sites.main([str(a), str(b), "--ignore", "pdf"]) == 1
    out = capsys.readouterr().out
    assert "differs: index.html" in out and "only in" in out and "extra.html" in out


def test_act_summary_reads_job_results_and_times():
    import importlib.util

    spec = importlib.util.spec_from_file_location("act_summary", ROOT / ".ci" / "act_summary.py")
    act_summary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(act_summary)
    jobs = act_summary.summary([
        "[CI/plan]   ✅  Success - Main Install [2m6.5s]\n",
        "[CI/plan]   ✅  Success - Main Plan [500ms]\n",
        "[CI/plan] 🏁  Job succeeded\n",
        "[Pages/GPU shard]   ❌  Failure - Main Run the CUDA pages' snippets on the GPU [1.5s]\n",
        "[Pages/GPU shard] 🏁  Job failed\n",
        "[Pages/GPU shard 2] 🚧  Skipping unsupported platform -- Try running with `-P gpu=...`\n",
    ])
    assert jobs["CI/plan"]["result"] == "succeeded" and abs(jobs["CI/plan"]["seconds"] - 127.0) < 1e-6
    assert jobs["Pages/GPU shard"]["failed"] == ["Main Run the CUDA pages' snippets on the GPU"]
    assert jobs["Pages/GPU shard 2"]["result"] == "not started (no runner)"


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="needs a python3 older than 3.11.5 to refuse")
def test_make_setup_refuses_a_python_too_old_for_the_lock(tmp_path):
    """requirements.lock needs Python 3.11.5+ (pymdown-extensions 13.1.2); Debian 12's 3.11.2
    failed deep inside pip. `make setup` says so before creating anything."""
    version = subprocess.run(["/usr/bin/python3", "-c", "import sys; print(sys.version_info[:3] < (3, 11, 5))"],
                             capture_output=True, text=True).stdout.strip()
    if version != "True":
        pytest.skip("/usr/bin/python3 is 3.11.5 or later here")
    venv = tmp_path / "venv"
    proc = subprocess.run(["make", "setup", "PYTHON=/usr/bin/python3", f"VENV={venv}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "needs Python 3.11.5 or later" in proc.stderr, proc.stdout + proc.stderr
    assert not venv.exists()


def _engine_commands(text: str, command: str) -> list[list[str]]:
    """Each ``python -m engine COMMAND ...`` line of a workflow or Makefile, as arguments."""
    found = []
    for line in text.splitlines():
        match = re.search(rf"python -m engine ({command} .*)$", line)
        if match:
            found.append(match.group(1).split("#")[0].split())
    return found


def test_every_merge_a_workflow_runs_is_one_the_engine_accepts():
    """A merge names the plan and folders whose names say which shard they hold (as
    ``engine merge`` requires); a step the engine refuses fails only on the runner."""
    from engine.core import cli, shards

    merges = [(path.name, args) for path in sorted(WORKFLOWS.glob("*.yml")) + [ROOT / "Makefile"]
              for args in _engine_commands(path.read_text(encoding="utf-8"), "merge")]
    assert merges, "no workflow merges shard results"
    wrong = []
    for name, args in merges:
        try:
            parsed = cli.parser().parse_args(args)
        except SystemExit:
            wrong.append(f"{name}: `engine {' '.join(args)}` is refused by the engine's command line")
            continue
        for folder in parsed.sources:
            if "*" not in str(folder) and "$" not in str(folder) and not shards.SHARD_FOLDER.match(folder.name):
                wrong.append(f"{name}: merge folder {folder} does not say which shard it holds")
    assert not wrong, "\n".join(wrong)


def test_shard_results_reach_the_merge_in_their_own_folders_for_one_shard_too():
    """download-artifact extracts a single pattern match flat into `path` (a push that edits one
    snippet has one shard): each shard artifact holds its results-cpu-N folder and the download
    merges them, so `engine merge shards/*` sees results-cpu-N folders for one shard or many."""
    for name, flow in flows().items():
        for job_name, job in flow["jobs"].items():
            for i, step in enumerate(steps_of(job)):
                uses, given = step.get("uses", ""), step.get("with", {})
                if uses.startswith("actions/download-artifact@") and "pattern" in given:
                    assert given.get("merge-multiple") is True, f"{name} {job_name}: {given}"
                artifact = str(given.get("name", ""))
                if uses.startswith("actions/upload-artifact@") and artifact.startswith("results-cpu-"):
                    command = steps_of(job)[i - 1]["run"]
                    out = re.search(r"--out \"?([^\s\"]+)", command).group(1)
                    assert out == f"{given['path']}/results-cpu-$SHARD", f"{name} {job_name}: --out {out}"
