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
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

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
    folder: Path | None = None  # the project's data/ (None: this checkout's, DATA_DIR)

    @property
    def path(self) -> Path:
        return (self.folder or DATA_DIR) / self.name


@dataclass(frozen=True)
class DataFile:
    name: str  # path relative to data/
    url: str
    size: int
    md5: str
    sha256: str
    unpacked: Unpacked | None = None
    folder: Path | None = None  # the project's data/ (None: this checkout's, DATA_DIR)

    @property
    def path(self) -> Path:
        return (self.folder or DATA_DIR) / self.name


# Every function below takes ``folder``: a project's ``data/`` (``Project.data``), holding its
# ``registry.json``; None means this checkout's (DATA_DIR, REGISTRY). A folder without a
# registry has no registered data.
def _registry_file(folder: Path | None) -> Path:
    return Path(folder) / "registry.json" if folder is not None else REGISTRY


def _read_registry(folder: Path | None) -> dict:
    path = _registry_file(folder)
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _checked_name(name, where: Path) -> str:
    """``name`` if it is a relative path that stays under data/; else DataError."""
    parts = PurePosixPath(name).parts if isinstance(name, str) and name else ()
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name or "\0" in name:
        raise DataError(f"{where}: {name!r} is not a path inside data/ (no '..', not absolute); refused")
    return name


def _checked_url(name: str, url, where: Path) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.netloc:
        raise DataError(f"{where}: {name}: url {url!r} is not an http(s) address; refused")
    return url


def registry(folder: Path | None = None) -> dict[str, DataFile]:
    """The registered files; a name that leaves data/ or a URL that is not http(s) refuses
    the whole registry (:class:`DataError`)."""
    where = _registry_file(folder)
    home = Path(folder) if folder is not None else DATA_DIR
    entries = _read_registry(folder).get("files", {})
    return {
        _checked_name(name, where): DataFile(
            name, _checked_url(name, e["url"], where), e["size"], e["md5"], e["sha256"],
            Unpacked(**{**e["unpacked"], "name": _checked_name(e["unpacked"]["name"], where), "folder": home})
            if "unpacked" in e else None,
            home,
        )
        for name, e in entries.items()
    }


def optional_files(folder: Path | None = None) -> dict[str, Path]:
    """Files a reader may add (Kaggle data, not redistributed): name -> path under data/."""
    where = _registry_file(folder)
    home = Path(folder) if folder is not None else DATA_DIR
    entries = _read_registry(folder).get("optional", {})
    return {_checked_name(name, where): home / name for name in entries}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# sha256 of files hashed by this process, by (path, device, inode, size, mtime, ctime): a file
# whose bytes change gets a new ctime (no user process can set it back), so a file is hashed
# once per process and checked before every run for the price of a stat.
_hashed: dict[tuple, str] = {}


def _stat_key(path: Path) -> tuple:
    st = path.stat()
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def mismatch(path: Path, size: int, sha256: str) -> str | None:
    """What is wrong with ``path`` compared with the expected size and sha256, or None."""
    if not path.is_file():
        return f"missing (expected at {path})"
    found_size = path.stat().st_size
    if found_size != size:
        return f"wrong size {found_size} bytes, expected {size} (truncated or a different file)"
    key = _stat_key(path)
    found = _hashed.get(key) or sha256_of(path)
    if _stat_key(path) == key:  # unchanged while it was hashed
        _hashed[key] = found
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


def _shared(shared: Path | None) -> Path | None:
    if shared is None:
        env = os.environ.get("COURSE_SHARED_DATA")
        shared = Path(env) if env else (SHARED_DATA if SHARED_DATA.is_dir() else None)
    return shared


def ensure(entries: list[DataFile], shared: Path | None = None, log=print) -> None:
    """Make ``entries`` present (seeded or downloaded) and verified, their unpacked copies
    too; a wrong file raises :class:`DataError` and is never replaced silently. Cheap when
    nothing changed (see ``_hashed``): the executor calls it before every run."""
    for entry in entries:
        if entry.path.exists():
            verify(entry)
        else:
            log(f"data: {entry.name} {_fetch(entry, _shared(shared))}")
        unpack(entry, log)


def prepare(shared: Path | None = None, log=print, folder: Path | None = None) -> list[DataFile]:
    """Make every registered file of ``folder`` present and verified; return the entries."""
    entries = list(registry(folder).values())
    optional_files(folder)  # its names are checked too
    if not _registry_file(folder).is_file():
        log(f"data: {_registry_file(folder)} does not exist: this project registers no data")
        return entries
    ensure(entries, shared, log)
    log(f"data: {len(entries)} files verified in {folder if folder is not None else DATA_DIR}")
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
