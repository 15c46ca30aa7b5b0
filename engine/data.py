"""The course's datasets: where each file comes from, and how it is checked.

``data/registry.json`` lists every file under ``data/`` with its public URL,
size, md5 and sha256. :func:`prepare` makes ``data/`` complete before anything
runs:

1. a file that is already there is verified;
2. a missing file is copied from ``../shared/data`` when that folder exists
   (offline machines and CI), otherwise downloaded from its URL;
3. every file is then checked against its size and sha256. A wrong or
   truncated file stops with an error that names the file, what was expected
   and what was found, and how to fix it. Nothing is silently replaced.

Command line: ``python -m engine.data`` (prepare and verify everything).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
REGISTRY = DATA_DIR / "registry.json"
SHARED_DATA = ROOT.parent / "shared" / "data"


class DataError(RuntimeError):
    """A dataset file is missing, wrong or truncated."""


@dataclass(frozen=True)
class DataFile:
    name: str  # path relative to data/
    url: str
    size: int
    md5: str
    sha256: str

    @property
    def path(self) -> Path:
        return DATA_DIR / self.name


def registry() -> dict[str, DataFile]:
    entries = json.loads(REGISTRY.read_text(encoding="utf-8"))["files"]
    return {
        name: DataFile(name, e["url"], e["size"], e["md5"], e["sha256"])
        for name, e in entries.items()
    }


def optional_files() -> dict[str, Path]:
    """Files a reader may add (Kaggle data, not redistributed): name -> path under data/."""
    entries = json.loads(REGISTRY.read_text(encoding="utf-8")).get("optional", {})
    return {name: DATA_DIR / name for name in entries}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(entry: DataFile, path: Path | None = None) -> None:
    """Raise :class:`DataError` unless ``path`` holds exactly the registered bytes."""
    path = path or entry.path
    if not path.is_file():
        raise DataError(f"{entry.name}: missing (expected at {path})")
    size = path.stat().st_size
    if size != entry.size:
        raise DataError(
            f"{entry.name}: wrong size {size} bytes, expected {entry.size} "
            f"(truncated or a different file). Delete {path} and run "
            "`python -m engine.data` to fetch it again."
        )
    found = sha256_of(path)
    if found != entry.sha256:
        raise DataError(
            f"{entry.name}: sha256 {found} does not match the registry's "
            f"{entry.sha256}. Delete {path} and run `python -m engine.data`."
        )


def _fetch(entry: DataFile, shared: Path | None) -> str:
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    partial = entry.path.with_name(entry.path.name + ".part")
    source = shared / entry.name if shared else None
    if source is not None and source.is_file():
        shutil.copyfile(source, partial)
        how = f"copied from {source}"
    else:
        try:
            with urllib.request.urlopen(entry.url, timeout=60) as r, partial.open("wb") as f:
                shutil.copyfileobj(r, f)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise DataError(
                f"{entry.name}: missing, and downloading {entry.url} failed ({exc}). "
                "Put the file at data/ by hand or seed from a shared copy."
            ) from exc
        how = f"downloaded from {entry.url}"
    try:
        verify(entry, partial)
    except DataError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(entry.path)
    return how


def prepare(shared: Path | None = None, log=print) -> list[DataFile]:
    """Make every registered file present and verified; return the entries."""
    if shared is None:
        env = os.environ.get("COURSE_SHARED_DATA")
        shared = Path(env) if env else (SHARED_DATA if SHARED_DATA.is_dir() else None)
    entries = list(registry().values())
    for entry in entries:
        if entry.path.exists():
            verify(entry)
            continue
        log(f"data: {entry.name} {_fetch(entry, shared)}")
    log(f"data: {len(entries)} files verified in {DATA_DIR}")
    return entries


def main() -> int:
    try:
        prepare()
    except DataError as exc:
        print(f"data error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
