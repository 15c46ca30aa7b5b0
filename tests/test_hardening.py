"""Faults and injections that must end in a clear error or a repair, never a silent wrong site.

Each test builds its own throw-away data folder or project; none touches the real cache.
"""

from __future__ import annotations

import gzip
import html
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from engine.core import data, executor
from engine.core.project import ENGINE_HOME as ROOT

MNIST_LABELS = "MNIST/raw/t10k-labels-idx1-ubyte.gz"


@pytest.fixture
def linked_data(tmp_path, monkeypatch):
    """A data folder whose registered archives link to the project's verified ones."""
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "data")
    for entry in data.registry().values():
        entry.path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(data.ROOT / "data" / entry.name, entry.path)
    return tmp_path / "data"


def test_a_corrupted_unpacked_mnist_file_is_extracted_again(linked_data):
    unpacked = linked_data / MNIST_LABELS.removesuffix(".gz")
    good = gzip.decompress((linked_data / MNIST_LABELS).read_bytes())
    unpacked.write_bytes(good[:-100] + b"\xff" * 100)  # same size, wrong labels
    messages = []
    data.prepare(shared=None, log=messages.append)
    assert unpacked.read_bytes() == good
    assert any("t10k-labels-idx1-ubyte" in m and "extracting it again" in m for m in messages)


def test_a_broken_anchor_fails_the_strict_build(tmp_path):
    """The project's link validation settings, applied to a two-page site with one broken anchor."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", ""))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n[fine](other.md#here) and [broken](other.md#missing)\n")
    (docs / "other.md").write_text("# Other\n\n## Here\n\n[broken too](#nowhere)\n")
    mini = {"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "site")}
    mini["validation"] = config.get("validation", {})
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(mini))
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "mkdocs.yml")],
        capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    assert proc.returncode != 0, proc.stderr
    assert "does not contain an anchor '#missing'" in proc.stderr
    assert "'#nowhere', but there is no such anchor" in proc.stderr
    assert "#here" not in proc.stderr


def mini_site(tmp_path, snippets: dict[str, str], page: str = "::: snippet snippets/demo/main.py\n"):
    """A copy of the project's configuration and engine with one lecture page per language
    showing ``page``; ``snippets`` maps file names under snippets/demo/ to code.
    Returns ``build()``: runs ``mkdocs build --strict`` there, -> CompletedProcess."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("engine", "includes"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs" / "assets", project / "docs" / "assets")  # the hooks' scripts and styles
    os.symlink(ROOT / "data", project / "data")
    (project / "snippets" / "demo").mkdir(parents=True)
    for name, code in snippets.items():
        (project / "snippets" / "demo" / name).write_text(textwrap.dedent(code))
    for lang, title in (("zh", "第 2 讲 演示"), ("en", "Lecture 2 Demo")):
        (project / "docs" / lang).mkdir()
        (project / "docs" / lang / "index.md").write_text(f"# {title}\n\n[→](lecture02-demo.md)\n")
        (project / "docs" / lang / "lecture02-demo.md").write_text(f"# {title}\n\n## Demo {{#demo}}\n\n{page}")

    def build(**environment):
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", COURSE_CACHE_DIR=str(project / ".cache" / "snippets"))
        env.update(COURSE_RESULTS_URL="off", **environment)  # never fetch published results
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict"],
            cwd=project, env=env, capture_output=True, text=True,
        )

    build.project = project
    return build


@pytest.mark.parametrize("snippets, page, execute, message", [
    # COURSE_EXECUTE=0: the error comes from building the lecture's notebook
    ({}, "::: snippet snippets/demo/missing.py\n", "0",
     "zh/lecture02-demo.md: snippets/demo/missing.py: no such snippet file"),
    ({}, "::: snippet snippets/demo/missing.py\n", "1",
     "zh/lecture02-demo.md: snippets/demo/missing.py: no such snippet file"),
    ({"main.py": "print('x'\n"}, "::: snippet snippets/demo/main.py\n", "1",
     "snippets/demo/main.py: '(' was never closed"),
])
def test_a_snippet_error_while_building_notebooks_ends_in_one_paragraph(tmp_path, snippets, page, execute, message):
    build = mini_site(tmp_path, snippets, page=page)
    proc = build(COURSE_EXECUTE=execute)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr


