"""``mkdocs serve --dirty`` (``make serve``): a rebuild renders only what changed, and is right.

The unit tests check :mod:`engine.site.rebuilds`' decisions; the serve tests run a small project
(tests/demo_project.py) and compare what a dirty rebuild serves with a full build of the same
files, then check the real site's search index after a dirty rebuild.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest

from engine.core import executor
from engine.core.project import Project
from engine.site import rebuilds
from engine.tools import bench
from tests import demo_project

# --- decisions (no MkDocs) -------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A project with two snippets (the trackers below are given its :class:`Project`)."""
    root = tmp_path / "project"
    (root / "snippets" / "demo").mkdir(parents=True)
    (root / "snippets" / "demo" / "a.py").write_text("print('a')\n")
    (root / "snippets" / "demo" / "b.py").write_text("print('b')\n")
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text("site_name: x\n")
    return root


PAGES = {
    "site/index.html": "# Home\n\n::: snippet snippets/demo/a.py\n",
    "site/other/index.html": "# Other\n\nNo snippet.\n\n```\n::: snippet snippets/demo/b.py\n```\n",
}


def test_first_build_renders_all_then_nothing_until_something_changes(project):
    tracker = rebuilds.Tracker(Project.at(project))
    fp = rebuilds.global_fingerprint(project, project / "docs")
    assert sorted(tracker.stale("zh", fp, PAGES)) == sorted(PAGES)
    tracker.new_rebuild()
    assert tracker.stale("zh", fp, PAGES) == []
    assert tracker.stale("en", fp, PAGES) == list(PAGES)  # another language: its own first build


def test_an_edited_snippet_renders_the_pages_that_show_it(project):
    tracker = rebuilds.Tracker(Project.at(project))
    fp = rebuilds.global_fingerprint(project, project / "docs")
    tracker.stale("zh", fp, PAGES)
    (project / "snippets" / "demo" / "a.py").write_text("print('a, edited')\n")
    (project / "snippets" / "demo" / "b.py").write_text("print('b, edited')\n")  # shown in a fence only
    tracker.new_rebuild()
    assert tracker.stale("zh", fp, PAGES) == ["site/index.html"]


def test_a_result_that_arrives_renders_its_page(project, monkeypatch):
    tracker = rebuilds.Tracker(Project.at(project))
    fp = rebuilds.global_fingerprint(project, project / "docs")
    tracker.stale("zh", fp, PAGES)
    monkeypatch.setattr(executor, "cached", lambda snippet, key=None, project=None: object())  # now cached
    tracker.new_rebuild()
    assert tracker.stale("zh", fp, PAGES) == ["site/index.html"]


def test_configuration_includes_and_new_pages_render_everything(project):
    tracker = rebuilds.Tracker(Project.at(project))
    docs = project / "docs"
    tracker.stale("zh", rebuilds.global_fingerprint(project, docs), PAGES)
    for change in (
        lambda: (project / "mkdocs.yml").write_text("site_name: y\n"),
        lambda: (project / "includes").mkdir() or (project / "includes" / "terms.yml").write_text("x"),
        lambda: (docs / "new-page.md").write_text("# New\n"),
    ):
        change()
        tracker.new_rebuild()
        assert sorted(tracker.stale("zh", rebuilds.global_fingerprint(project, docs), PAGES)) == sorted(PAGES)
        tracker.new_rebuild()
        assert tracker.stale("zh", rebuilds.global_fingerprint(project, docs), PAGES) == []


def test_a_changed_title_renders_every_page_in_the_next_rebuild(project):
    tracker = rebuilds.Tracker(Project.at(project))
    fp = rebuilds.global_fingerprint(project, project / "docs")
    tracker.stale("zh", fp, PAGES)
    tracker.rendered("site/other/index.html", "Other", {})
    tracker.new_rebuild()
    tracker.stale("zh", fp, PAGES)
    tracker.rendered("site/other/index.html", "Other page", {})  # its H1 was edited
    tracker.new_rebuild()
    assert sorted(tracker.stale("zh", fp, PAGES)) == sorted(PAGES)
    tracker.new_rebuild()
    assert tracker.stale("zh", fp, PAGES) == []


