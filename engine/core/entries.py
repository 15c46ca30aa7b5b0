"""A snippet's result on disk: one folder per cache key, the same in the cache, in an export and
in a shard's output::

    KEY/record.json   snippet, key, seconds, device, torch, python, figures, and the sha256 of
                      every other file (``files``); ``origin`` when an import installed it
    KEY/output.txt    what it printed;  KEY/values.json  its top-level values
    KEY/fig-01.png    the figures it drew (``fig-NN.png``)

:func:`verify` is the one check of an entry (wherever its files come from) and :func:`install`
the one way into a cache: verify, write under a temporary name, rename, under the key's lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
from pathlib import Path

RECORD = "record.json"
OUTPUT = "output.txt"
VALUES = "values.json"
FIGURE_NAME = re.compile(r"fig-[0-9]{2,4}\.png")
KEY = re.compile(r"[0-9a-f]{32}")  # a cache key (executor.cache_key): also a folder name
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Caps (an entry from elsewhere is data: it may not fill a disk, a page or a browser's memory).
# A run stops a snippet past MAX_OUTPUT_BYTES; each byte read becomes at most one character.
MAX_OUTPUT_BYTES = int(os.environ.get("COURSE_SNIPPET_MAX_OUTPUT", 1_000_000))
MAX_FIGURE_BYTES = 8_000_000  # the largest figure of the course is 0.35 MB
MAX_FIGURE_PIXELS = 40_000_000  # width x height from the PNG header; the largest is 2.4 million
MAX_ENTRY_BYTES = 64_000_000  # all of an entry's files together
MAX_FILE_BYTES = max(4 * MAX_OUTPUT_BYTES, MAX_FIGURE_BYTES)  # any one file, while reading it
# What a run record may hold: it reaches the page as text and file names.
PLAIN_RECORD = {
    "torch": re.compile(r"[0-9A-Za-z.+!-]{1,64}"),
    "python": re.compile(r"[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+]{0,16}"),
    "device": re.compile(r"[0-9A-Za-z .,:()/_+-]{1,100}"),
}

# Where an entry installed by an import came from (absent: computed here): an export's URL,
# or "export" for a folder.
ORIGIN = re.compile(r"export|https?://[0-9A-Za-z._~:/%+-]{1,200}")


class EntryError(ValueError):
    """An entry that must not be shown or installed; the message says why, in one line."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def allowed_name(name: str) -> bool:
    return name in (RECORD, OUTPUT, VALUES) or FIGURE_NAME.fullmatch(name) is not None


def read_capped(stream, name: str, cap: int = MAX_FILE_BYTES) -> bytes:
    """At most ``cap`` bytes of ``stream`` (a file or an HTTP response); more raises EntryError."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise EntryError(f"{name} is over the {cap} bytes a file of an entry may hold")
    return data


def read(entry: Path) -> dict[str, bytes]:
    """The files of the entry folder ``entry`` (name -> bytes); links, folders and anything
    over the caps are refused without being read whole."""
    if entry.is_symlink() or not entry.is_dir():
        raise EntryError(f"{entry.name} is not a folder")
    files, total = {}, 0
    for path in sorted(entry.iterdir()):
        if path.is_symlink() or not path.is_file():
            raise EntryError(f"{path.name} is not a plain file")
        with open(path, "rb") as stream:
            files[path.name] = read_capped(stream, path.name)
        total += len(files[path.name])
        if total > MAX_ENTRY_BYTES:
            raise EntryError(f"{entry.name} is over the {MAX_ENTRY_BYTES} bytes an entry may hold")
    return files


def check_png(name: str, data: bytes) -> None:
    """A PNG under the size cap whose header (IHDR) gives at most MAX_FIGURE_PIXELS pixels."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 24:
        raise EntryError(f"{name} is not a PNG file")
    if len(data) > MAX_FIGURE_BYTES:
        raise EntryError(f"{name} is over the {MAX_FIGURE_BYTES} bytes a figure may have")
    width, height = struct.unpack(">II", data[16:24])
    if width * height > MAX_FIGURE_PIXELS:
        raise EntryError(f"{name} has {width * height} pixels, over the {MAX_FIGURE_PIXELS} a figure may have")


