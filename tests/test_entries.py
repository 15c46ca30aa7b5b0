"""The one result format (engine/core/entries.py): what the verifier refuses, wherever an entry
comes from (cache, export, shard), and that installing is whole or nothing."""

from __future__ import annotations

import hashlib
import json

import pytest

from engine.core import entries, executor


@pytest.fixture
def entry(project):
    """A fresh cache entry with a figure: ``(folder, snippet, key)``."""
    snippet = project("plot.py", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nprint('drawn')\n")
    result = project.run(snippet)
    return project.root / "cache" / result.key, snippet, result.key


def add_listed(folder, name: str, data: bytes) -> None:
    """Put ``name`` into the entry and list it, with its right checksum, in the record."""
    (folder / name).write_bytes(data)
    record = json.loads((folder / "record.json").read_text())
    record["files"][name] = hashlib.sha256(data).hexdigest()
    (folder / "record.json").write_text(json.dumps(record))


def test_a_fresh_entry_verifies(entry):
    folder, snippet, key = entry
    assert executor.load(folder, snippet, key) is not None
    assert entries.verify(entries.read(folder), key, snippet)["snippet"] == snippet


def test_a_listed_file_a_result_never_has_is_refused(entry):
    folder, snippet, key = entry
    add_listed(folder, "page.html", b"<script>alert(1)</script>")
    assert executor.load(folder, snippet, key) is None
    with pytest.raises(entries.EntryError, match="'page.html' is not a file name a result has"):
        entries.verify(entries.read(folder), key)


def test_a_figure_that_is_not_a_png_is_refused(entry):
    folder, snippet, key = entry
    add_listed(folder, "fig-01.png", b"<svg onload=alert(1)>")
    assert executor.load(folder, snippet, key) is None
    with pytest.raises(entries.EntryError, match="fig-01.png is not a PNG file"):
        entries.verify(entries.read(folder), key)


def test_a_linked_file_is_refused(entry, tmp_path):
    folder, snippet, key = entry
    outside = tmp_path / "secret.txt"
    outside.write_text("drawn\n")
    (folder / "output.txt").unlink()
    (folder / "output.txt").symlink_to(outside)  # same bytes, so every checksum matches
    assert executor.load(folder, snippet, key) is None
    with pytest.raises(entries.EntryError, match="output.txt is not a plain file"):
        entries.read(folder)


def test_install_refuses_an_entry_that_does_not_verify_and_leaves_nothing(entry, tmp_path):
    folder, snippet, key = entry
    files = entries.read(folder)
    files["output.txt"] = b"tampered\n"
    cache = tmp_path / "other-cache"
    with pytest.raises(entries.EntryError, match="output.txt does not match its checksum"):
        entries.install(cache, key, files, snippet)
    assert not (cache / key).exists() and not list(cache.glob(f".{key}-*"))  # no temporary folder left
