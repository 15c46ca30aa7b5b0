"""Faults and injections that must end in a clear error or a repair, never a silent wrong site.

Each test builds its own throw-away data folder or project; none touches the real cache.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

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
