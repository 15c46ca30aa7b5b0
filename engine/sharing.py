"""Snippet results shared as content-addressed exports (and from the published site).

An *export* is a folder::

    manifest.json          {"format": 1, "engine": "2", "entries": {KEY: {"snippet": PATH,
                                                                       "files": {NAME: SHA256}}}}
    KEY/record.json        the run record (it lists the sha256 of the entry's other files)
    KEY/output.txt ...     the entry's files, exactly as in the cache

The published site carries one at ``<site_url>/assets/snippets/`` (:data:`RESULTS_PATH`: the
folder that already holds the figures, so nothing is stored twice). :func:`import_results`
copies entries from an export (a folder or an http(s) URL) into the cache after checking

* every file's sha256 against the manifest, and the record's own list of checksums;
* that the record names the same key and snippet as the manifest, and that the key is the
  one this checkout computes for that snippet (a result of other code is never used).

A refused entry is logged with its reason and left out (the snippet then runs here).
:func:`fetch_published` does the same from the published site before a build, with a
short time limit: an unreachable site means one log line and local execution.
"""

from __future__ import annotations

import concurrent.futures
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import executor

RESULTS_PATH = "assets/snippets"
MANIFEST = "manifest.json"
FORMAT = 1
URL_ENV = "COURSE_RESULTS_URL"  # an export's address, or "off"
FETCH_TIMEOUT = float(os.environ.get("COURSE_RESULTS_TIMEOUT", 3))

log = logging.getLogger("mkdocs.course.results")


class ExportError(RuntimeError):
    """An export cannot be read (no manifest, unreachable, not JSON)."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- writing an export ---------------------------------------------------------------------


def export(keys: Iterable[str], target: Path, cache: Path | None = None) -> dict:
    """Copy the cache entries ``keys`` to ``target``/KEY/ and write (or extend) its manifest."""
    cache = cache or executor.CACHE_DIR
    target.mkdir(parents=True, exist_ok=True)
    manifest_file = target / MANIFEST
    manifest = {"format": FORMAT, "engine": executor.ENGINE_VERSION, "entries": {}}
    if manifest_file.is_file():
        manifest["entries"] = json.loads(manifest_file.read_text()).get("entries", {})
    for key in sorted(set(keys)):
        entry = cache / key
        record = json.loads((entry / "record.json").read_text())
        files = {}
        for name in [*record["files"], "record.json"]:
            data = (entry / name).read_bytes()
            (target / key).mkdir(exist_ok=True)
            (target / key / name).write_bytes(data)
            files[name] = _sha256(data)
        manifest["entries"][key] = {"snippet": record["snippet"], "files": files}
    manifest_file.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


# --- reading one ---------------------------------------------------------------------------


class Source:
    """An export in a folder or at an http(s) URL."""

    def __init__(self, address: str, timeout: float = 30):
        self.address = address.rstrip("/") + "/"
        self.remote = address.startswith(("http://", "https://"))
        self.timeout = timeout

    def read(self, name: str) -> bytes:
        if not self.remote:
            return (Path(self.address) / name).read_bytes()
        request = urllib.request.Request(self.address + name, headers={"User-Agent": "course-engine"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read()

    def manifest(self) -> dict:
        try:
            manifest = json.loads(self.read(MANIFEST))
        except (OSError, ValueError) as exc:  # URLError, HTTPError and timeouts are OSErrors
            raise ExportError(f"{self.address}{MANIFEST}: {exc}") from None
        if manifest.get("format") != FORMAT or not isinstance(manifest.get("entries"), dict):
            raise ExportError(f"{self.address}{MANIFEST}: not a results manifest (format {FORMAT})")
        return manifest


@dataclass
class Report:
    accepted: list[str] = field(default_factory=list)  # keys now in the cache
    present: list[str] = field(default_factory=list)  # already cached, not fetched
    refused: dict[str, str] = field(default_factory=dict)  # key -> why


def _check(key: str, entry: dict, files: dict[str, bytes], snippet: str | None) -> None:
    """Raise ValueError unless the fetched ``files`` are the entry the manifest describes."""
    if snippet is not None and entry.get("snippet") != snippet:
        raise ValueError(f"manifest names {entry.get('snippet')}, expected {snippet}")
    for name, digest in entry["files"].items():
        if _sha256(files[name]) != digest:
            raise ValueError(f"{name} does not match its sha256 in the manifest")
    record = json.loads(files["record.json"])
    if record.get("key") != key or record.get("snippet") != entry["snippet"]:
        raise ValueError("its record names another key or snippet")
    for name, digest in record["files"].items():
        if name not in files or _sha256(files[name]) != digest:
            raise ValueError(f"{name} does not match its sha256 in the record")
    try:
        current = executor.cache_key(executor.relative(entry["snippet"]))
    except executor.SnippetError:
        current = None
    if current != key:
        raise ValueError(f"{entry['snippet']} has key {current} here, not {key}")


def _install(key: str, files: dict[str, bytes]) -> bool:
    """Write a verified entry into the cache (under the key's lock); False if already there."""
    cache = executor.CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (cache / key / "record.json").is_file():
            return False
        work = Path(tempfile.mkdtemp(prefix=f".{key}-import-", dir=cache))
        for name, data in files.items():
            (work / name).write_bytes(data)
        work.rename(cache / key)
    return True


def import_results(source: Source | str, wanted: dict[str, str] | None = None, workers: int = 8) -> Report:
    """Import the entries of ``source`` whose key is in ``wanted`` (key -> snippet; default:
    the current key of every snippet of the project) into the cache."""
    source = Source(source) if isinstance(source, str) else source
    if wanted is None:
        wanted = {executor.cache_key(s): s for s in executor.all_snippets()}
    manifest = source.manifest()
    report = Report()
    todo = []
    for key, snippet in wanted.items():
        if key not in manifest["entries"]:
            continue
        if executor.cached(snippet, key) is not None:
            report.present.append(key)
        else:
            todo.append((key, snippet))

    def fetch(item):
        key, snippet = item
        entry = manifest["entries"][key]
        if not isinstance(entry.get("files"), dict) or "record.json" not in entry["files"] or any(
            "/" in name or name.startswith(".") for name in entry["files"]
        ):
            raise ValueError("malformed manifest entry")
        files = {name: source.read(f"{key}/{name}") for name in entry["files"]}
        _check(key, entry, files, snippet)
        return files

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(fetch, item): item for item in todo}
        for future in concurrent.futures.as_completed(futures):
            key, snippet = futures[future]
            try:
                files = future.result()
            except (OSError, ValueError, KeyError) as exc:
                report.refused[key] = str(exc)
                # info, not warning: a strict build must not fail, the snippet runs here instead
                log.info("results: REFUSED %s for %s from %s (%s); it will run here",
                            key, snippet, source.address, exc)
                continue
            if _install(key, files):
                report.accepted.append(key)
            else:
                report.present.append(key)
    return report