def locked_packages() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock: normalised name -> (version, sha256 hashes)."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    packages = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", block)
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            packages[name] = (match.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return packages


def test_every_pin_is_locked_with_hashes():
    locked = locked_packages()
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name, version = line.split("==")
        name = re.sub(r"[-_.]+", "-", name).lower()
        assert name in locked, f"{name} is in requirements.txt but not in requirements.lock: run `make lock`"
        assert locked[name][0] == version, (
            f"{name}: requirements.txt says {version}, the lock {locked[name][0]}: run `make lock`"
        )
    assert len(locked) > 100  # the dependencies too, not only the top-level pins
    assert all(hashes for _, hashes in locked.values())
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    for workflow in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        installs = re.findall(r"pip install [^\n]*", workflow.read_text(encoding="utf-8"))
        unlocked = [i for i in installs if "--require-hashes -r requirements.lock" not in i]
        assert not unlocked, f"{workflow.name}: installs without the lock: {unlocked}"


# --- the executor: a throw-away project, as in tests/test_engine.py ---------------------------


def cache_folders(project) -> list[str]:
    """Every folder in the cache, finished entries and temporary ones."""
    return sorted(p.name for p in (project.root / "cache").iterdir() if p.is_dir())


def test_a_snippet_that_exits_early_gets_a_clear_error(project):
    snippet = project("early.py", "print('half way')\nimport sys\nsys.exit(0)\nprint('never')\n")
    with pytest.raises(executor.SnippetError) as info:
        project.run(snippet)
    message = str(info.value)
    assert "snippets/demo/early.py" in message and "half way" in message
    assert "before its end" in message and "sys.exit" in message
    assert cache_folders(project) == []  # no temporary folder left behind


def test_output_has_a_size_limit(project, monkeypatch):
    monkeypatch.setattr(executor, "MAX_OUTPUT_BYTES", 100_000, raising=False)
    snippet = project("chatty.py", "for i in range(200_000):\n    print('x' * 50)\n")
    start = time.perf_counter()
    with pytest.raises(executor.SnippetError, match=r"printed more than 100000 bytes") as info:
        project.run(snippet)
    assert "COURSE_SNIPPET_MAX_OUTPUT" in str(info.value)
    assert len(str(info.value)) < 20_000  # the message shows the start of the output, not all of it
    assert time.perf_counter() - start < 20
    assert cache_folders(project) == []


def process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_processes_a_snippet_leaves_behind_end_with_it(project):
    snippet = project("spawn.py", """
        import subprocess
        from pathlib import Path
        child = subprocess.Popen(["sleep", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        Path("child.pid").write_text(str(child.pid))
        print("started")
    """)
    project.run(snippet)
    pid = int((project.root / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = process_alive(pid)
    if alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "the snippet's background process outlived it"


@pytest.fixture
def entry(project):
    """A fresh cache entry: ``(folder, snippet, key)``; ``entry_loads(entry)`` tells whether
    the executor accepts it."""
    snippet = project("plain.py", "print('hello')\n")
    result = project.run(snippet)
    return project.root / "cache" / result.key, snippet, result.key


def entry_loads(entry) -> bool:
    return executor.load(*entry) is not None


def edit_record(entry, **changes) -> None:
    record_file = entry[0] / "record.json"
    record = json.loads(record_file.read_text())
    record.update(changes)
    record_file.write_text(json.dumps(record))


def test_a_cache_entry_with_files_its_record_does_not_list_is_refused(entry):
    assert entry_loads(entry)
    (entry[0] / "fig-99.png").write_bytes(b"\x89PNG not listed in the record")
    assert not entry_loads(entry)


def test_a_cache_entry_whose_record_names_an_unlisted_figure_is_refused(entry):
    edit_record(entry, figures=["../../../etc/passwd"])
    assert not entry_loads(entry)


def test_a_cache_entry_with_a_record_value_that_is_not_plain_is_refused(entry):
    pristine = (entry[0] / "record.json").read_text()
    for field, value in [
        ("torch", '2.14.1<img src=x onerror="alert(1)">'),
        ("python", '3.11\n--8<-- "abbreviations.md"'),
        ("device", "<script>alert(1)</script>"),
        ("seconds", "1.0<b>"),
    ]:
        (entry[0] / "record.json").write_text(pristine)
        assert entry_loads(entry)
        edit_record(entry, **{field: value})
        assert not entry_loads(entry), field


def test_a_snippet_that_fakes_its_torch_version_fails(project):
    snippet = project("fake.py", """
        import torch
        torch.__version__ = '<img src=x onerror="alert(1)">'
    """)
    with pytest.raises(executor.SnippetError, match=r"its run record is not plain \(torch"):
        project.run(snippet)


def test_run_record_values_are_escaped_on_the_page(project):
    from engine.site.markdown import render_result

    record = {"device": "<i>cpu</i>", "torch": "<b>2</b>", "python": "<u>3</u>", "seconds": 1.0,
              "figures": [], "files": {}}
    result = executor.Result("snippets/demo/x.py", "k", "out\n", [], {}, record)
    page = render_result(result, "en", "")
    assert "<b>" not in page and "<u>" not in page and "<i>" not in page
    assert "&lt;b&gt;2&lt;/b&gt;" in page and "&lt;u&gt;3&lt;/u&gt;" in page


def test_damaged_cache_entry_is_repaired_with_an_info_message(project, caplog):
    snippet = project("plain.py", "print('hello')\n")
    first = project.run(snippet)
    (project.root / "cache" / first.key / "output.txt").write_text("tampered\n")
    with caplog.at_level(logging.INFO, logger="mkdocs.course"):
        second = project.run(snippet)
    assert not second.cached and second.output == "hello\n"
    assert any("damaged" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


PRINTED = [
    '--8<-- "abbreviations.md"',
    "--8<--",
    "abbreviations.md",
    "--8<--",
    "before --8<-- [start:demo] after",
    ';--8<-- "escaped.md"',
    "<script>alert(1)</script>",
    "[link](javascript:alert(1)) **bold**",
    "```",
]


def test_printed_snippet_syntax_and_html_are_shown_as_printed_and_a_repair_keeps_strict_green(tmp_path):
    code = "".join(f"print({line!r})\n" for line in PRINTED)
    build = mini_site(tmp_path, {"main.py": code})
    proc = build()
    assert proc.returncode == 0, proc.stderr
    page = (build.project / "site" / "en" / "lecture02-demo" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and 'href="javascript' not in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page)).splitlines()
    start = text.index("Output" + PRINTED[0])  # the block's title, then its first line
    assert text[start:start + len(PRINTED)] == ["Output" + PRINTED[0], *PRINTED[1:]]

    # a damaged cache entry: run again, reported, and the strict build still passes
    entries = [p for p in (build.project / ".cache" / "snippets").iterdir() if p.is_dir()]
    assert len(entries) == 1
    (entries[0] / "output.txt").write_text("tampered\n")
    proc = build()
    assert proc.returncode == 0, proc.stderr
    assert "is damaged" in proc.stderr and "running it again" in proc.stderr


def test_a_results_value_from_a_run_is_shown_as_text(monkeypatch):
    import markdown as python_markdown

    from engine.products import results

    hostile = '<img src=x onerror="alert(1)"> | [a](javascript:alert(1)) *b* \\ --8<-- [start:x]'
    headline = results.Headline(2, "snippets/demo/x.py", ("v",), "值", "value", None)
    record = {"device": "cpu", "torch": "2", "python": "3.11.7", "seconds": 1.0, "figures": [], "files": {}}
    result = executor.Result("snippets/demo/x.py", "k", "", [], {"v": hostile}, record)
    monkeypatch.setattr(results, "check", lambda *args: None)  # the demo snippet does not exist
    table = results.table("en", lambda snippet: result, [headline])
    page = python_markdown.markdown(
        table, extensions=["tables", "pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(ROOT / "includes")]}},
    )
    assert "<img" not in page and "href" not in page and "<em>" not in page
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert html.unescape(cells[2]) == hostile
