"""Faults and injections that must end in a clear error or a repair, never a silent wrong site.

Each test builds its own throw-away data folder or project; none touches the real cache.
"""

from __future__ import annotations

import gzip
import os

import pytest

from engine import data

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
