"""The one result format (engine/core/entries.py): what the verifier refuses, wherever an entry
comes from (cache, export, shard), and that installing is whole or nothing."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib

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


def png(width: int, height: int, extra: bytes = b"") -> bytes:
    """A PNG signature and IHDR chunk claiming ``width`` x ``height`` (enough for the header checks)."""
    ihdr = struct.pack(">II", width, height) + b"\x08\x06\x00\x00\x00"
    return (entries.PNG_SIGNATURE + struct.pack(">I", 13) + b"IHDR" + ihdr
            + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + extra)


def test_an_output_over_the_runs_cap_is_refused(entry):
    folder, snippet, key = entry
    add_listed(folder, "output.txt", b"x" * (executor.MAX_OUTPUT_BYTES + 1))
    assert executor.load(folder, snippet, key) is None
    with pytest.raises(entries.EntryError, match="output.txt is over"):
        entries.verify(entries.read(folder), key)


def test_a_figure_over_the_size_or_pixel_cap_is_refused(entry):
    folder, snippet, key = entry
    add_listed(folder, "fig-01.png", png(100, 100, b"\0" * entries.MAX_FIGURE_BYTES))
    with pytest.raises(entries.EntryError, match="fig-01.png is over"):
        entries.verify(entries.read(folder), key)
    add_listed(folder, "fig-01.png", png(100_000, 100_000))  # a few bytes, 10^10 pixels
    assert executor.load(folder, snippet, key) is None
    with pytest.raises(entries.EntryError, match="fig-01.png has 10000000000 pixels"):
        entries.verify(entries.read(folder), key)
    add_listed(folder, "fig-01.png", entries.PNG_SIGNATURE + b"no header")
    with pytest.raises(entries.EntryError, match="fig-01.png is not a PNG file"):
        entries.verify(entries.read(folder), key)


def test_an_entry_over_the_whole_size_cap_is_refused(entry, monkeypatch):
    folder, snippet, key = entry
    monkeypatch.setattr(entries, "MAX_ENTRY_BYTES", 1000)
    assert executor.load(folder, snippet, key) is None
    with pytest.raises(entries.EntryError, match="over the 1000 bytes an entry may hold"):
        entries.read(folder)


def test_reading_an_entry_never_reads_past_the_cap(entry, monkeypatch):
    """A file growing while it is read (or a huge one) is cut at the cap, not read whole."""
    folder, snippet, key = entry
    (folder / "output.txt").write_bytes(b"y" * (entries.MAX_FILE_BYTES + 10))
    with pytest.raises(entries.EntryError, match="output.txt is over"):
        entries.read(folder)


@pytest.mark.parametrize("kind", ["link", "file", "dangling"])
def test_an_entry_that_is_a_link_or_a_file_is_replaced_by_a_run(entry, tmp_path, kind):
    """What an old version or another tool left under the key is never fatal: the run replaces it
    (a link is removed, not followed)."""
    folder, snippet, key = entry
    outside = tmp_path / "outside"
    import shutil

    shutil.copytree(folder, outside)
    shutil.rmtree(folder)
    if kind == "link":
        folder.symlink_to(outside)
    elif kind == "file":
        folder.write_text("not a folder")
    else:
        folder.symlink_to(tmp_path / "nowhere")
    cache = folder.parent
    result = executor.run(snippet, project=executor.Project(cache.parent, cache))
    assert not result.cached and folder.is_dir() and not folder.is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == sorted(p.name for p in folder.iterdir())  # untouched