# --- the published site --------------------------------------------------------------------


def results_url(site_url: str | None) -> str | None:
    """Where published results are read from: ``COURSE_RESULTS_URL`` (``off`` disables), else
    ``<site_url>/assets/snippets/``; None when there is neither."""
    given = os.environ.get(URL_ENV)
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0", "no", "false") else given.strip()
    if not site_url:
        return None
    return site_url.rstrip("/") + "/" + RESULTS_PATH + "/"


def fetch_published(url: str | None, snippets: Iterable[str], timeout: float = FETCH_TIMEOUT) -> Report:
    """Fetch the results of ``snippets`` that are not cached yet from the export at ``url``.

    Never raises: an unreachable or unreadable address is one info line (then everything runs
    here); a refused entry is one warning line. The manifest must answer within ``timeout``
    seconds (name resolution included), so an offline machine does not wait.
    """
    report = Report()
    if url is None:
        return report
    wanted = {}
    for snippet in snippets:
        key = executor.cache_key(snippet)
        if executor.cached(snippet, key) is None:
            wanted[key] = snippet
        else:
            report.present.append(key)
    if not wanted:
        return report
    source = Source(url, timeout=timeout)
    answer: dict = {}

    def read_manifest():
        try:
            answer["manifest"] = source.manifest()
        except ExportError as exc:
            answer["error"] = exc

    reader = threading.Thread(target=read_manifest, daemon=True)
    reader.start()
    reader.join(timeout)
    if "manifest" not in answer:
        reason = answer.get("error") or f"no answer within {timeout:.0f} s"
        log.info("results: published results not reachable (%s); running %d snippets here",
                 reason, len(wanted))
        return report
    source.manifest = lambda: answer["manifest"]  # read once
    fetched = import_results(source, wanted)
    fetched.present += report.present
    log.info("results: %d fetched from %s, %d refused, %d to run here", len(fetched.accepted), url,
             len(fetched.refused), len(wanted) - len(fetched.accepted))
    return fetched


def published_copy(keys: Iterable[str], site_dir: Path) -> dict:
    """Put the export of ``keys`` into a built site (``site_dir/assets/snippets/``)."""
    return export(keys, site_dir / RESULTS_PATH)
