"""Snippet results shared as content-addressed exports (README: "Results shared from the
published site", "Trust model").

An *export* is a folder::

    manifest.json          {"format": 1, "engine": "2", "entries": {KEY: {"snippet": PATH,
                                                                       "files": {NAME: SHA256}}}}
    KEY/record.json ...    the entry's files, exactly as in the cache

The published site carries one at :data:`RESULTS_PATH`. :func:`import_results` installs an
export's entries whose keys this checkout computes, each file checked against the manifest and
by :func:`engine.core.entries.verify`; a refused entry is one log line and runs here.
:func:`fetch_published` does the same before a build, within a short time limit.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from engine.core import entries, executor
from engine.core.entries import sha256
from engine.core.project import Project

RESULTS_PATH = "assets/snippets"
MANIFEST = "manifest.json"
FORMAT = 1
URL_ENV = "COURSE_RESULTS_URL"  # an export's address, or "off"
FETCH_TIMEOUT = float(os.environ.get("COURSE_RESULTS_TIMEOUT", 3))  # per connection and read
# Total time for all of a fetch before a build, and for `engine import` (a slow or trickling
# server is given up then; what was not fetched runs here).
FETCH_DEADLINE = float(os.environ.get("COURSE_RESULTS_DEADLINE", 120))
IMPORT_DEADLINE = 1800.0
LOCAL_ORIGIN = "export"  # the record's origin of an entry imported from a folder

log = logging.getLogger("mkdocs.course.results")


class ExportError(RuntimeError):
    """An export cannot be read (no manifest, unreachable, not JSON)."""


class DeadlineError(TimeoutError):
    """The total time for a fetch or an import has passed."""


# --- writing an export ---------------------------------------------------------------------


def export(keys: Iterable[str], target: Path, cache: Path | None = None) -> dict:
    """Copy the verified cache entries ``keys`` to ``target``/KEY/ and write (or extend) its manifest."""
    cache = cache or Project.at().cache
    target.mkdir(parents=True, exist_ok=True)
    manifest_file = target / MANIFEST
    manifest = {"format": FORMAT, "engine": executor.ENGINE_VERSION, "entries": {}}
    if manifest_file.is_file():
        manifest["entries"] = json.loads(manifest_file.read_text()).get("entries", {})
    for key in sorted(set(keys)):
        files = entries.read(cache / key)
        record = entries.verify(files, key)
        (target / key).mkdir(exist_ok=True)
        for name, data in files.items():
            entries.write_whole(target / key / name, data)
        manifest["entries"][key] = {"snippet": record["snippet"],
                                    "files": {name: sha256(data) for name, data in files.items()}}
    entries.write_whole(manifest_file, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return manifest


# --- reading one ---------------------------------------------------------------------------


class Source:
    """An export in a folder or at an http(s) URL, read within ``deadline`` seconds in all
    (``timeout``: per connection and socket read), each file up to a byte cap."""

    def __init__(self, address: str, timeout: float = 30, deadline: float = IMPORT_DEADLINE):
        self.address = address.rstrip("/") + "/"
        self.remote = address.startswith(("http://", "https://"))
        self.timeout = timeout
        self.deadline = deadline
        self.until = time.monotonic() + deadline
        self.listed: dict | None = None  # the manifest, once read

    def time_left(self) -> float:
        """Seconds the next wait may take; DeadlineError once the total time has passed."""
        left = self.until - time.monotonic()
        if left <= 0:
            raise DeadlineError(f"the {self.deadline:.0f} s for fetching from {self.address} have passed")
        return min(self.timeout, left)

    def read(self, name: str, cap: int = entries.MAX_FILE_BYTES) -> bytes:
        if not self.remote:
            path = Path(self.address) / name
            if path.parent.is_symlink() or path.is_symlink() or not path.is_file():
                raise entries.EntryError(f"{name} is not a plain file")
            with open(path, "rb") as stream:
                return entries.read_capped(stream, name, cap)
        request = urllib.request.Request(self.address + name, headers={"User-Agent": "course-engine"})
        chunks, size = [], 0
        with urllib.request.urlopen(request, timeout=self.time_left()) as response:
            sock = getattr(getattr(response.fp, "raw", None), "_sock", None)
            while True:
                if sock is not None:  # each read waits only as long as the deadline allows
                    sock.settimeout(self.time_left())
                try:
                    chunk = response.read1(1 << 16)
                except TimeoutError:
                    if self.until - time.monotonic() < 0.1:  # cut by the deadline: say so
                        raise DeadlineError(f"the {self.deadline:.0f} s for fetching from "
                                            f"{self.address} have passed") from None
                    raise
                self.time_left()  # a trickle of fast reads ends at the deadline too
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > cap:
                    raise entries.EntryError(f"{name} is over the {cap} bytes a file of an entry may hold")
                chunks.append(chunk)

    def manifest(self) -> dict:
        if self.listed is not None:
            return self.listed
        try:
            manifest = json.loads(self.read(MANIFEST))
        except (OSError, ValueError) as exc:  # URLError, HTTPError and timeouts are OSErrors
            raise ExportError(f"{self.address}{MANIFEST}: {exc}") from None
        if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
                or not isinstance(manifest.get("entries"), dict)):
            raise ExportError(f"{self.address}{MANIFEST}: not a results manifest (format {FORMAT})")
        self.listed = manifest
        return manifest


@dataclass
class Report:
    accepted: list[str] = field(default_factory=list)  # keys now in the cache
    present: list[str] = field(default_factory=list)  # already cached, not fetched
    refused: dict[str, str] = field(default_factory=dict)  # key -> why


def fetch_entry(source: Source, key: str, entry: dict, snippet: str | None) -> tuple[dict[str, bytes], dict]:
    """The files of the manifest's ``entry`` for ``key`` (a folder's: every file in its entry
    folder) and their record, verified as a result of ``snippet``."""
    if not isinstance(entry, dict) or entry.get("snippet") != snippet:
        raise entries.EntryError(f"manifest names {entry.get('snippet') if isinstance(entry, dict) else entry}, "
                                 f"expected {snippet}")
    names = entry.get("files")
    if not isinstance(names, dict) or not all(isinstance(n, str) and entries.allowed_name(n) for n in names):
        raise entries.EntryError("malformed manifest entry")
    if source.remote:
        files, total = {}, 0
        for name in names:  # the whole entry within its cap, not each file on its own
            files[name] = source.read(f"{key}/{name}", min(entries.MAX_FILE_BYTES, entries.MAX_ENTRY_BYTES - total))
            total += len(files[name])
    else:
        files = entries.read(Path(source.address) / key)
    return files, entries.verify(files, key, snippet)


def import_results(source: Source | str, wanted: dict[str, str] | None = None, workers: int = 8,
                   project: Project | None = None, merging: bool = False) -> Report:
    """Import the entries of ``source`` whose key is in ``wanted`` (key -> snippet; default:
    the current key of every snippet of the project) into the project's cache. Each installed
    record says where it came from (``origin``: the export's URL, or :data:`LOCAL_ORIGIN`).

    ``merging`` (a shard's folder, :func:`engine.core.shards.merge`): an entry already cached is
    read too and must hold the same result (else it is refused as a merge conflict); records
    get no origin (the shards ran for this build); refusals are the caller's to report."""
    project = project or Project.at()
    source = Source(source) if isinstance(source, str) else source
    if wanted is None:
        wanted = {executor.cache_key(s, project=project): s for s in project.all_snippets()}
    manifest = source.manifest()
    report = Report()
    todo = {}  # key -> the valid entry already cached (merging), else None
    for key, snippet in wanted.items():
        if key not in manifest["entries"]:
            continue
        # a key names a folder, never a path (fetch refuses it)
        there = executor.load(project.cache / key, snippet, key) if entries.KEY.fullmatch(key) else None
        if there is not None and not merging:
            report.present.append(key)
        else:
            todo[key] = there

    def fetch(key: str) -> list[str]:  # the report's list the key goes to
        entries.check_key(key)
        files, record = fetch_entry(source, key, manifest["entries"][key], wanted[key])
        there = todo[key]
        if there is not None and entries.content(there.record) != entries.content(record):
            raise entries.EntryError(f"merge conflict for {wanted[key]} (key {key}): {project.cache / key} holds "
                                     "different output, values or figures (the snippet is not deterministic, "
                                     "or a folder is not what it claims); nothing was merged from this entry")
        listed = manifest["entries"][key]["files"]
        for name in sorted(set(listed) | set(files)):
            if name not in files or sha256(files[name]) != listed.get(name):
                raise entries.EntryError(f"{name} does not match its sha256 in the manifest")
        if there is not None:
            return report.present
        if not merging:
            record["origin"] = source.address if source.remote else LOCAL_ORIGIN
            files[entries.RECORD] = json.dumps(record, indent=1).encode()  # not among its own checksums
        entries.install(project.cache, key, files, wanted[key])
        return report.accepted

    late: list = []
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(fetch, key): key for key in todo}
        for future in concurrent.futures.as_completed(futures):
            key = futures[future]
            try:
                future.result().append(key)
            except (OSError, ValueError, KeyError) as exc:
                report.refused[key] = str(exc)
                if merging:
                    continue
                if isinstance(exc, DeadlineError):
                    if not late:  # one line, not one per entry
                        log.info("results: stopped fetching (%s); the rest runs here", exc)
                    late.append(exc)
                    continue
                # info, not warning: a strict build must not fail, the snippet runs here instead
                log.info("results: REFUSED %s for %s from %s (%s); it will run here",
                         key, wanted[key], source.address, exc)
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


def fetch_published(url: str | None, snippets: Iterable[str], timeout: float = FETCH_TIMEOUT,
                    project: Project | None = None, deadline: float = FETCH_DEADLINE) -> Report:
    """Fetch the results of ``snippets`` that are not cached yet from the export at ``url``.

    Never raises: an unreachable or unreadable address is one info line (then everything runs
    here); a refused entry is one info line. The manifest must answer within ``timeout``
    seconds (name resolution included), so an offline machine does not wait; everything
    together within ``deadline`` seconds.
    """
    project = project or Project.at()
    report = Report()
    if url is None:
        return report
    wanted = {}
    for snippet in snippets:
        key = executor.cache_key(snippet, project=project)
        if executor.cached(snippet, key, project) is None:
            wanted[key] = snippet
        else:
            report.present.append(key)
    if not wanted:
        return report
    source = Source(url, timeout=timeout, deadline=deadline)
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
    fetched = import_results(source, wanted, project=project)
    fetched.present += report.present
    log.info("results: %d fetched from %s, %d refused, %d to run here", len(fetched.accepted), url,
             len(fetched.refused), len(wanted) - len(fetched.accepted))
    return fetched
