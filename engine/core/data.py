"""The course's datasets: where each file comes from, and how it is checked.

``data/registry.json`` lists every file under ``data/`` with its public URL,
size, md5 and sha256. :func:`prepare` makes ``data/`` complete before anything
runs:

1. a file that is already there is verified;
2. a missing file is copied from ``../shared/data`` when that folder exists
   (offline machines and CI), otherwise downloaded from its URL;
3. every file is then checked against its size and sha256. A wrong or
   truncated file stops with an error that names the file, what was expected
   and what was found, and how to fix it. Nothing is silently replaced;
4. an archive with an ``unpacked`` entry (MNIST: torchvision reads the
   extracted files and never checks them again) is extracted next to it, and
   an extracted copy that does not match its registered size and sha256 is
   extracted again from the verified archive, with a message saying so.

Command line: ``python -m engine.core.data`` (prepare and verify everything).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the engine's checkout: its data/ holds the datasets
DATA_DIR = ROOT / "data"
REGISTRY = DATA_DIR / "registry.json"
SHARED_DATA = ROOT.parent / "shared" / "data"


class DataError(RuntimeError):
    """A dataset file is missing, wrong or truncated."""


@dataclass(frozen=True)
class Unpacked:
    """The file a ``.gz`` archive holds, as a library reads it (path relative to data/)."""

    name: str
    size: int
    sha256: str

    @property
    def path(self) -> Path:
        return DATA_DIR / self.name


@dataclass(frozen=True)
class DataFile:
    name: str  # path relative to data/
    url: str
    size: int
    md5: str
    sha256: str
    unpacked: Unpacked | None = None

    @property
    def path(self) -> Path:
        return DATA_DIR / self.name


def registry() -> dict[str, DataFile]:
    entries = json.loads(REGISTRY.read_text(encoding="utf-8"))["files"]
    return {
        name: DataFile(
            name, e["url"], e["size"], e["md5"], e["sha256"],
            Unpacked(**e["unpacked"]) if "unpacked" in e else None,
        )
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


def mismatch(path: Path, size: int, sha256: str) -> str | None:
    """What is wrong with ``path`` compared with the expected size and sha256, or None."""
    if not path.is_file():
        return f"missing (expected at {path})"
    found_size = path.stat().st_size
    if found_size != size:
        return f"wrong size {found_size} bytes, expected {size} (truncated or a different file)"
    found = sha256_of(path)
    if found != sha256:
        return f"sha256 {found} does not match the registry's {sha256}"
    return None


def verify(entry: DataFile, path: Path | None = None) -> None:
    """Raise :class:`DataError` unless ``path`` holds exactly the registered bytes."""
    path = path or entry.path
    problem = mismatch(path, entry.size, entry.sha256)
    if problem is None:
        return
    fix = "" if problem.startswith("missing") else (
        f". Delete {path} and run `python -m engine.core.data` to fetch it again."
    )
    raise DataError(f"{entry.name}: {problem}{fix}")


def unpack(entry: DataFile, log=print) -> None:
    """Make ``entry.unpacked`` exactly what the (verified) archive holds, extracting it if not."""
    target = entry.unpacked
    if target is None:
        return
    problem = mismatch(target.path, target.size, target.sha256)
    if problem is None:
        return
    if target.path.exists():
        log(f"data: {target.name}: {problem}; extracting it again from {entry.name}")
    else:
        log(f"data: {target.name} extracted from {entry.name}")
    with tempfile.NamedTemporaryFile(dir=target.path.parent, prefix=".unpack-", delete=False) as out:
        partial = Path(out.name)
        try:
            with gzip.open(entry.path) as archive:
                shutil.copyfileobj(archive, out, 1 << 20)
        except (OSError, EOFError) as exc:
            partial.unlink(missing_ok=True)
            raise DataError(f"{target.name}: extracting {entry.name} failed ({exc})") from exc
    problem = mismatch(partial, target.size, target.sha256)
    if problem is not None:
        partial.unlink(missing_ok=True)
        raise DataError(f"{target.name} as extracted from {entry.name}: {problem}")
    partial.chmod(0o644)
    partial.replace(target.path)


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
        else:
            log(f"data: {entry.name} {_fetch(entry, shared)}")
        unpack(entry, log)
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
