"""Results shared between checkouts: export/import with checksums, fetching from the published
site (or an unreachable one), the command line, the progress line.

Each test works on a throw-away project (its own ``snippets/``, ``docs/`` and caches).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine import core
from engine.core import entries, executor, sharing
from engine.core.progress import Progress
from engine.core.project import Project as EngineProject
from tests import demo_project
from tests.browser import StaticServer

COUNTED = """
    from pathlib import Path
    runs = Path("runs") / "{name}"
    runs.parent.mkdir(exist_ok=True)
    runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
    value = {value}
    print("value", value)
"""


NAMES = ["a.py", "b.py", "c.py"]


def write_project(root: Path) -> None:
    """Three snippets (b.py draws a figure) shown by one page."""
    (root / "snippets" / "demo").mkdir(parents=True)
    (root / "docs" / "zh").mkdir(parents=True)
    for i, name in enumerate(NAMES):
        code = textwrap.dedent(COUNTED.format(name=name, value=i * 10))
        if name == "b.py":
            code += "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n"
        (root / "snippets" / "demo" / name).write_text(code)
    page = "# Demo\n\n" + "\n\n".join(f"::: snippet snippets/demo/{n}" for n in NAMES) + "\n"
    (root / "docs" / "zh" / "index.md").write_text(page)


@pytest.fixture(scope="module")
def template_export(tmp_path_factory) -> Path:
    """An export of the three snippets' results, made once (keys do not depend on the folder)."""
    base = tmp_path_factory.mktemp("template")
    write_project(base / "project")
    engine = EngineProject(base / "project", base / "cache")
    core.run_all(stream=io.StringIO(), project=engine)
    core.export_cached(base / "export", project=engine)
    return base / "export"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh project with an empty cache; ``runs(name)`` counts executions."""
    root = tmp_path / "project"
    write_project(root)
    monkeypatch.delenv(sharing.URL_ENV, raising=False)

    class Project:
        path = root
        engine = EngineProject(root, root / "cache")
        snippets = [f"snippets/demo/{n}" for n in NAMES]

        @staticmethod
        def runs(name: str) -> int:
            counter = root / "runs" / name
            return len(counter.read_text()) if counter.exists() else 0

        @staticmethod
        def total_runs() -> int:
            return sum(Project.runs(n) for n in NAMES)

    return Project


@pytest.fixture
def exported(template_export, tmp_path) -> Path:
    """A copy of the export (tests may tamper with it)."""
    import shutil

    return Path(shutil.copytree(template_export, tmp_path / "export"))


def test_export_lists_every_file_with_its_checksum(project, exported):
    target = exported
    manifest = json.loads((target / "manifest.json").read_text())
    for key, entry in manifest["entries"].items():
        assert entry["snippet"] in project.snippets
        assert set(entry["files"]) >= {"record.json", "output.txt", "values.json"}
        for name, digest in entry["files"].items():
            assert entries.sha256((target / key / name).read_bytes()) == digest
    figures = [n for e in manifest["entries"].values() for n in e["files"] if n.startswith("fig-")]
    assert figures == ["fig-01.png"]


def test_fetched_results_are_used_with_zero_executions(project, exported):
    target = exported
    with StaticServer(target) as server:
        results = core.run_all(fetch_from=server.url, stream=io.StringIO(), project=project.engine)
    assert project.total_runs() == 0  # nothing ran here
    assert all(r.cached for r in results.values())
    assert results["snippets/demo/b.py"].values["value"] == 10
    assert results["snippets/demo/b.py"].figures[0].read_bytes().startswith(b"\x89PNG")


def test_a_tampered_result_is_refused_and_run_again(project, exported, caplog):
    target = exported
    key = executor.cache_key("snippets/demo/c.py", project=project.engine)
    (target / key / "output.txt").write_text("value 999\n")
    with caplog.at_level(logging.INFO, logger="mkdocs.course.results"):
        report = sharing.import_results(str(target), project=project.engine)
    assert list(report.refused) == [key] and len(report.accepted) == 2
    refused = [r.getMessage() for r in caplog.records if "REFUSED" in r.getMessage()]
    assert len(refused) == 1 and "snippets/demo/c.py" in refused[0] and "output.txt" in refused[0]
    result = executor.run("snippets/demo/c.py", project=project.engine)
    assert not result.cached and result.output == "value 20\n"
    assert project.runs("c.py") == 1 and project.runs("a.py") == 0


def test_a_result_under_another_snippets_key_is_refused(project, exported):
    target = exported
    manifest = json.loads((target / "manifest.json").read_text())
    key_a = executor.cache_key("snippets/demo/a.py", project=project.engine)
    manifest["entries"][key_a]["snippet"] = "snippets/demo/c.py"  # a result passed off as another
    (target / "manifest.json").write_text(json.dumps(manifest))
    report = sharing.import_results(str(target), {key_a: "snippets/demo/a.py"}, project=project.engine)
    assert key_a in report.refused and not report.accepted


def test_an_edited_snippet_is_not_fetched_but_run(project, exported):
    target = exported
    (project.path / "snippets" / "demo" / "a.py").write_text("value = 5\n")
    report = sharing.fetch_published(str(target), project.snippets, project=project.engine)
    assert len(report.accepted) == 2  # b and c; a's new key is not in the export
    assert executor.run("snippets/demo/a.py", project=project.engine).values["value"] == 5


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/assets/snippets/"


def test_an_unreachable_address_means_local_runs_and_one_log_line(project, caplog):
    with caplog.at_level(logging.INFO, logger="mkdocs.course.results"):
        start = time.monotonic()
        report = sharing.fetch_published(closed_port_url(), project.snippets, project=project.engine)
        assert time.monotonic() - start < sharing.FETCH_TIMEOUT + 1
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "not reachable" in lines[0] and "running 3 snippets here" in lines[0]
    assert all(r.levelno == logging.INFO for r in caplog.records)  # a strict build goes on
    assert not report.accepted
    core.run_all(stream=io.StringIO(), project=project.engine)
    assert project.total_runs() == 3


def test_a_silent_address_is_given_up_after_the_time_limit(project, caplog):
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        start = time.monotonic()
        with caplog.at_level(logging.INFO, logger="mkdocs.course.results"):
            sharing.fetch_published(url, project.snippets, timeout=1, project=project.engine)
        assert time.monotonic() - start < 2.5
    assert "not reachable" in caplog.records[0].getMessage()


def test_results_address_from_site_url_or_environment(monkeypatch):
    assert sharing.results_url("https://o.github.io/repo/") == "https://o.github.io/repo/assets/snippets/"
    assert sharing.results_url(None) is None
    monkeypatch.setenv(sharing.URL_ENV, "http://127.0.0.1:9/export/")
    assert sharing.results_url("https://o.github.io/repo/") == "http://127.0.0.1:9/export/"
    monkeypatch.setenv(sharing.URL_ENV, "off")
    assert sharing.results_url("https://o.github.io/repo/") is None


def test_published_site_address_for_build_and_command_line(tmp_path, monkeypatch):
    """One rule (engine/core/address.py): the site_url the configuration sets, else the
    repository's GitHub Pages site; a build passes MkDocs' reading, the command line reads the file."""
    from engine.core import address

    monkeypatch.delenv(address.SITE_URL_ENV, raising=False)
    monkeypatch.setenv(address.REPOSITORY_ENV, "bob/fork")
    config = tmp_path / "mkdocs.yml"
    assert address.published_site_url(config) is None  # no configuration, no address
    config.write_text("site_name: t\nsite_url: 'https://example.org/course/'\n")
    assert address.published_site_url(config) == "https://example.org/course/"
    assert address.published_site_url(config, [{"site_url": "https://a/"}, {"site_url": "https://b/"}]) == "https://b/"
    assert address.published_site_url(config, [{"site_name": "t"}]) == "https://bob.github.io/fork/"
    config.write_text("site_name: t\n")
    assert address.published_site_url(config) == "https://bob.github.io/fork/"


def test_progress_counts_each_snippet_once_and_estimates_from_recorded_times(project):
    executor.run("snippets/demo/a.py", project=project.engine)  # cached before the run starts
    stream = io.StringIO()
    recorded = {"snippets/demo/b.py": 30.0, "snippets/demo/c.py": 90.0}
    with Progress(["snippets/demo/b.py", "snippets/demo/c.py"], stream=stream, tty=False, recorded=recorded):
        for snippet in project.snippets:
            executor.run(snippet, project=project.engine)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[0/2] running snippets/demo/b.py, about 2m00s left"
    assert re.fullmatch(r"\[1/2\] checking the cache, about \d+s left", lines[1])
    assert re.fullmatch(r"\[1/2\] running snippets/demo/c.py, about \d+s left", lines[2])
    assert lines[-1] == "[2/2] snippets done" and len(lines) == 4


def test_the_estimate_follows_this_machines_speed():
    progress = Progress(["s/a.py", "s/b.py", "s/c.py"], stream=io.StringIO(), tty=False,
                        recorded={"s/a.py": 10.0, "s/b.py": 20.0, "s/c.py": 40.0})
    assert progress.left_seconds() == 70.0
    progress.event("running", "s/a.py", "k", None)
    progress.event("ran", "s/a.py", "k", 30.0)  # three times slower than recorded
    assert progress.speed() == 3.0 and progress.left_seconds() == 180.0
    progress.event("cached", "s/b.py", "k", 20.0)  # a cached result says nothing about speed
    assert progress.speed() == 3.0 and progress.left_seconds() == 120.0


def test_progress_bar_on_a_terminal(project):
    stream = io.StringIO()
    with Progress(["snippets/demo/a.py"], stream=stream, tty=True, recorded={}):
        executor.run("snippets/demo/a.py", project=project.engine)
    assert "\r\033[K[------------------------] 0/1 running snippets/demo/a.py" in stream.getvalue()
    assert stream.getvalue().endswith("[########################] 1/1 snippets done\n")


def cli(project, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_CACHE_DIR", sharing.URL_ENV)}
    return subprocess.run(
        [sys.executable, "-m", "engine", "--project", str(project.path), *args],
        cwd=executor.ENGINE_HOME, env=env, capture_output=True, text=True, timeout=120,
    )


def test_command_line_run_status_keys_export_import(project, tmp_path):
    status = cli(project, "status")
    assert status.returncode == 0 and "0 cached, 3 missing" in status.stdout
    ran = cli(project, "run", "--no-fetch")
    assert ran.returncode == 0, ran.stderr
    assert "[3/3] snippets done" in ran.stderr and "3 snippets: 3 run" in ran.stdout
    keys = json.loads(cli(project, "keys").stdout)
    assert list(keys) == project.snippets
    assert cli(project, "status").stdout.count("cached ") == 3
    exported_to = tmp_path / "cli-export"
    assert cli(project, "export", str(exported_to)).returncode == 0
    first = next(iter(keys.values()))
    (exported_to / first / "values.json").write_text("{}")
    import shutil

    shutil.rmtree(project.path / ".cache")
    imported = cli(project, "import", str(exported_to))
    assert imported.returncode == 1  # one refused
    assert f"2 imported from {exported_to}, 0 already cached, 1 refused" in imported.stdout
    assert "REFUSED" in imported.stderr
    assert cli(project, "run", "--no-fetch", "snippets/demo/a.py").returncode == 0
    assert project.total_runs() == 4  # only the refused one ran again


# --- through MkDocs (tests/demo_project.py: a small project using the real hooks) ----------


DRAW = "import matplotlib.pyplot as plt\nplt.plot([1, 2])\n"


def demo(tmp_path, name: str) -> Path:
    return demo_project.make(tmp_path / name, {
        "a.py": textwrap.dedent(COUNTED.format(name="a.py", value=1)),
        "b.py": textwrap.dedent(COUNTED.format(name="b.py", value=2)) + DRAW,
    })


def test_a_published_site_carries_its_results_and_a_fresh_clone_runs_nothing(tmp_path):
    published = demo(tmp_path, "published")
    first = demo_project.build(published)
    assert first.returncode == 0, first.stderr
    assert "not reachable" in first.stderr and first.stderr.count("results:") == 1
    progress = [re.sub(r"about \d+s", "about Ns", line) for line in first.stderr.splitlines()
                if line.startswith("[")]
    assert progress == ["[0/2] running snippets/demo/a.py, about Ns left",
                        "[1/2] checking the cache, about Ns left",
                        "[1/2] running snippets/demo/b.py, about Ns left",
                        "[2/2] snippets done"]  # the cold build's progress, in navigation order
    site = published / "site"
    manifest = json.loads((site / "assets" / "snippets" / "manifest.json").read_text())
    assert sorted(e["snippet"] for e in manifest["entries"].values()) == ["snippets/demo/a.py", "snippets/demo/b.py"]

    clone = demo(tmp_path, "clone")
    with StaticServer(site) as server:
        second = demo_project.build(clone, COURSE_RESULTS_URL=server.url + "assets/snippets/")
    assert second.returncode == 0, second.stderr
    assert "results: 2 fetched from" in second.stderr
    assert not (clone / "runs").exists()  # 0 executions
    html = (clone / "site" / "index.html").read_text()
    assert "value 2" in html and "assets/snippets/" in html and "data-snippet-pending" not in html


def test_a_build_for_publishing_refuses_placeholders(tmp_path):
    project = demo(tmp_path, "project")
    refused = demo_project.build(project, COURSE_STREAM="1", COURSE_RESULTS_URL="off")
    assert refused.returncode != 0
    assert "index.md: a snippet result is a placeholder" in refused.stderr
    # (without COURSE_STREAM=1 a build runs what is missing first: see the test above)


def test_keep_going_runs_the_others_and_names_every_failure(project):
    (project.path / "snippets" / "demo" / "a.py").write_text("raise SystemExit('broken a')\n")
    with pytest.raises(executor.SnippetError) as info:
        core.run_all(stream=io.StringIO(), keep_going=True, project=project.engine)
    assert str(info.value).startswith("1 snippets failed") and "broken a" in str(info.value)
    assert project.runs("b.py") == 1 and project.runs("c.py") == 1


def test_mkdocs_serve_fetches_from_the_published_site_url(tmp_path):
    """``mkdocs serve`` replaces ``config.site_url`` with its own address; the results still come
    from the ``site_url`` that mkdocs.yml names (the published site)."""
    published = demo(tmp_path, "published")
    assert demo_project.build(published).returncode == 0
    with StaticServer(published / "site") as server:
        clone = demo_project.make(tmp_path / "clone", {
            "a.py": textwrap.dedent(COUNTED.format(name="a.py", value=1)),
            "b.py": textwrap.dedent(COUNTED.format(name="b.py", value=2)) + DRAW,
        }, site_url=server.url)
        serve = demo_project.Serve(clone)
        try:
            serve.ready()
            line = serve.wait_for(r"results: ")
        finally:
            serve.close()
    assert f"2 fetched from {server.url}assets/snippets/" in line, line
    assert not (clone / "runs").exists()  # 0 executions


# --- results from elsewhere are data: caps, deadlines, malformed input (issue 22) ------------


class TricklingServer:
    """Serves ``folder``'s manifest.json at once and every other file two bytes a second,
    endlessly (``flood``: as fast as it can, endlessly)."""

    def __init__(self, folder: Path, flood: bool = False):
        import http.server
        import threading

        manifest = (folder / "manifest.json").read_bytes()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()
                if self.path.endswith("manifest.json"):
                    self.wfile.write(manifest)
                    return
                try:
                    while not server.stopping:
                        self.wfile.write(b"x" * (1 << 16) if flood else b"x")
                        self.wfile.flush()
                        if not flood:
                            time.sleep(0.5)  # under the per-read timeout: only a total deadline ends it
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.stopping = False
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/"
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.stopping = True
        self.server.shutdown()
        self.server.server_close()


def test_a_trickling_server_is_given_up_at_the_total_deadline(project, exported, caplog):
    with TricklingServer(exported) as server, caplog.at_level(logging.INFO, logger="mkdocs.course.results"):
        start = time.monotonic()
        report = sharing.fetch_published(server.url, project.snippets, timeout=1, deadline=3,
                                         project=project.engine)
        fetch_seconds = time.monotonic() - start
        start = time.monotonic()
        imported = sharing.import_results(sharing.Source(server.url, timeout=1, deadline=3),
                                          project=project.engine)
        import_seconds = time.monotonic() - start
    assert fetch_seconds < 5 and import_seconds < 5, (fetch_seconds, import_seconds)
    assert not report.accepted and len(report.refused) == 3
    assert not imported.accepted and len(imported.refused) == 3
    assert sum("stopped fetching" in r.getMessage() for r in caplog.records) == 2  # one line each


def test_an_endless_body_is_cut_at_the_cap(project, exported):
    with TricklingServer(exported, flood=True) as server:
        report = sharing.import_results(server.url, project=project.engine)
    assert not report.accepted and all("over the" in why for why in report.refused.values()), report.refused


@pytest.mark.parametrize("damage", ["entry-string", "record-list", "files-list", "manifest-list",
                                    "entries-list"])
def test_a_malformed_export_is_refused_with_one_line(project, exported, damage, caplog):
    manifest = json.loads((exported / "manifest.json").read_text())
    key = executor.cache_key("snippets/demo/a.py", project=project.engine)
    if damage == "entry-string":
        manifest["entries"][key] = "snippets/demo/a.py"
    elif damage == "record-list":
        record = exported / key / "record.json"
        record.write_text("[]")
        manifest["entries"][key]["files"]["record.json"] = entries.sha256(record.read_bytes())
    elif damage == "files-list":
        manifest["entries"][key]["files"] = list(manifest["entries"][key]["files"])
    elif damage == "manifest-list":
        manifest = [manifest]
    else:
        manifest["entries"] = list(manifest["entries"])
    (exported / "manifest.json").write_text(json.dumps(manifest))
    with caplog.at_level(logging.INFO, logger="mkdocs.course.results"):
        report = sharing.fetch_published(str(exported), project.snippets, project=project.engine)
    lines = [r.getMessage() for r in caplog.records if "snippets/demo/a.py" in r.getMessage()
             or "not reachable" in r.getMessage()]
    assert len(lines) == 1, lines
    if damage in ("manifest-list", "entries-list"):
        assert "not a results manifest" in lines[0], lines
    assert key not in report.accepted
    assert executor.run("snippets/demo/a.py", project=project.engine).values["value"] == 0


def test_an_entry_folder_without_its_record_is_replaced_and_leaves_nothing(project, exported):
    key = executor.cache_key("snippets/demo/a.py", project=project.engine)
    (project.engine.cache / key).mkdir(parents=True)
    (project.engine.cache / key / "output.txt").write_text("half copied\n")
    report = sharing.fetch_published(str(exported), project.snippets, project=project.engine)
    assert key in report.accepted
    assert executor.cached("snippets/demo/a.py", project=project.engine).values["value"] == 0
    assert sorted(p.name for p in project.engine.cache.iterdir() if p.name.startswith(f".{key}")) == [
        f".{key}.lock"]


def test_a_symlink_in_a_folder_export_is_refused(project, exported):
    key = executor.cache_key("snippets/demo/a.py", project=project.engine)
    (exported / key / "output.txt").unlink()
    (exported / key / "output.txt").symlink_to("/dev/zero")
    report = sharing.import_results(str(exported), project=project.engine)
    assert key in report.refused and "not a plain file" in report.refused[key]


def test_a_fetched_result_says_where_it_came_from_on_the_page(project, exported):
    from engine.site.markdown import render_result

    key = executor.cache_key("snippets/demo/b.py", project=project.engine)
    with StaticServer(exported) as server:
        sharing.fetch_published(server.url, project.snippets[1:2], project=project.engine)
        url = server.url.rstrip("/") + "/"
    fetched = executor.cached("snippets/demo/b.py", project=project.engine)
    assert fetched.record["origin"] == url
    exported_record = json.loads((exported / key / "record.json").read_text())
    assert fetched.record["files"] == exported_record["files"] and fetched.key == key  # same content
    assert f"Result fetched from {url}, where it ran: " in render_result(fetched, "en", "../")
    assert f"结果取自 {url}，在那里运行：" in render_result(fetched, "zh", "../")
    here = executor.run("snippets/demo/a.py", project=project.engine)
    assert "origin" not in here.record
    assert "Ran when this page was built: " in render_result(here, "en", "../")
    assert "本页构建时运行：" in render_result(here, "zh", "../")
    imported = sharing.import_results(str(exported), {executor.cache_key("snippets/demo/c.py", project=project.engine):
                                                      "snippets/demo/c.py"}, project=project.engine)
    assert len(imported.accepted) == 1
    from_folder = executor.cached("snippets/demo/c.py", project=project.engine)
    assert from_folder.record["origin"] == sharing.LOCAL_ORIGIN
    assert "Result fetched from a results folder, where it ran: " in render_result(from_folder, "en", "../")
    assert "结果取自 一个结果文件夹，在那里运行：" in render_result(from_folder, "zh", "../")


def test_a_forged_origin_is_refused(project, exported):
    key = executor.cache_key("snippets/demo/a.py", project=project.engine)
    sharing.import_results(str(exported), {key: "snippets/demo/a.py"}, project=project.engine)
    record_file = project.engine.cache / key / "record.json"
    record = json.loads(record_file.read_text())
    record["origin"] = "<script>alert(1)</script>"
    record_file.write_text(json.dumps(record))
    assert executor.cached("snippets/demo/a.py", project=project.engine) is None


def test_a_bad_entry_in_the_cache_is_run_again_and_later_builds_pass(tmp_path):
    """An entry an old version accepted (an SVG named fig-01.png, consistent checksums) is
    refused at cache load and run again; a reachable export with the same bad entry changes
    nothing (it is refused too); no temporary folders are left."""
    project = demo(tmp_path, "project")
    assert demo_project.build(project, COURSE_RESULTS_URL="off").returncode == 0
    cache = project / ".cache" / "snippets"
    key = next(p.name for p in cache.iterdir() if (p / "fig-01.png").is_file())
    forged = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    (cache / key / "fig-01.png").write_bytes(forged)
    record = json.loads((cache / key / "record.json").read_text())
    record["files"]["fig-01.png"] = entries.sha256(forged)
    (cache / key / "record.json").write_text(json.dumps(record))
    again = demo_project.build(project, COURSE_RESULTS_URL="off")
    assert again.returncode == 0, again.stderr
    assert "fig-01.png is not a PNG file" in again.stderr and "running it again" in again.stderr
    assert (project / "site" / "assets" / "snippets" / key / "fig-01.png").read_bytes().startswith(b"\x89PNG")
    assert len((project / "runs" / "b.py").read_text()) == 2  # ran once more
    third = demo_project.build(project, COURSE_RESULTS_URL="off")
    assert third.returncode == 0 and len((project / "runs" / "b.py").read_text()) == 2
    assert not [p.name for p in cache.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")]


def test_the_manifest_is_written_whole(project, exported):
    """A reader never sees a half-written manifest.json (a shard or a build rewriting it)."""
    import threading

    manifest = exported / "manifest.json"
    keys = list(json.loads(manifest.read_text())["entries"])
    failures, reads, done = [], [0], threading.Event()

    def reader():
        while not done.is_set():
            try:
                json.loads(manifest.read_bytes())
            except ValueError as exc:
                failures.append(exc)
            reads[0] += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(100):
            sharing.export(keys, exported, exported)
    finally:
        done.set()
        thread.join()
    assert reads[0] > 100 and not failures, f"{len(failures)} of {reads[0]} reads failed"