def test_search_keeps_the_documents_of_pages_not_rendered():
    search = rebuilds.SearchDocs()
    search.new_rebuild()
    search.pages |= {"", "other/", "gone/"}
    search.rendered |= {"", "other/", "gone/"}
    first = [{"location": "", "text": "home"}, {"location": "other/", "text": "other"},
             {"location": "other/#part", "text": "part"}, {"location": "gone/", "text": "gone"}]
    assert search.merge(first) == first
    search.new_rebuild()
    search.pages |= {"", "other/"}  # gone/ was deleted
    search.rendered.add("other/")
    merged = search.merge([{"location": "other/", "text": "other, edited"}])
    assert merged == [{"location": "", "text": "home"}, {"location": "other/", "text": "other, edited"}]


# --- served (a small project, and the real site) --------------------------------------------

QUICK = """
    print("quick snippet finished")
"""
OTHER = """\
    # Other page

    Some words about nothing in particular.
"""
NAV_LINK = re.compile(r'class="md-nav__link[^"]*"[^>]*>\s*(?:<span[^>]*>)?\s*([^<]+?)\s*<', re.S)


def get(url: str) -> str:
    return urllib.request.urlopen(url, timeout=10).read().decode()


def nav_titles(html: str) -> list[str]:
    return NAV_LINK.findall(html)


def wait_until(fetch, predicate, serve, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        text = fetch()
        if predicate(text):
            return text
        assert time.monotonic() < deadline, serve.log()
        time.sleep(0.2)


def test_dirty_rebuilds_serve_what_a_full_build_would(tmp_path):
    root = demo_project.make(tmp_path / "demo", {"quick.py": QUICK}, pages={"other.md": OTHER})
    serve = demo_project.Serve(root, COURSE_RESULTS_URL="off")
    try:
        url = serve.ready()
        serve.wait_for(r"\[1/1\] snippets done", timeout=90)
        wait_until(lambda: get(url), lambda t: "quick snippet finished" in t, serve)

        home = root / "docs" / "index.md"  # prose edit: only that page renders
        home.write_text(home.read_text().replace("一段说明文字", "改过的说明文字"))
        served_home = wait_until(lambda: get(url), lambda t: "改过的说明文字" in t, serve)
        assert re.search(r"rendering 1 of 2 pages", serve.log()), serve.log()
        served_other = get(url + "other/")
        full = demo_project.build(root, COURSE_RESULTS_URL="off")
        assert full.returncode == 0, full.stderr
        built_home = (root / "site" / "index.html").read_text()
        built_other = (root / "site" / "other" / "index.html").read_text()
        assert nav_titles(served_home) == nav_titles(built_home)
        assert nav_titles(served_other) == nav_titles(built_other)
        assert "Other page" in nav_titles(served_home) and "None" not in nav_titles(served_home)

        quick = root / "snippets" / "demo" / "quick.py"  # the page showing it renders again
        quick.write_text(quick.read_text() + "print('edited snippet')\n")
        wait_until(lambda: get(url), lambda t: "edited snippet" in t and "data-snippet-pending" not in t,
                   serve, timeout=90)

        other = root / "docs" / "other.md"  # a new title: every page's navigation shows it
        other.write_text(other.read_text().replace("# Other page", "# Renamed page"))
        wait_until(lambda: get(url), lambda t: "Renamed page" in nav_titles(t), serve)
        assert "title changed" in serve.log()
    finally:
        serve.close()


def test_the_site_search_index_stays_whole_after_a_dirty_rebuild(tmp_path):
    work = bench.workspace(Project.at(), None)
    serve = demo_project.Serve(work, COURSE_EXECUTE="0", COURSE_RESULTS_URL="off")
    try:
        url = serve.ready(timeout=300)

        def index() -> dict[str, set[str]]:
            return {lang: {doc["location"] for doc in json.loads(get(f"{url}search/index-{lang}.json"))["docs"]}
                    for lang in ("zh", "en")}

        before = index()
        assert all(len(locations) > 100 for locations in before.values())
        for lang in ("zh", "en"):  # the home page of each language, one rebuild each
            page = work / "docs" / lang / "index.md"  # the theme keeps the others, not the home page
            page.write_text(page.read_text(encoding="utf-8") + f"\nAdded by the test ({lang}).\n",
                            encoding="utf-8")
            serve.wait_for(rf"{lang}: rendering 1 of \d+ pages", timeout=120)
            serve.wait_for(r"Documentation built in", timeout=120, count=2 if lang == "zh" else 3)
            assert index() == before
            texts = json.loads(get(f"{url}search/index-{lang}.json"))["docs"]
            assert any(f"Added by the test ({lang})" in d["text"] for d in texts)
    finally:
        serve.close()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


def test_make_serve_serves_dirty():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert re.search(r"^serve: setup\n(?:#.*\n)?\t\$\(BIN\)/mkdocs serve --dirty$", makefile, re.M)
