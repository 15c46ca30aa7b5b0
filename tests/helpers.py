"""Helpers shared by the tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_snippet(folder: str, name: str):
    """Import ``snippets/<folder>/<name>.py`` from its file path (snippet folders are not packages)."""
    path = ROOT / "snippets" / folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
