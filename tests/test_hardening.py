"""Faults and injections that must end in a clear error or a repair, never a silent wrong site.

Each test builds its own throw-away data folder or project; none touches the real cache.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml

from engine import data
from engine.executor import ENGINE_HOME as ROOT

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
    os.symlink(ROOT / "data", project / "data")
    (project / "snippets" / "demo").mkdir(parents=True)
    for name, code in snippets.items():
        (project / "snippets" / "demo" / name).write_text(textwrap.dedent(code))
    for lang, title in (("zh", "第 2 讲 演示"), ("en", "Lecture 2 Demo")):
        (project / "docs" / lang).mkdir(parents=True)
        (project / "docs" / lang / "index.md").write_text(f"# {title}\n\n[→](lecture02-demo.md)\n")
        (project / "docs" / lang / "lecture02-demo.md").write_text(f"# {title}\n\n## Demo {{#demo}}\n\n{page}")

    def build():
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", COURSE_CACHE_DIR=str(project / ".cache" / "snippets"))
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict"],
            cwd=project, env=env, capture_output=True, text=True,
        )

    build.project = project
    return build


def test_a_missing_snippet_on_a_lecture_page_ends_in_one_paragraph(tmp_path):
    build = mini_site(tmp_path, {}, page="::: snippet snippets/demo/missing.py\n")
    proc = build()
    assert proc.returncode != 0
    assert "zh/lecture02-demo.md: snippets/demo/missing.py: no such snippet file" in proc.stderr
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
