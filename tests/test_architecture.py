"""The engine's layering: the core runs without MkDocs, and each hook file loads on its own."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ENGINE_HOME = Path(__file__).resolve().parent.parent
CORE_MODULES = sorted(p.stem for p in (ENGINE_HOME / "engine" / "core").glob("*.py")
                      if p.stem not in ("__init__", "__main__"))
HOOK_FILES = ["mkdocs_hooks.py", "search.py", "reader_hooks.py", "rebuild_hooks.py"]


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter, in ``cwd``, without PYTHONPATH: the engine is not on its path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_core_imports_no_mkdocs(tmp_path):
    """Every core module (and the command line) imports with ``mkdocs`` unavailable."""
    proc = run_python(f"""
        import importlib, sys
        sys.path.insert(0, {str(ENGINE_HOME)!r})

        class NoMkDocs:
            def find_spec(self, name, path=None, target=None):
                if name == "mkdocs" or name.startswith("mkdocs."):
                    raise ImportError("mkdocs is unavailable for this test")

        sys.meta_path.insert(0, NoMkDocs())
        for name in {CORE_MODULES!r}:
            importlib.import_module("engine.core." + name)
        from engine.core import cli
        from engine.core.project import Project
        from engine.products import results
        cli.parser()
        empty = Project.at({str(tmp_path)!r})  # no snippets: the results page's entries are missing
        try:
            results.expand("::: course-results\\n", "en", None, empty)
            raise AssertionError("no ResultsError")
        except results.ResultsError as exc:  # its own error, not MkDocs'
            assert "results page: results mapping" in str(exc), exc
        assert not [m for m in sys.modules if m.split(".")[0] == "mkdocs"]
        print("ok")
    """, tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


@pytest.mark.parametrize("hook", HOOK_FILES)
def test_each_hook_file_loads_on_its_own(tmp_path, hook):
    """MkDocs loads a hook file by its path and restores ``sys.path`` afterwards: a hook file
    must find the engine itself, whichever hook files come before it (or none)."""
    path = ENGINE_HOME / "engine" / "site" / hook
    proc = run_python(f"""
        import importlib.util
        assert importlib.util.find_spec("engine") is None
        spec = importlib.util.spec_from_file_location("hook", {str(path)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print("ok")
    """, tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


LAYERS = ["core", "products", "site", "tools"]  # each may import only itself and those before it


def _engine_imports(path: Path) -> set[str]:
    """The ``engine.X`` modules a file imports (at the top or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} if node.module != "engine" else {f"engine.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {name for name in found if name.startswith("engine.")}


def test_each_folder_imports_only_the_folders_before_it():
    wrong = []
    for rank, layer in enumerate(LAYERS):
        allowed = set(LAYERS[: rank + 1])
        for path in sorted((ENGINE_HOME / "engine" / layer).rglob("*.py")):
            for name in sorted(_engine_imports(path)):
                if name.split(".")[1] not in allowed:
                    wrong.append(f"{path.relative_to(ENGINE_HOME)} imports {name}")
    assert not wrong, "imports against the layering (README, Architecture):\n" + "\n".join(wrong)
