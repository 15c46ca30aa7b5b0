"""The engine works on the project it is given: ``python -m engine --project DIR`` and a MkDocs
build of DIR read and write DIR's snippets, includes, docs and cache, never the engine's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import demo_project

ENGINE_HOME = Path(__file__).resolve().parent.parent
IGNORED = {".git", ".venv", ".cache", ".pytest_cache", "__pycache__", "site", "data"}

TERMS = """\
- zh: 演示项
  en: demo term
  abbr: DTX
"""


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the engine's checkout (but caches and build output): path -> (mtime, size)."""
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in IGNORED]
        for name in names:
            path = Path(folder) / name
            stat = path.stat()
            found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def engine(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    return subprocess.run([sys.executable, "-m", "engine", "--project", str(root), *args],
                          cwd=ENGINE_HOME, env=env, capture_output=True, text=True, timeout=300)


def test_another_project_is_run_exported_and_built_inside_its_own_folder(tmp_path):
    root = demo_project.make(tmp_path / "other", {"a.py": "value = 6 * 7\nprint('answer', value)\n"},
                             pages={"glossary.md": "# Glossary\n\n::: course-glossary\n"})
    (root / "includes" / "terms").mkdir(parents=True)
    (root / "includes" / "terms" / "lecture01.yml").write_text(TERMS, encoding="utf-8")
    before = snapshot(ENGINE_HOME)

    ran = engine(root, "run", "--no-fetch")
    assert ran.returncode == 0, ran.stderr
    assert "1 snippets: 1 run" in ran.stdout
    status = engine(root, "status", "--json")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)
    assert [(r["snippet"], r["cached"]) for r in rows] == [("snippets/demo/a.py", True)]
    key = rows[0]["key"]
    assert (root / ".cache" / "snippets" / key / "record.json").is_file()
    exported = engine(root, "export", str(root / "export"))
    assert exported.returncode == 0, exported.stderr
    assert list(json.loads((root / "export" / "manifest.json").read_text())["entries"]) == [key]

    built = demo_project.build(root)
    assert built.returncode == 0, built.stdout + built.stderr
    abbreviations = root / "includes" / "abbreviations.md"
    assert abbreviations.is_file(), "the build did not write the project's own includes/abbreviations.md"
    assert abbreviations.read_text(encoding="utf-8") == "*[DTX]: demo term · 演示项\n"
    glossary = (root / "site" / "glossary" / "index.html").read_text(encoding="utf-8")
    assert "演示项" in glossary and "stochastic gradient descent" not in glossary

    assert snapshot(ENGINE_HOME) == before, "files outside the project changed"
    assert not (ENGINE_HOME / ".cache" / "snippets" / key).exists()
