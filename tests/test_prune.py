"""Cache housekeeping (engine/core/prune.py): ``python -m engine prune`` removes the entries no
snippet of the tree uses, stale lock files and leftover temporary folders; ``engine run`` (and a
build) removes unused entries past an age or a size, with one log line. All in a throw-away
project: the real cache is never touched."""

from __future__ import annotations

import fcntl
import os
import time

from engine.core import prune
from engine.core.project import Project
from tests import demo_project
from tests.test_project import engine

DAY = 86400


def two_versions(tmp_path):
    """A project whose one snippet ran, was edited and ran again: (root, project, old key, new key)."""
    root = demo_project.make(tmp_path / "other", {"a.py": "value = 1\nprint(value)\n"})
    assert engine(root, "run", "--no-fetch").returncode == 0
    project = Project.at(root)
    old = prune.used_keys(project)
    (root / "snippets" / "demo" / "a.py").write_text("value = 2\nprint(value)\n")
    ran = engine(root, "run", "--no-fetch")
    assert ran.returncode == 0, ran.stderr
    new = prune.used_keys(project)
    [old_key] = [k for k in old if (project.cache / k).is_dir()]
    [new_key] = [k for k in new if (project.cache / k).is_dir()]
    return root, project, old_key, new_key


def test_prune_removes_unused_entries_stale_locks_and_leftover_folders(tmp_path):
    root, project, old_key, new_key = two_versions(tmp_path)
    cache = project.cache
    assert (cache / f".{old_key}.lock").is_file()
    leftover = cache / f".{old_key}-run-abc123"  # a run killed before it cleaned up
    leftover.mkdir()
    (leftover / "fig-01.png").write_bytes(b"half")

    listed = engine(root, "prune", "--dry-run")
    assert listed.returncode == 0, listed.stderr
    assert f"would remove {cache / old_key}" in listed.stdout
    assert f"would remove {leftover}" in listed.stdout
    assert (cache / old_key).is_dir() and leftover.is_dir(), "a dry run removed something"

    pruned = engine(root, "prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "removed 1 unused entries" in pruned.stdout, pruned.stdout
    assert not (cache / old_key).exists() and not leftover.exists()
    assert not (cache / f".{old_key}.lock").exists(), "the old key's lock file was left"
    assert (cache / new_key / "record.json").is_file(), "the entry the tree uses was removed"
    status = engine(root, "status")
    assert "1 cached, 0 missing" in status.stdout


def test_prune_keeps_what_a_running_snippet_holds(tmp_path):
    root, project, old_key, _ = two_versions(tmp_path)
    running = project.cache / f".{old_key}-run-xyz"
    running.mkdir()
    with open(project.cache / f".{old_key}.lock", "a") as held:  # as executor.run holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        report = prune.prune(project)
        assert running.is_dir(), "a running snippet's folder was removed"
        assert (project.cache / old_key).is_dir(), "an entry being written was removed"
        assert report.entries == [] and report.temporary == []
    report = prune.prune(project)
    assert not running.exists() and not (project.cache / old_key).exists()


def test_run_prunes_old_unused_entries_with_one_log_line(tmp_path):
    root, project, old_key, new_key = two_versions(tmp_path)
    young = engine(root, "run", "--no-fetch")
    assert young.returncode == 0
    assert (project.cache / old_key).is_dir(), "engine run removed an unused entry younger than 14 days"
    assert "cache:" not in young.stdout + young.stderr

    month_ago = time.time() - 30 * DAY
    os.utime(project.cache / old_key, (month_ago, month_ago))
    os.utime(project.cache / new_key, (month_ago, month_ago))  # old but used: kept
    ran = engine(root, "run", "--no-fetch")
    assert ran.returncode == 0, ran.stderr
    assert not (project.cache / old_key).exists(), "engine run kept an unused entry 30 days old"
    assert (project.cache / new_key).is_dir()
    lines = [line for line in (ran.stdout + ran.stderr).splitlines() if "unused entries" in line]
    assert len(lines) == 1 and "removed 1 unused entries" in lines[0], ran.stdout + ran.stderr


def test_size_limit_keeps_the_youngest_unused_entries(tmp_path):
    root, project, old_key, new_key = two_versions(tmp_path)
    (root / "snippets" / "demo" / "a.py").write_text("value = 3\nprint(value)\n")
    assert engine(root, "run", "--no-fetch").returncode == 0
    unused = sorted((p for p in project.cache.iterdir() if prune.KEY.fullmatch(p.name)
                     and p.name not in prune.used_keys(project)), key=lambda p: p.stat().st_mtime)
    assert [p.name for p in unused][:1] == [old_key] and len(unused) == 2
    os.utime(unused[0], (time.time() - 100, time.time() - 100))
    size = prune._size(unused[1])
    report = prune.prune(project, max_unused_bytes=size)  # room for one: the younger one stays
    assert report.entries == [unused[0]] and report.kept_unused == [unused[1]]
    assert unused[1].is_dir() and not unused[0].exists()


def test_a_build_prunes_old_unused_entries(tmp_path):
    root, project, old_key, new_key = two_versions(tmp_path)
    month_ago = time.time() - 30 * DAY
    os.utime(project.cache / old_key, (month_ago, month_ago))
    built = demo_project.build(root)
    assert built.returncode == 0, built.stdout + built.stderr
    assert not (project.cache / old_key).exists(), "the build kept an unused entry 30 days old"
    assert (project.cache / new_key).is_dir()
    assert (built.stdout + built.stderr).count("removed 1 unused entries") == 1, built.stderr
