"""Shared fixtures: snippets run through the build engine, so tests and the
site share one execution (``.cache/snippets``)."""

from __future__ import annotations

import functools
import os
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.core import executor  # noqa: E402
from engine.core.project import Project  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "cuda: checks that need a GPU; skipped without one, failing instead when REQUIRE_CUDA=1",
    )


@pytest.fixture(scope="session")
def run_snippet():
    """``run_snippet("snippets/...py")`` -> :class:`engine.core.executor.Result` (cached)."""
    return executor.run


@pytest.fixture
def project(tmp_path):
    """A throw-away project (its own ``snippets/`` and cache, never the real ones);
    ``write(name, code)`` adds ``snippets/demo/<name>`` and returns its path. ``write.project``
    is its :class:`Project`; ``write.run``, ``write.cached`` and ``write.cache_key`` are the
    executor's functions on it."""
    (tmp_path / "snippets" / "demo").mkdir(parents=True)

    def write(name: str, code: str) -> str:
        path = tmp_path / "snippets" / "demo" / name
        path.write_text(textwrap.dedent(code))
        return f"snippets/demo/{name}"

    write.root = tmp_path
    write.project = Project(tmp_path, tmp_path / "cache")
    write.run = functools.partial(executor.run, project=write.project)
    write.cached = functools.partial(executor.cached, project=write.project)
    write.cache_key = functools.partial(executor.cache_key, project=write.project)
    return write


@pytest.fixture(scope="session")
def cuda_device():
    """The CUDA device, or skip (fail under REQUIRE_CUDA=1) when there is none."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    if os.environ.get("REQUIRE_CUDA") == "1":
        pytest.fail("REQUIRE_CUDA=1 but torch.cuda.is_available() is False: no GPU was found")
    pytest.skip("no GPU here (set REQUIRE_CUDA=1 to make this a failure)")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory):
    """The site built once per test session as ``make build`` builds it: ``mkdocs build
    --strict``, then its PDFs into ``pdf/`` (``python -m engine.products.pdf``), which the home pages link.

    Snippets run through the same cache as the tests, so nothing runs twice. Under pytest-xdist
    (``make test`` runs ``pytest -n auto``) the first worker that needs the site builds it for all
    of them; a failed build fails every worker's tests with the same message.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build_site(tmp_path_factory.mktemp("site") / "site")
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every worker
    target, failure = shared / "site", shared / "site-build-failed.txt"
    with FileLock(str(shared / "site.lock")):
        if failure.is_file():
            pytest.fail(failure.read_text(encoding="utf-8"))
        if not (target / "index.html").is_file():
            try:
                _build_site(target)
            except pytest.fail.Exception as exc:
                failure.write_text(str(exc), encoding="utf-8")
                raise
    return target


def _build_site(target: Path) -> Path:
    import subprocess

    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}")
    proc = subprocess.run(
        [sys.executable, "-m", "engine.products.pdf", str(target), str(target / "pdf")],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"python -m engine.products.pdf failed:\n{proc.stdout}\n{proc.stderr}")
    return target


@pytest.fixture(scope="session")
def site(request) -> Path:
    """The site under test: ``site_dir`` (built for this session), or an already built site
    named by COURSE_SITE_DIR (e.g. ``COURSE_SITE_DIR=site pytest tests/test_browser.py`` after
    ``make build``; a site built by ``mkdocs build`` alone lacks the PDFs the home pages link)."""
    given = os.environ.get("COURSE_SITE_DIR")
    if given:
        return Path(given).resolve()
    return request.getfixturevalue("site_dir")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium through Playwright (skipped without it, failing under CI)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    from tests.browser import LAUNCH_ARGS, browser_required, chromium_executable

    with playwright_api.sync_playwright() as p:
        executable = chromium_executable(p)
        if executable is None:
            message = "no chromium (COURSE_CHROMIUM, playwright's own, or apt-get install chromium)"
            if browser_required():
                pytest.fail(message)
            pytest.skip(message)
        launched = p.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def base_url(site):
    """The site under test served on localhost."""
    from tests.browser import StaticServer

    with StaticServer(site) as server:
        yield server.url


@pytest.fixture()
def watched(browser, base_url):
    """A desktop-sized :class:`tests.browser.Watched` page."""
    from tests.browser import Watched

    w = Watched(browser, base_url, viewport={"width": 1280, "height": 900})
    yield w
    w.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test with browser pages open explains them (URL, document state, screenshot in
    ``.cache/browser-failures/<test>/``, tests/browser.py); what was explained during the test
    (a page not ready in time, a page closed by a failing ``with`` block) goes into its report."""
    outcome = yield
    report = outcome.get_result()
    browser = sys.modules.get("tests.browser")
    if browser is None:
        return
    if report.when == "call" and report.failed:
        browser.explain_open_pages(f"{item.nodeid} failed")
    explained = browser.take_explanations()
    if explained and report.failed:
        report.sections.append(("browser pages at the failure", "\n\n".join(explained)))
