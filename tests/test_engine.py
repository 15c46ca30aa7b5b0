"""The build engine: execution, cache and failure behaviour, directive expansion.

Every test works on a throw-away project in a temporary folder (its own
``snippets/`` and cache), so it never touches the real cache.
"""

from __future__ import annotations

import dataclasses
import io
import json
import textwrap
import time

import pytest

from engine import core
from engine.core import executor
from engine.site.markdown import MAX_OUTPUT_LINES, expand, find_directives

COUNTING = """
    from pathlib import Path
    counter = Path("runs.txt")
    counter.write_text(counter.read_text() + "x" if counter.exists() else "x")
    answer = 6 * 7
    print("answer", answer)
"""


def entries(project) -> list:
    """Cache entries (folders); lock files do not count."""
    return [p for p in (project.root / "cache").iterdir() if p.is_dir()]


def runs(project) -> int:
    return len((project.root / "runs.txt").read_text())


def test_run_captures_output_values_figures_and_record(project):
    snippet = project("plot.py", """
        import matplotlib.pyplot as plt
        import numpy as np
        w = np.float64(2.5)
        losses = [3.0, 1.0, 0.5]
        plt.plot(losses)
        plt.show()
        plt.figure()
        plt.plot([1, 2])
        print("done")
    """)
    result = project.run(snippet)
    assert result.output == "done\n"
    assert result.values["w"] == 2.5
    assert result.values["losses"] == [3.0, 1.0, 0.5]
    assert "np" not in result.values and "plt" not in result.values
    assert [f.name for f in result.figures] == ["fig-01.png", "fig-02.png"]
    assert all(f.read_bytes().startswith(b"\x89PNG") for f in result.figures)
    assert result.record["device"] == "cpu"
    assert result.record["seconds"] > 0
    assert not result.cached


def test_second_run_comes_from_cache_without_executing(project):
    snippet = project("count.py", COUNTING)
    first = project.run(snippet)
    second = project.run(snippet)
    assert runs(project) == 1
    assert second.cached and not first.cached
    assert second.output == first.output == "answer 42\n"
    assert second.values["answer"] == 42


def test_editing_a_snippet_runs_that_snippet_only(project):
    edited = project("count.py", COUNTING)
    other = project("other.py", "print('other')\n")
    project.run(edited)
    project.run(other)
    project("count.py", COUNTING.replace("6 * 7", "6 * 8"))
    assert project.run(edited).values["answer"] == 48  # not the stale 42
    assert project.run(other).cached
    assert runs(project) == 2


def test_editing_an_imported_sibling_module_reruns(project):
    project("helper.py", "FACTOR = 2\n")
    snippet = project("main.py", "from helper import FACTOR\nvalue = 21 * FACTOR\n")
    assert project.run(snippet).values["value"] == 42
    project("helper.py", "FACTOR = 3\n")
    result = project.run(snippet)
    assert not result.cached and result.values["value"] == 63


def test_key_includes_registered_data_files(project, monkeypatch):
    from engine.core import data

    plain = project("a.py", "x = 1\n")
    reads_data = project("b.py", "path = 'data/diabetes.csv.gz'\n")
    assert [f.name for f in executor.data_files([(project.root / reads_data).read_bytes()])] == ["diabetes.csv.gz"]
    before = {s: project.cache_key(s) for s in (plain, reads_data)}
    changed = dict(data.registry())
    changed["diabetes.csv.gz"] = dataclasses.replace(changed["diabetes.csv.gz"], sha256="0" * 64)
    monkeypatch.setattr(data, "registry", lambda folder=None: changed)
    assert project.cache_key(plain) == before[plain]  # names no data file
    assert project.cache_key(reads_data) != before[reads_data]  # the data file it names changed


def test_changing_the_snippet_runner_changes_every_key(project, monkeypatch):
    """engine/core/_child.py decides what a result holds (figure dpi, values): its bytes are keyed."""
    import hashlib

    snippet = project("a.py", "x = 1\n")
    runner = executor.ENGINE_HOME / "engine" / "core" / "_child.py"
    assert executor.RUNNER_DIGEST == hashlib.sha256(runner.read_bytes()).hexdigest()
    before = project.cache_key(snippet)
    monkeypatch.setattr(executor, "RUNNER_DIGEST", hashlib.sha256(b"figures at another dpi").hexdigest())
    assert project.cache_key(snippet) != before


