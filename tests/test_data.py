"""The data layer: registry, seeding, verification, and snippets that agree with it."""

from __future__ import annotations

import re
import shutil

import pytest

from engine.core import data, executor
from engine.core.project import Project


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "data")
    return tmp_path / "data"


def test_every_registered_file_is_present_and_verified():
    entries = data.prepare(log=lambda message: None)
    assert {e.name for e in entries} >= {
        "MNIST/raw/train-images-idx3-ubyte.gz",
        "diabetes.csv.gz",
        "names_train.csv.gz",
        "names_test.csv.gz",
    }
    for entry in entries:
        assert entry.url.startswith("https://")
        assert re.fullmatch(r"[0-9a-f]{32}", entry.md5) and re.fullmatch(r"[0-9a-f]{64}", entry.sha256)


def test_seeding_copies_and_verifies(tmp_path, data_dir):
    shared = tmp_path / "shared"
    entry = data.registry()["diabetes.csv.gz"]
    (shared).mkdir()
    shutil.copyfile(data.ROOT / "data" / entry.name, shared / entry.name)
    messages = []
    for other in data.registry().values():  # only the diabetes file is offered
        if other.name != entry.name:
            target = data_dir / other.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(data.ROOT / "data" / other.name, target)
    data.prepare(shared=shared, log=messages.append)
    assert any("diabetes.csv.gz copied from" in m for m in messages)
    data.verify(entry)


def test_truncated_file_gives_a_clear_error(data_dir):
    entry = data.registry()["diabetes.csv.gz"]
    data_dir.mkdir()
    good = (data.ROOT / "data" / entry.name).read_bytes()
    entry.path.write_bytes(good[: len(good) // 2])
    with pytest.raises(data.DataError, match=r"diabetes.csv.gz: wrong size \d+ bytes, expected 13539 \(truncated"):
        data.verify(entry)


def test_wrong_file_of_the_right_size_gives_a_clear_error(data_dir):
    entry = data.registry()["diabetes.csv.gz"]
    data_dir.mkdir()
    entry.path.write_bytes(b"\0" * entry.size)
    with pytest.raises(data.DataError, match="sha256 .* does not match"):
        data.verify(entry)


def test_a_bad_shared_copy_is_not_installed(tmp_path, data_dir):
    shared = tmp_path / "shared"
    shared.mkdir()
    entry = data.registry()["names_test.csv.gz"]
    (shared / entry.name).write_bytes(b"not the names file")
    with pytest.raises(data.DataError, match="names_test.csv.gz"):
        data._fetch(entry, shared)
    assert not entry.path.exists()


def test_snippets_name_the_registry_url_and_md5():
    registry = data.registry()
    by_url = {e.url: e for e in registry.values()}
    for snippet in Project.at().all_snippets():
        text = (executor.ENGINE_HOME / snippet).read_text(encoding="utf-8")
        for md5 in re.findall(r"\b[0-9a-f]{32}\b", text):
            matching = [e for e in registry.values() if e.md5 == md5]
            assert matching, f"{snippet}: md5 {md5} is not in data/registry.json"
        for url in re.findall(r"https://raw\.githubusercontent\.com/\S+?\.gz", text):
            assert url in by_url, f"{snippet}: {url} is not in data/registry.json"
