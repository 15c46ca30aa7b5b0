"""Streaming ``mkdocs serve``: pages answer at once, results appear in the open page.

A small project (tests/demo_project.py) with an empty cache: its first snippet waits until
the test releases it (a file appears), so "before the snippet finishes" does not depend on
the machine's speed; the second snippet is queued behind it.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

from tests import demo_project
from tests.browser import Watched

HELD = """
    import time
    from pathlib import Path
    deadline = time.monotonic() + 120
    while not Path("release").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    print("held snippet finished")
"""
QUICK = """
    import matplotlib.pyplot as plt
    plt.plot([1, 3, 2])
    print("quick snippet finished")
"""


@pytest.fixture
def served(tmp_path, request):
    """Served as ``make serve`` does (``--dirty``), or as plain ``mkdocs serve`` where a test
    asks for it (``indirect`` parameter False)."""
    root = demo_project.make(tmp_path / "demo", {"held.py": HELD, "quick.py": QUICK})
    serve = demo_project.Serve(root, dirty=getattr(request, "param", True), COURSE_RESULTS_URL="off")
    yield root, serve
    serve.close()


@pytest.mark.parametrize("served", [True, False], indirect=True, ids=["make-serve", "mkdocs-serve"])
def test_page_answers_with_placeholders_then_shows_results_without_restart(served, browser):
    root, serve = served
    serve.ready()
    first_page = time.monotonic() - serve.started
    html = urllib.request.urlopen(serve.url, timeout=10).read().decode()
    assert "一段说明文字" in html and "held.py" in html  # prose and code, before any result
    assert html.count("data-snippet-pending") == 2
    assert not (root / "release").exists()  # the held snippet cannot have finished

    # the livereload long poll stays open by design: not waited for
    with Watched(browser, serve.url, long_polls=("/livereload/",)) as watched:
        page = watched.goto(serve.url)  # ready: loaded, the theme's work done, nothing else waited for
        pending = page.locator(".snippet-pending")
        assert pending.count() == 2
        # the page's poll shows the held snippet running and the quick one first in the queue
        page.wait_for_function(
            "(([a, b]) => a.textContent.includes('正在后台运行') && b.textContent.includes('队列第 1 位'))"
            "(document.querySelectorAll('.snippet-pending-state'))"
        )
        (root / "release").write_text("go")
        page.wait_for_function(
            "document.body.innerText.includes('held snippet finished')"
            " && document.body.innerText.includes('quick snippet finished')",
            timeout=60_000,
        )
        page.wait_for_function("document.querySelectorAll('img[src*=\"assets/snippets/\"]').length == 1")
        assert page.locator(".snippet-pending").count() == 0
        page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        # The rebuild after the last result reloads the page (livereload): requests in flight at
        # that moment (a poll, a fragment, a figure) are cut off, which is not a fault of the page.
        problems = [p for p in watched.problems if "/livereload/" not in p and not p.endswith("net::ERR_ABORTED")]
        assert problems == []
    serve.wait_for(r"\[2/2\] snippets done")
    assert first_page < 60, serve.log()


def test_edited_snippet_runs_again_alone_and_prose_edits_run_nothing(served):
    root, serve = served
    (root / "release").write_text("go")
    serve.ready()
    serve.wait_for(r"\[2/2\] snippets done", timeout=90)
    serve.wait_for(r"course: \w+ build showed 2 snippets: 0 run, 2 from cache", timeout=60)
    quick = root / "snippets" / "demo" / "quick.py"
    quick.write_text(quick.read_text() + "print('edited')\n")
    serve.wait_for(r"\[1/2\] running snippets/demo/quick.py", timeout=60)
    serve.wait_for(r"\[2/2\] snippets done", timeout=60, count=2)
    page = root / "docs" / "index.md"
    page.write_text(page.read_text().replace("一段说明文字", "改过的说明文字"))
    deadline = time.monotonic() + 30
    while "改过的说明文字" not in urllib.request.urlopen(serve.url, timeout=10).read().decode():
        assert time.monotonic() < deadline, serve.log()
        time.sleep(0.2)
    log = serve.log()
    assert log.count("snippet snippets/demo/quick.py: ran") == 2
    assert log.count("snippet snippets/demo/held.py: ran") == 1


def snippet_processes(root) -> list[str]:
    """The held snippet's processes: a fresh interpreter (``engine.core._child held.py``) or a child
    of the fork server (its command line is the server's; its working folder is the project)."""
    import os
    from pathlib import Path

    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(cmdline.parent / "cwd")
        except OSError:
            continue
        if "engine.core._child snippets/demo/held.py" in text and str(root) in text:
            found.append(text)
        elif "engine.core._forkserver" in text and Path(cwd) == Path(root).resolve():
            found.append(text)
    return found


def test_stopping_the_server_stops_the_snippet_it_runs(served):
    root, serve = served
    serve.wait_for(r"running snippets/demo/held.py", timeout=90)
    deadline = time.monotonic() + 10
    while not snippet_processes(root):
        assert time.monotonic() < deadline, "the held snippet never started"
        time.sleep(0.1)
    serve.close()
    deadline = time.monotonic() + 10
    while snippet_processes(root):
        assert time.monotonic() < deadline, "the snippet outlived the server"
        time.sleep(0.1)


def test_the_page_a_reader_opens_runs_first(tmp_path, monkeypatch):
    from engine.core import executor, pages
    from engine.core.project import Project
    from engine.site.stream import Worker

    project = Project(tmp_path, tmp_path / "cache")
    (tmp_path / "snippets").mkdir()
    names = [f"snippets/s{i}.py" for i in range(4)]
    for name in names:
        (tmp_path / name).write_text(f"# {name}\n")
    worker = Worker(tmp_path / "site", to_html=str, project=project)
    worker.submit(names)
    worker.prefer([names[3], names[2]])
    assert [s for s, _ in worker.queue] == [names[3], names[2], names[0], names[1]]
    assert worker.pending(names[0]).position == 3
    state = (tmp_path / "site" / "assets" / "engine" / "queue.json").read_text()
    assert state.index(executor.cache_key(names[3], project=project)) < state.index(
        executor.cache_key(names[0], project=project))
    assert pages.page_url("zh/lecture03-gradient-descent.md") == "lecture03-gradient-descent/"
    assert pages.page_url("en/index.md") == "en/" and pages.page_url("zh/index.md") == ""