def test_error_names_the_file_shows_the_traceback_and_caches_nothing(project):
    snippet = project("broken.py", "print('before')\n1 / 0\n")
    with pytest.raises(executor.SnippetError) as info:
        project.run(snippet)
    message = str(info.value)
    assert "snippets/demo/broken.py" in message
    assert "ZeroDivisionError" in message and "Traceback" in message and "before" in message
    assert not entries(project)


def test_timeout_stops_the_snippet_and_caches_nothing(project):
    snippet = project("slow.py", "import time\ntime.sleep(60)\n")
    start = time.perf_counter()
    with pytest.raises(executor.SnippetTimeout, match="stopped after 2 s"):
        project.run(snippet, timeout=2)
    assert time.perf_counter() - start < 20
    assert not entries(project)


def test_damaged_cache_entry_is_run_again(project):
    snippet = project("count.py", COUNTING)
    first = project.run(snippet)
    (project.root / "cache" / first.key / "output.txt").write_text("tampered\n")
    second = project.run(snippet)
    assert not second.cached and second.output == "answer 42\n"
    assert runs(project) == 2


def test_same_figure_bytes_on_every_run(project):
    snippet = project("random_plot.py", """
        import matplotlib.pyplot as plt
        import numpy as np
        rng = np.random.default_rng(0)
        plt.plot(rng.random(50))
        plt.title("seeded")
    """)
    first = project.run(snippet).figures[0].read_bytes()
    second = project.run(snippet, use_cache=False).figures[0].read_bytes()
    assert first == second


def test_deprecated_api_fails_the_snippet(project):
    snippet = project("old.py", "import warnings\nwarnings.warn('old API', DeprecationWarning)\n")
    with pytest.raises(executor.SnippetError, match="DeprecationWarning"):
        project.run(snippet)


def test_snippets_outside_the_snippets_folder_are_refused(project):
    (project.root / "elsewhere.py").write_text("print(1)\n")
    with pytest.raises(executor.SnippetError, match="must live under"):
        project.run("elsewhere.py")
    with pytest.raises(executor.SnippetError, match="no such snippet"):
        project.run("snippets/demo/missing.py")


def test_expand_shows_code_annotations_output_figures_and_record(project):
    snippet = project("show.py", """
        import matplotlib.pyplot as plt
        print("x = 1")  # (1)!
        plt.plot([1, 2, 3])
    """)
    page = f"# Title\n\n::: snippet {snippet}\n\n1. The print.\n\nAfter.\n"
    assert [d.snippet for d in find_directives(page, project.project)] == [snippet]
    out = expand(page, "en", project.run, site_prefix="../", project=project.project)
    code_at = out.index('```python title="snippets/demo/show.py"')
    annotation_at = out.index("1. The print.")
    output_at = out.index('```text title="Output"')
    figure_at = out.index('<img src="../assets/snippets/')
    assert code_at < annotation_at < output_at < figure_at < out.index("After.")
    assert "x = 1" in out and "Ran when this page was built: cpu" in out
    assert expand(page, "zh", project.run, project=project.project).count("本页构建时运行") == 1


def test_expand_without_execution_shows_code_only(project):
    snippet = project("show.py", "print('hidden')\n")
    out = expand(f"::: snippet {snippet}\n", "zh", None, project=project.project)
    assert "print('hidden')" in out and "COURSE_EXECUTE=0" in out
    assert not (project.root / "cache").exists()


def test_long_output_is_folded_and_fences_survive_backticks(project):
    snippet = project("long.py", "for i in range(100):\n    print(i)\nprint('```')\n")
    out = expand(f"::: snippet {snippet}\n", "en", project.run, project=project.project)
    assert '??? note "Full output (101 lines)"' in out
    assert "Output (last 12 lines)" in out
    assert "````text" in out  # fence longer than the backticks in the output
    assert MAX_OUTPUT_LINES < 101


