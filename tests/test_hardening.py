"""Faults and injections that must end in a clear error or a repair, never a silent wrong site.

Each test builds its own throw-away data folder or project; none touches the real cache.
"""

from __future__ import annotations

import functools
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
        # every install reads a committed lock file with hashes (requirements.lock, or
        # .ci/properdocs.lock for CI's ProperDocs check, whose dependencies are in the main lock)
        unlocked = [i for i in installs if not re.search(r"--require-hashes -r (requirements|\.ci/\w+)\.lock\b", i)]
        assert not unlocked, f"{workflow.name}: installs without a hash lock: {unlocked}"
        for lock in re.findall(r"--require-hashes -r (\S+\.lock)", workflow.read_text(encoding="utf-8")):
            text = (ROOT / lock).read_text(encoding="utf-8")
            pins = re.findall(r"^[\w.-]+==[\w.]+", text, flags=re.M)
            assert pins and text.count("--hash=sha256:") >= len(pins), f"{lock}: every pin needs its hashes"


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


# --- Hardening 2 (issue 22): snippet processes, terminal output, --8<-- bypass, data, projects --


def wait_dead(pids, seconds: float) -> list[int]:
    """The ``pids`` still alive after up to ``seconds`` (killed, so nothing leaks from a test)."""
    deadline = time.monotonic() + seconds
    while any(process_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [p for p in pids if process_alive(p)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    return alive


def test_children_that_call_setsid_or_double_fork_end_with_the_snippet(project):
    snippet = project("escape.py", """
        import os
        import subprocess
        import time
        from pathlib import Path

        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        own_session = subprocess.Popen(["sleep", "60"], start_new_session=True, **quiet)
        read, write = os.pipe()
        if os.fork() == 0:  # double fork: the grandchild is orphaned, in a session of its own
            if os.fork() == 0:
                os.setsid()
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.write(write, str(os.getpid()).encode())
                time.sleep(60)
            os._exit(0)
        os.close(write)
        daemon = int(os.read(read, 32))
        Path("pids").write_text(f"{own_session.pid} {daemon}")
        print("started")
    """)
    project.run(snippet)
    pids = [int(p) for p in (project.root / "pids").read_text().split()]
    assert wait_dead(pids, 5) == [], "a process the snippet started outlived it"


def test_a_child_that_keeps_stdout_open_does_not_block_the_run(project):
    snippet = project("holder.py", """
        import subprocess
        from pathlib import Path

        holder = subprocess.Popen(["sleep", "20"], start_new_session=True)  # inherits stdout
        Path("pids").write_text(str(holder.pid))
        print("started")
    """)
    start = time.perf_counter()
    result = project.run(snippet)
    seconds = time.perf_counter() - start
    assert result.output == "started\n"
    assert wait_dead([int((project.root / "pids").read_text())], 5) == []
    assert seconds < 12, f"engine run waited {seconds:.1f} s for a child holding its output"


def start_long_snippet(project, **streams):
    """``engine run`` on a snippet that starts a ``setsid`` child and sleeps; returns the engine
    process and the file where the snippet wrote its own and its child's pid, once both are up."""
    snippet = project("long.py", """
        import os
        import subprocess
        import time
        from pathlib import Path

        child = subprocess.Popen(["sleep", "120"], start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        Path("pids").write_text(f"{os.getpid()} {child.pid}")
        time.sleep(120)
    """)
    env = dict(os.environ, COURSE_CACHE_DIR=str(project.root / "cache"))
    engine = subprocess.Popen(
        [sys.executable, "-m", "engine", "--project", str(project.root), "run", "--no-fetch", snippet],
        cwd=ROOT, env=env, **streams,
    )
    pids_file = project.root / "pids"
    deadline = time.monotonic() + 120
    while not (pids_file.is_file() and len(pids_file.read_text().split()) == 2):
        assert engine.poll() is None, engine.communicate()
        assert time.monotonic() < deadline, "the snippet never started"
        time.sleep(0.1)
    return engine, pids_file


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_stopping_engine_run_stops_the_snippet_and_everything_it_started(project, sig):
    engine, pids_file = start_long_snippet(project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    engine.send_signal(sig)
    try:
        out, err = engine.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        engine.kill()
        raise
    pids = [int(p) for p in pids_file.read_text().split()]
    # no grace: when `engine run` has returned, a re-run cannot meet the old snippet still running
    alive = [p for p in pids if process_alive(p)]
    wait_dead(pids, 0)
    assert alive == [], f"still running after engine run ended ({sig.name}): {alive}"
    assert engine.returncode != 0
    assert "interrupted" in err, err
    assert cache_folders(project) == []  # nothing cached, no temporary folder left


def test_sigint_stops_engine_run_even_when_started_with_it_ignored(project):
    """A background command of a non-interactive shell (`engine run &`, the stress script's
    pytest) starts with SIGINT ignored; `kill -INT` must still stop the run."""
    ignored = functools.partial(signal.signal, signal.SIGINT, signal.SIG_IGN)
    engine, pids_file = start_long_snippet(project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                           preexec_fn=ignored)
    engine.send_signal(signal.SIGINT)
    try:
        _, err = engine.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        engine.kill()
        raise
    assert "interrupted" in err, err


def test_ctrl_c_stops_both_snippets_of_a_two_job_run(project):
    code = """
        import os
        import subprocess
        import time
        from pathlib import Path

        child = subprocess.Popen(["sleep", "120"], start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        Path("pids-NAME").write_text(f"{os.getpid()} {child.pid}")
        time.sleep(120)
    """
    snippets = [project(f"{name}.py", code.replace("NAME", name)) for name in ("a", "b")]
    env = dict(os.environ, COURSE_CACHE_DIR=str(project.root / "cache"))
    engine = subprocess.Popen(
        [sys.executable, "-m", "engine", "--project", str(project.root), "run", "--no-fetch", "--jobs", "2",
         *snippets], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    files = [project.root / f"pids-{name}" for name in ("a", "b")]
    deadline = time.monotonic() + 120
    while not all(f.is_file() and len(f.read_text().split()) == 2 for f in files):
        assert engine.poll() is None, engine.communicate()
        assert time.monotonic() < deadline, "the snippets never started"
        time.sleep(0.1)
    engine.send_signal(signal.SIGINT)
    try:
        _, err = engine.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        engine.kill()
        raise
    pids = [int(p) for f in files for p in f.read_text().split()]
    alive = [p for p in pids if process_alive(p)]
    wait_dead(pids, 0)
    assert alive == [], f"still running after engine run --jobs 2 ended: {alive}"
    assert engine.returncode == 130 and "interrupted" in err, err


def test_killing_engine_run_outright_still_ends_the_snippet(project):
    engine, pids_file = start_long_snippet(project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine.kill()  # SIGKILL: no handler runs in the engine
    engine.wait()
    pids = [int(p) for p in pids_file.read_text().split()]
    assert wait_dead(pids, 10) == [], "the snippet outlived an engine killed with SIGKILL"


def test_control_characters_from_a_failing_snippet_are_shown_escaped(project):
    snippet = project("ansi.py", r"""
        print("\x1b[2J\x1b]0;owned\x07red\x1b[0m \r\x9b31m text\u202e")
        raise SystemExit(3)
    """)
    with pytest.raises(executor.SnippetError) as info:
        project.run(snippet)
    message = str(info.value)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", message), repr(message)
    assert r"\x1b[2J\x1b]0;owned\x07red\x1b[0m \r\x9b31m text\u202e" in message


LINE_BREAKS = ["\u2028", "\u2029", "\f", "\v", "\r", "\x1c", "\x1d", "\x1e", "\x85", "\r\n"]


def pages_markdown(includes: Path):
    """Markdown with the site's pymdownx.snippets settings (base path: ``includes``)."""
    import markdown as python_markdown

    def to_html(text: str) -> str:
        return python_markdown.markdown(text, extensions=[
            "pymdownx.snippets", "pymdownx.superfences", "admonition", "pymdownx.details", "attr_list",
            "md_in_html", "tables",
        ], extension_configs={"pymdownx.snippets": {
            "base_path": [str(includes)], "check_paths": True, "restrict_base_path": True}})

    return to_html


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=repr)
def test_a_line_break_python_sees_before_scissors_pulls_no_include_into_page_or_stream(project, tmp_path, brk):
    from engine.products import results
    from engine.site import stream
    from engine.site.markdown import expand

    includes = tmp_path / "includes"
    includes.mkdir()
    (includes / "secret.md").write_text("INCLUDED-SECRET\n")
    printed = f'x{brk}--8<-- "secret.md"\ny{brk}--8<--{brk}secret.md{brk}--8<--\nz{brk};--8<-- "secret.md"\n'
    snippet = project("show.py", "print('x')\n")
    record = {"device": "cpu", "torch": "2", "python": "3.11.7", "seconds": 1.0, "figures": [], "files": {}}
    result = executor.Result(snippet, "k" * 32, printed, [], {"v": f'a{brk}--8<-- "secret.md"'}, record)
    to_html = pages_markdown(includes)

    page = to_html(expand(f"# T\n\n::: snippet {snippet}\n", "en", lambda s: result, project=project.project))
    worker = stream.Worker(tmp_path / "site", to_html, project=project.project)
    worker.publish_result(result)
    fragment = (tmp_path / "site" / "assets" / "engine" / "fragments" / f"{result.key}-en.html").read_text()
    headline = results.Headline(2, snippet, ("v",), "值", "value", None)
    table = to_html(results.table("en", lambda s: result, [headline], project=project.project))
    for where, text in (("page", page), ("stream fragment", fragment), ("results table", table)):
        assert "INCLUDED-SECRET" not in text, where
        assert "--8<--" in html.unescape(text), where
    assert len(re.findall(r"<tr>", table)) == 2, table  # the header and one row: the value kept one line


def test_a_snippet_never_runs_on_registered_data_that_fails_its_check(project, monkeypatch):
    monkeypatch.setattr(data, "DATA_DIR", project.root / "data")
    entry = data.registry()["names_train.csv.gz"]
    good = (ROOT / "data" / entry.name).read_bytes()
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    entry.path.write_bytes(good[:-1000])  # truncated
    snippet = project("names.py", "import os\nsize = os.path.getsize('data/names_train.csv.gz')\nprint(size)\n")
    with pytest.raises(executor.SnippetError) as info:
        project.run(snippet)
    message = str(info.value)
    assert "names_train.csv.gz" in message and str(entry.size) in message, message
    assert cache_folders(project) == []

    entry.path.write_bytes(good)
    assert project.run(snippet).values["size"] == entry.size
    # same size, same mtime, other bytes: the checksum cache must notice (ctime changes)
    stat = entry.path.stat()
    entry.path.write_bytes(good[:100] + bytes([good[100] ^ 1]) + good[101:])
    os.utime(entry.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(executor.SnippetError, match=r"names_train\.csv\.gz: sha256"):
        project.run(snippet, use_cache=False)


def write_registry(folder: Path, files: dict, optional: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "registry.json").write_text(json.dumps({"files": files, "optional": optional or {}}))
    return folder / "registry.json"


@pytest.mark.parametrize("name, url, unpacked, optional", [
    ("../outside.csv.gz", "https://example.org/a.gz", None, None),
    ("/tmp/absolute.csv.gz", "https://example.org/a.gz", None, None),
    ("sub/../../outside.csv.gz", "https://example.org/a.gz", None, None),
    ("fine.csv.gz", "file:///etc/passwd", None, None),
    ("fine.csv.gz", "ftp://example.org/a.gz", None, None),
    ("fine.gz", "https://example.org/a.gz", "../../unpacked", None),
    ("fine.csv.gz", "https://example.org/a.gz", None, "../kaggle/train.csv"),
], ids=["dotdot", "absolute", "nested-dotdot", "file-url", "ftp-url", "unpacked-dotdot", "optional-dotdot"])
def test_registry_entries_that_leave_data_or_are_not_http_are_refused(tmp_path, monkeypatch, name, url,
                                                                      unpacked, optional):
    entry = {"url": url, "size": 1, "md5": "0" * 32, "sha256": "0" * 64}
    if unpacked:
        entry["unpacked"] = {"name": unpacked, "size": 1, "sha256": "0" * 64}
    registry = write_registry(tmp_path / "data", {name: entry}, {optional: {}} if optional else None)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(data, "REGISTRY", registry)
    bad = optional or unpacked or (name if url.startswith("https") else url)
    with pytest.raises(data.DataError, match=re.escape(bad)):
        data.registry()
        data.optional_files()
    with pytest.raises(data.DataError):
        data.prepare(shared=None, log=lambda message: None)
    assert not (tmp_path / "outside.csv.gz").exists() and not Path("/tmp/absolute.csv.gz").exists()


def test_building_another_project_with_the_engines_hooks_writes_into_that_project(tmp_path):
    project = tmp_path / "other"
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - engine/", f"  - {ROOT}/engine/").replace("  - engine\n", f"  - {ROOT}/engine\n")
    project.mkdir()
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "includes", project / "includes")
    shutil.copytree(ROOT / "docs" / "assets", project / "docs" / "assets")
    (project / "snippets" / "demo").mkdir(parents=True)
    (project / "snippets" / "demo" / "main.py").write_text("print('hello from the other project')\n")
    for lang, title in (("zh", "第 2 讲 演示"), ("en", "Lecture 2 Demo")):
        (project / "docs" / lang).mkdir()
        (project / "docs" / lang / "index.md").write_text(f"# {title}\n\n[→](lecture02-demo.md)\n")
        (project / "docs" / lang / "lecture02-demo.md").write_text(
            f"# {title}\n\n## Demo {{#demo}}\n\n::: snippet snippets/demo/main.py\n")
    # its own data: the course's registry, the archives linked, nothing unpacked yet
    shutil.copytree(ROOT / "data", project / "data", ignore=lambda d, names: [
        n for n in names if n not in ("registry.json", "MNIST", "raw")])
    for entry in data.registry().values():
        (project / "data" / entry.name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(ROOT / "data" / entry.name, project / "data" / entry.name)
    engine_notebooks = ROOT / ".cache" / "notebooks"
    before = {p: p.stat().st_mtime_ns for p in engine_notebooks.rglob("*")} if engine_notebooks.is_dir() else {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    env.update(NO_MKDOCS_2_WARNING="1", COURSE_RESULTS_URL="off")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    unpacked = project / "data" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    assert unpacked.is_file() and not unpacked.is_symlink(), "MNIST was not unpacked into the project"
    assert sorted(p.name for p in (project / ".cache" / "notebooks").rglob("*.ipynb")), "no notebook in the project"
    assert [p for p in (project / ".cache" / "snippets").iterdir() if p.is_dir()]
    after = {p: p.stat().st_mtime_ns for p in engine_notebooks.rglob("*")} if engine_notebooks.is_dir() else {}
    assert [p for p in after if "lecture02-demo" in p.name] == []
    assert {p: t for p, t in after.items() if before.get(p) != t and "demo" in str(p)} == {}


def test_a_stopped_supervisor_exits_as_killed_and_prints_nothing():
    """The time limit or an interrupted run stops the supervisor: it must end as if killed
    (no traceback of its own in the snippet's output)."""
    proc = subprocess.Popen(
        [sys.executable, "-I", "-S", str(executor.SUPERVISOR), str(os.getpid()), "--",
         "sh", "-c", "echo ready; exec sleep 60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline() == b"ready\n"  # handlers set, command started
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=40)
    assert err == b"", err.decode(errors="replace")
    assert proc.returncode == -signal.SIGKILL
