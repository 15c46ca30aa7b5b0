"""``python -m engine``: run, inspect, export and import snippet results without MkDocs.

``--project DIR`` (before the subcommand) works on another project's ``snippets/``, ``docs/``,
``includes/`` and ``.cache/``; ``--help`` lists the subcommands (README, "The engine without
MkDocs" and "Sharded builds"). The published results' address is ``COURSE_RESULTS_URL`` (``off``
disables), else ``<site address>/assets/snippets/``. Exit status: 0 ok, 1 a snippet failed or an
import refused entries, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path

from engine import core
from engine.core import address, executor, gpu, pages, prune, shards, sharing, times
from engine.core.project import Project


def _run(args) -> int:
    url = None if args.no_fetch else sharing.results_url(address.published_site_url(args.project_.root / "mkdocs.yml"))
    try:
        snippets = args.snippets
        if args.cuda_pages:
            shown = [args.project_.relative(s) for s in pages.snippets_in_order(args.project_)]
            on_cuda_pages = pages.cuda_snippets(args.project_)
            chosen = [s for s in shown if s in on_cuda_pages]
            snippets = chosen + [s for s in snippets if args.project_.relative(s) not in chosen]
            if not snippets:
                print("no page is marked cuda: true: nothing to run", file=sys.stderr)
                return 0
        results = core.run_all(snippets, fetch_from=url, keep_going=args.keep_going, jobs=gpu.jobs(args.jobs),
                               project=args.project_)
    except executor.SnippetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ran = sum(1 for r in results.values() if not r.cached)
    print(f"{len(results)} snippets: {ran} run, {len(results) - ran} from the cache")
    prune.auto(args.project_)  # one log line when it removes something
    return 0


def _prune(args) -> int:
    report = prune.prune(
        args.project_, older_than=None if args.older_than is None else args.older_than * 86400,
        max_unused_bytes=None if args.keep_mb is None else int(args.keep_mb * 1e6), dry_run=args.dry_run,
    )
    for path in report.entries + report.locks + report.temporary:
        print(f"{'would remove' if args.dry_run else 'removed'} {path}")
    print(f"cache {args.project_.cache}: {report.summary(args.dry_run)}")
    return 0


def _status(args) -> int:
    rows = core.status(args.snippets, args.project_)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    for row in rows:
        seconds = f"{row['seconds']:.1f} s" if row["seconds"] is not None else "?"
        print(f"{'cached ' if row['cached'] else 'missing'}  {row['key']}  {seconds:>8}  {row['snippet']}")
    missing = sum(1 for r in rows if not r["cached"])
    print(f"{len(rows) - missing} cached, {missing} missing (cache: {args.project_.cache})")
    return 0


def _keys(args) -> int:
    print(json.dumps(core.keys(args.snippets, args.project_), indent=1))
    return 0


def _export(args) -> int:
    manifest = core.export_cached(Path(args.dir), args.snippets, args.project_)
    print(f"{len(manifest['entries'])} results in {args.dir}/{sharing.MANIFEST}")
    return 0


def _import(args) -> int:
    try:
        report = sharing.import_results(args.source, project=args.project_)
    except sharing.ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(report.accepted)} imported from {args.source}, {len(report.present)} already cached, "
          f"{len(report.refused)} refused")
    return 1 if report.refused else 0


def _times(args) -> int:
    recorded = times.update(args.project_) if args.update else times.load(args.project_)
    print(json.dumps(recorded, indent=1))
    if args.update:
        print(f"{len(recorded)} run times written to {args.project_.run_times}", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m engine", description=__doc__.split("\n\n")[0])
    main.add_argument("--project", type=Path, help="the project's root (default: this repository)")
    commands = main.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the snippets that are not cached (with progress)")
    run.add_argument("snippets", nargs="*", metavar="SNIPPET")
    run.add_argument("--no-fetch", action="store_true", help="do not fetch published results first")
    run.add_argument("--keep-going", action="store_true", help="run the others after a failure, report all")
    run.add_argument("--jobs", type=int, metavar="N",
                     help="on a CPU: run the light snippets N at a time (recorded under 60 s), then the "
                     "heavy ones (default 1); on a GPU: all N at a time, longest first (default: from "
                     "the GPU's free memory and the CPU count); COURSE_JOBS sets the default")
    run.add_argument("--cuda-pages", action="store_true",
                     help="the snippets of the pages marked cuda: true (make test-gpu runs them first)")
    run.set_defaults(func=_run)

    status = commands.add_parser("status", help="which snippets are cached or missing, with keys")
    status.add_argument("snippets", nargs="*", metavar="SNIPPET")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)

    keys = commands.add_parser("keys", help="snippet -> cache key, as JSON")
    keys.add_argument("snippets", nargs="*", metavar="SNIPPET")
    keys.set_defaults(func=_keys)

    export = commands.add_parser("export", help="write cached results as a checksummed export")
    export.add_argument("dir")
    export.add_argument("snippets", nargs="*", metavar="SNIPPET")
    export.set_defaults(func=_export)

    imported = commands.add_parser("import", help="import a verified export (folder or URL)")
    imported.add_argument("source")
    imported.set_defaults(func=_import)

    pruned = commands.add_parser("prune", help="remove cache entries no snippet of the tree uses")
    pruned.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    pruned.add_argument("--older-than", type=float, metavar="DAYS",
                        help="keep unused entries younger than this (default: remove them all)")
    pruned.add_argument("--keep-mb", type=float, metavar="MB",
                        help="keep the youngest unused entries up to this size")
    pruned.set_defaults(func=_prune)

    recorded = commands.add_parser("times", help="recorded run times (snippets/run_times.json)")
    recorded.add_argument("--update", action="store_true", help="refresh them from the cache's run records")
    recorded.set_defaults(func=_times)

    shards.add_commands(commands)  # plan, shard, merge, makespan
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.project_ = Project.at(args.project)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs.course.executor").setLevel(logging.WARNING)  # the progress line says it
    # `kill` stops a run as Ctrl+C does: the running snippet and what it started end with it
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with it ignored (`cmd &`)
    try:
        if args.func.__module__ == shards.__name__:
            return shards.run_command(args.func, args)
        return args.func(args)
    except executor.SnippetError as exc:  # e.g. a snippet path that does not exist
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        executor.stop_all()
        print("interrupted: the running snippets and every process they started were stopped; "
              "nothing of theirs was cached", file=sys.stderr)
        return 130