def test_directives_inside_code_fences_are_left_alone(project):
    page = "```markdown\n::: snippet snippets/demo/nothing.py\n```\n"
    assert find_directives(page, project.project) == []
    assert expand(page, "en", project.run, project=project.project) == page


def test_page_markers_inside_code_fences_are_left_alone(project):
    """The glossary and results markers are found by the same page model as the directives."""
    from engine.products import glossary, results

    page = "~~~~markdown\n::: course-glossary\n::: course-results\n~~~~\n"
    assert glossary.expand(page, "en", project.project) == page
    assert results.expand(page, "en", None, project.project) == page
    assert 'class="course-glossary"' in glossary.expand("::: course-glossary\n", "en", project.project)


def test_a_readers_optional_kaggle_file_changes_the_key(project, monkeypatch, tmp_path):
    from engine.core import data

    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "data")
    snippet = project("titanic.py", "KAGGLE = 'data/titanic/train.csv'\n")
    without = project.cache_key(snippet)
    (tmp_path / "data" / "titanic").mkdir(parents=True)
    (tmp_path / "data" / "titanic" / "train.csv").write_text("PassengerId,Survived\n1,0\n")
    with_file = project.cache_key(snippet)
    assert with_file != without
    (tmp_path / "data" / "titanic" / "train.csv").write_text("PassengerId,Survived\n1,1\n")
    assert project.cache_key(snippet) not in (without, with_file)


def test_two_processes_asking_at_once_run_a_snippet_once(project):
    import subprocess
    import sys

    snippet = project("count.py", "import time\n" + textwrap.dedent(COUNTING) + "time.sleep(2)\n")
    code = (
        "from pathlib import Path; from engine.core import executor; from engine.core.project import Project; "
        f"root = Path({str(project.root)!r}); "
        f"print(executor.run({snippet!r}, project=Project(root, root / 'cache')).cached)"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=executor.ENGINE_HOME, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = sorted(p.communicate()[0].strip() for p in procs)
    assert outputs == ["False", "True"]  # one ran it, the other waited and read the cache
    assert runs(project) == 1


# --- two at a time (`python -m engine run --jobs 2`, what `make test` runs) ------------------

MEETING = """
    import time
    from pathlib import Path
    root = Path({root!r})
    (root / "{me}.running").write_text("")
    deadline = time.monotonic() + 10
    while not list(root.glob("{other}.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    print("met" if list(root.glob("{other}.*")) else "alone")
    (root / "{me}.running").rename(root / "{me}.done")
"""
HEAVY = """
    from pathlib import Path
    print(sorted(p.name for p in Path({root!r}).glob("*.running")))
"""


def test_light_snippets_run_two_at_a_time_and_heavy_ones_alone(project):
    root = str(project.root)
    names = [project("a.py", MEETING.format(root=root, me="a", other="b")),
             project("b.py", MEETING.format(root=root, me="b", other="a")),
             project("heavy.py", HEAVY.format(root=root))]
    (project.root / "snippets" / "run_times.json").write_text(
        json.dumps({"snippets/demo/heavy.py": core.HEAVY_SECONDS + 1}))
    results = core.run_all(names, stream=io.StringIO(), jobs=2, project=project.project)
    assert [r.output.strip() for r in results.values()] == ["met", "met", "[]"]
    assert list(results) == names  # navigation order, whatever order they ran in


def test_a_failure_among_parallel_snippets_is_reported_once(project):
    root = project.root
    counter = root / "failing-runs"
    names = [project("fails.py", f"open({str(counter)!r}, 'a').write('x')\nraise SystemExit('broken')\n"),
             project("fine.py", "print('fine')\n"),
             project("fine2.py", "print('fine too')\n")]
    with pytest.raises(executor.SnippetError) as info:
        core.run_all(names, stream=io.StringIO(), jobs=2, keep_going=True, project=project.project)
    assert str(info.value).startswith("1 snippets failed") and "broken" in str(info.value)
    assert counter.read_text() == "x"  # not run again by the sequential pass
    assert all(project.cached(n) for n in names[1:])