def check_key(key) -> None:
    """A key from a manifest names a folder: only a cache key's 32 hex digits, never a path."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise EntryError(f"{key!r} is not a cache key")


def verify(files: dict[str, bytes], key: str, snippet: str | None = None) -> dict:
    """The entry's record, after checking that ``files`` are exactly a whole, plain result of
    ``key`` (and of ``snippet`` when given). Raises :class:`EntryError`."""
    check_key(key)
    try:
        record = json.loads(files[RECORD])
        listed, figures = record["files"], record["figures"]
        if not isinstance(listed, dict) or not isinstance(figures, list):
            raise TypeError("files or figures has the wrong type")
    except (KeyError, ValueError, TypeError) as exc:
        raise EntryError(f"no readable {RECORD} ({exc})") from None
    if record.get("key") != key:
        raise EntryError(f"its record is for key {record.get('key')}, not {key}")
    if snippet is not None and record.get("snippet") != snippet:
        raise EntryError(f"its record belongs to {record.get('snippet')}, not {snippet}")
    present = set(files) - {RECORD}
    if present != set(listed):
        raise EntryError(f"files {sorted(present ^ set(listed))} are not both in the entry and in its record")
    for name in sorted(present):
        if not allowed_name(name):
            raise EntryError(f"{name!r} is not a file name a result has")
    if not {OUTPUT, VALUES} <= present:
        raise EntryError(f"its record lists no {OUTPUT} or {VALUES}")
    for name in figures:
        if not isinstance(name, str) or not FIGURE_NAME.fullmatch(name) or name not in present:
            raise EntryError(f"figure {name!r} is not one of its files")
    for name, digest in listed.items():
        if sha256(files[name]) != digest:
            raise EntryError(f"{name} does not match its checksum")
        if FIGURE_NAME.fullmatch(name):
            check_png(name, files[name])
    if sum(map(len, files.values())) > MAX_ENTRY_BYTES:
        raise EntryError(f"the entry is over the {MAX_ENTRY_BYTES} bytes an entry may hold")
    for item, pattern in PLAIN_RECORD.items():
        if not isinstance(record.get(item), str) or not pattern.fullmatch(record[item]):
            raise EntryError(f"{item} {record.get(item)!r} is not plain text")
    if "origin" in record and not (isinstance(record["origin"], str) and ORIGIN.fullmatch(record["origin"])):
        raise EntryError(f"origin {record['origin']!r} is not an address")
    if isinstance(record.get("seconds"), bool) or not isinstance(record.get("seconds"), (int, float)):
        raise EntryError(f"seconds {record.get('seconds')!r} is not a number")
    try:
        json.loads(files[VALUES])
        output = files[OUTPUT].decode("utf-8")
    except ValueError as exc:
        raise EntryError(f"{VALUES} or {OUTPUT} cannot be read ({exc})") from None
    for name, size in ((OUTPUT, len(output)), (VALUES, len(files[VALUES]))):
        if size > MAX_OUTPUT_BYTES:
            raise EntryError(f"{name} is over the {MAX_OUTPUT_BYTES} characters a run may print")
    return record


def write_whole(path: Path, data: bytes) -> None:
    """Write ``path`` so that a reader sees the old file or the new one, never a part of it."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_bytes(data)
    os.replace(part, path)


def content(record: dict) -> dict:
    """What two runs of one key must agree on: every file but the run record."""
    return {name: digest for name, digest in record["files"].items() if name != RECORD}


@contextlib.contextmanager
def locked(cache: Path, key: str):
    """The key's lock: one process at a time runs or installs a key."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def install(cache: Path, key: str, files: dict[str, bytes], snippet: str | None = None,
            replace: bool = False, lock: bool = True) -> dict:
    """Verify ``files`` and put them into ``cache`` as the entry ``key``, whole or not at all
    (temporary folder, then rename). A valid entry already there is kept unless ``replace``.
    ``lock=False``: the caller holds the key's lock. Returns the record."""
    record = verify(files, key, snippet)
    with locked(cache, key) if lock else contextlib.nullcontext():
        target = cache / key
        if target.is_dir() and not target.is_symlink() and not replace:
            try:
                return verify(read(target), key, snippet)
            except EntryError:
                pass  # damaged: replaced below
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache))
        try:
            for name, data in files.items():
                (work / name).write_bytes(data)
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                target.unlink()  # a link is removed, never followed
            elif target.exists():
                shutil.rmtree(target)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return record
