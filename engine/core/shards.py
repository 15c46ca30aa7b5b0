"""Sharded execution (README: "Sharded builds and the workflows").

:func:`make_plan` splits the snippets without a cached result into N CPU shards balanced by
recorded run time (plus a ``gpu`` shard for the CUDA pages' snippets); :func:`run_shard` runs one
shard into its own folder, an export (:mod:`engine.core.sharing`); :func:`merge` imports the shard
folders into one cache, each entry verified and assigned to that folder's shard by the plan; then
``COURSE_EXECUTE=cache-only`` builds the site from that cache only (:func:`engine.core.run.result`).
Command line: ``python -m engine plan|shard|merge|makespan``.
"""

from __future__ import annotations

import json
import platform
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from engine.core import entries, executor, gpu, pages, sharing, times
from engine.core.project import Project, SnippetError
from engine.core.run import find_result, run_all

PLAN_VERSION = 1
GPU = "gpu"  # the GPU shard's name; CPU shards are "1" ... "N"
UNRECORDED_SECONDS = times.DEFAULT_SECONDS  # predicted time of a snippet that has never run


class ShardError(RuntimeError):
    """A plan, shard or merge that cannot go on; the message says what to do."""


def recorded_times(project: Project) -> tuple[dict[str, float], dict[str, float]]:
    """Recorded run times, (CPU seconds, GPU seconds) per snippet: the committed ones
    (:func:`engine.core.times.load`), then the run records of the project's cache, which hold
    each run's device (the newest wins)."""
    cpu, gpu = times.load(project), {}
    for snippet, seconds, device in times.records(project.cache):
        (gpu if device.startswith("cuda") else cpu)[snippet] = seconds
    return cpu, gpu


# --- planning (pure) ------------------------------------------------------------------------


def balance(times: dict[str, float], shards: int) -> list[list[str]]:
    """Split snippets into ``shards`` lists of near-equal total time (LPT greedy).

    Longest first, each to the least loaded shard; ties by name and shard number, so the
    same input always gives the same plan.
    """
    if shards < 1:
        raise ShardError(f"the number of shards must be at least 1, not {shards}")
    loads = [0.0] * shards
    parts: list[list[str]] = [[] for _ in range(shards)]
    for snippet in sorted(times, key=lambda s: (-times[s], s)):
        target = min(range(shards), key=lambda i: (loads[i], i))
        parts[target].append(snippet)
        loads[target] += times[snippet]
    return [sorted(p) for p in parts]


def makespan(times: dict[str, float], shards: int) -> float:
    """Predicted wall time of the slowest shard."""
    return max((sum(times[s] for s in part) for part in balance(times, shards)), default=0.0)


@dataclass
class Shard:
    name: str  # "1" ... "N", or "gpu"
    snippets: dict[str, str]  # snippet -> key planned (this machine's key; the GPU's differs)
    predicted: float  # seconds
    unrecorded: list[str] = field(default_factory=list)  # snippets without a recorded time

    def to_json(self) -> dict:
        return {"name": self.name, "snippets": self.snippets, "predicted": round(self.predicted, 1),
                "unrecorded": self.unrecorded}


@dataclass
class Plan:
    shards: list[Shard]  # CPU shards 1..N (some may be empty), then the GPU shard if any
    cached: list[str]  # snippets left out: their results are already there
    environment: dict

    def shard(self, name: str) -> Shard:
        for shard in self.shards:
            if shard.name == name:
                return shard
        raise ShardError(f"the plan has no shard {name!r} (it has {', '.join(self.names())})")

    def names(self) -> list[str]:
        return [s.name for s in self.shards]

    def to_run(self) -> list[str]:
        """Names of the shards with something to run (the workflow's matrix)."""
        return [s.name for s in self.shards if s.snippets]

    def to_json(self) -> dict:
        return {"version": PLAN_VERSION, "environment": self.environment, "cached": self.cached,
                "shards": [s.to_json() for s in self.shards]}

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        if data.get("version") != PLAN_VERSION:
            raise ShardError(f"plan version {data.get('version')} is not {PLAN_VERSION}: plan again")
        shards = [Shard(s["name"], s["snippets"], s["predicted"], s.get("unrecorded", []))
                  for s in data["shards"]]
        return cls(shards, data["cached"], data["environment"])


def make_plan(
    keys: dict[str, str],
    cached: set[str],
    cpu_times: dict[str, float],
    shards: int,
    gpu_snippets: set[str] = frozenset(),
    gpu_times: dict[str, float] | None = None,
    environment: dict | None = None,
) -> Plan:
    """Plan the snippets of ``keys`` (snippet -> key) that are not in ``cached``.

    ``gpu_snippets`` (those not cached) go to the GPU shard; pass an empty set to run every
    snippet on CPU shards. Times: the recorded seconds, or :data:`UNRECORDED_SECONDS`.
    """
    gpu_times = gpu_times or {}
    todo = sorted(s for s in keys if s not in cached)

    def seconds(snippet: str, on_gpu: bool) -> float:
        if on_gpu and snippet in gpu_times:
            return gpu_times[snippet]
        return cpu_times.get(snippet, UNRECORDED_SECONDS)

    cpu_todo = {s: seconds(s, False) for s in todo if s not in gpu_snippets}
    gpu_todo = {s: seconds(s, True) for s in todo if s in gpu_snippets}
    result: list[Shard] = []
    for number, part in enumerate(balance(cpu_todo, shards), start=1):
        result.append(Shard(
            str(number), {s: keys[s] for s in part}, sum(cpu_todo[s] for s in part),
            [s for s in part if s not in cpu_times],
        ))
    if gpu_snippets:
        result.append(Shard(
            GPU, {s: keys[s] for s in sorted(gpu_todo)}, sum(gpu_todo.values()),
            [s for s in sorted(gpu_todo) if s not in gpu_times and s not in cpu_times],
        ))
    return Plan(result, sorted(cached & set(keys)), environment or {})


def environment() -> dict:
    """What the cache key takes from this machine (besides the files): shards must agree on it."""
    found = {"engine": executor.ENGINE_VERSION, "python": ".".join(platform.python_version_tuple()[:2]),
             "device": executor.device_kind()}
    found.update({p: executor._version(p) for p in executor.KEYED_PACKAGES})
    return found


# --- plan, shard, merge on disk -------------------------------------------------------------


def plan_project(shards: int, gpu: bool, project: Project | None = None) -> Plan:
    """Plan every snippet the project's pages show against its cache."""
    project = project or Project.at()
    snippets = [project.relative(s) for s in pages.snippets_in_order(project)]
    keys = {s: executor.cache_key(s, project=project) for s in snippets}
    on_cuda_pages = pages.cuda_snippets(project) & set(snippets)
    gpu_snippets = on_cuda_pages if gpu else set()
    cached = set()
    for snippet in snippets:
        if snippet in gpu_snippets:  # planned for the GPU: only a GPU result counts as done
            key = executor.cache_key(snippet, "cuda", project)
            if executor.load(project.cache / key, snippet, key) is not None:
                cached.add(snippet)
        # the same look-up as the build's: what it would find is done
        elif find_result(snippet, snippet in on_cuda_pages, project) is not None:
            cached.add(snippet)
    cpu_times, gpu_times = recorded_times(project)
    return make_plan(keys, cached, cpu_times, shards, gpu_snippets, gpu_times, environment())


def run_shard(plan: Plan, name: str, out: Path, on_cpu: bool = False,
              reuse: Path | None = None, project: Project | None = None, jobs: int | None = None) -> dict:
    """Run shard ``name`` of ``plan`` into ``out``, an export of its results.

    The GPU shard refuses to run without a GPU unless ``on_cpu`` (the fallback when the GPU
    runner is unavailable). Snippets with a valid result in ``reuse`` (a restored cache) are
    installed from it instead of run. ``jobs`` snippets run at a time (default:
    :func:`engine.core.gpu.jobs`: on a GPU from its free memory and the CPU count, longest
    first; else one). Returns what ran where.
    """
    project = project or Project.at()
    shard = plan.shard(name)
    here = environment()
    for what in sorted(set(here) - {"device"}):
        if plan.environment.get(what) not in (None, here[what]):
            raise ShardError(
                f"shard {name}: the plan was made with {what} {plan.environment[what]}, this machine "
                f"has {here[what]}; results would not match the merge's keys. Use the same version."
            )
    device = here["device"]
    if name == GPU and not device.startswith("cuda") and not on_cpu:
        raise ShardError(f"shard {GPU}: no GPU on this machine (device {device}); use --on-cpu for the fallback")
    into = project.replace(cache=out)
    ran: dict[str, dict] = {}
    for snippet, planned in shard.snippets.items():
        key = executor.cache_key(snippet, project=into)
        if executor.cache_key(snippet, plan.environment.get("device"), into) != planned:
            raise ShardError(
                f"shard {name}: {snippet} does not have the key the plan gave it ({planned}): "
                "its files changed since the plan was made. Plan again."
            )
        if reuse is not None and executor.load(reuse / key, snippet, key) is not None:
            entries.install(out, key, entries.read(reuse / key), snippet)
    cpu_times, gpu_times = recorded_times(project)
    recorded = cpu_times | gpu_times if device.startswith("cuda") else cpu_times
    results = run_all(list(shard.snippets), jobs=gpu.jobs(jobs), project=into, recorded=recorded)
    for snippet, outcome in results.items():
        ran[snippet] = {"key": outcome.key, "seconds": outcome.seconds, "device": outcome.device,
                        "executed": not outcome.cached}
    sharing.export([r["key"] for r in ran.values()], out, out)
    return {"shard": name, "key_device": device, "fallback": name == GPU and on_cpu, "snippets": ran}


# A shard's folder is named after its shard: "results-cpu-2", "shard-2", "2"; "results-gpu(-fallback)".
SHARD_FOLDER = re.compile(r"^(?:.*?-)?(?P<name>[0-9]+|gpu)(?:-fallback)?$")


def planned_keys(plan: Plan, folder: Path, project: Project) -> dict[str, str]:
    """key -> snippet of what the plan assigned to the shard whose results are in ``folder``:
    a CPU shard its snippets' keys; the GPU shard its snippets' ``cuda`` keys (and, for the
    fallback on a CPU, the planned ones)."""
    match = SHARD_FOLDER.match(folder.name)
    if match is None:
        raise ShardError(f"{folder}: its name does not say which shard of the plan it holds "
                         "(results-cpu-N, results-gpu, N or gpu)")
    shard = plan.shard(match.group("name"))
    keys = {key: snippet for snippet, key in shard.snippets.items()}
    if shard.name == GPU:
        keys.update({executor.cache_key(s, "cuda", project): s for s in shard.snippets})
    return keys


def merge(sources: list[Path], into: Path, plan: Plan | None = None, project: Project | None = None) -> dict:
    """Import the shard folders ``sources`` (exports) into the cache ``into``
    (:func:`engine.core.sharing.import_results`, merging: every entry is verified, one already
    there must hold the same result). With ``plan``, a folder may hold only the results its
    shard was assigned (its snippets, under the keys for its device: a CPU shard cannot supply
    a ``cuda`` result or another shard's snippet). Any entry refused is an error."""
    project = (project or Project.at()).replace(cache=into)
    copied = same = 0
    for folder in sources:
        source = sharing.Source(str(folder))
        try:
            listed = source.manifest()["entries"]
        except sharing.ExportError as exc:
            raise ShardError(f"{folder}: not the results folder of a shard ({exc})") from None
        if plan is None:
            wanted = {key: entry.get("snippet") if isinstance(entry, dict) else None for key, entry in listed.items()}
        else:
            wanted = planned_keys(plan, folder, project)
            for key in sorted(set(listed) - set(wanted)):
                raise ShardError(f"{folder / key}: the plan did not assign this result to shard "
                                 f"{SHARD_FOLDER.match(folder.name).group('name')} (another shard's "
                                 "snippet or device); nothing was merged from this folder")
        report = sharing.import_results(source, wanted, project=project, merging=True)
        if report.refused:
            raise ShardError("; ".join(f"{folder / key}: {why}" for key, why in sorted(report.refused.items())))
        copied, same = copied + len(report.accepted), same + len(report.present)
    return {"copied": copied, "identical": same}


# --- command line ---------------------------------------------------------------------------


def _table(rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def describe(plan: Plan) -> str:
    rows = [("shard", "snippets", "predicted")]
    for shard in plan.shards:
        note = f" ({len(shard.unrecorded)} unrecorded, {UNRECORDED_SECONDS:.0f} s each)" if shard.unrecorded else ""
        rows.append((shard.name, len(shard.snippets), f"{shard.predicted:.1f} s{note}"))
    todo = sum(len(s.snippets) for s in plan.shards)
    return (_table(rows) + f"\n{todo} snippets to run, {len(plan.cached)} cached; shards with work: "
            f"{', '.join(plan.to_run()) or 'none'}")


def makespan_table(cpu_times: dict[str, float], counts: list[int]) -> str:
    serial = sum(cpu_times.values())
    rows = [("shards", "predicted makespan", "serial sum", "speed-up")]
    for n in counts:
        span = makespan(cpu_times, n)
        rows.append((n, f"{span:.1f} s", f"{serial:.1f} s", f"{serial / span:.2f}x" if span else "-"))
    longest = max(cpu_times.items(), key=lambda kv: kv[1], default=("-", 0.0))
    return (_table(rows) + f"\n{len(cpu_times)} snippets with a recorded CPU time; the longest, "
            f"{longest[0]} ({longest[1]:.1f} s), bounds any number of shards.")


def _plan(args) -> int:
    plan = plan_project(args.shards, args.gpu, args.project_)
    print(describe(plan))
    if args.out:
        args.out.write_text(json.dumps(plan.to_json(), indent=1, sort_keys=True))
    if args.github_output:
        cpu = [n for n in plan.to_run() if n != GPU]
        with args.github_output.open("a") as out:
            out.write(f"matrix={json.dumps(cpu)}\ncpu={'true' if cpu else 'false'}\n")
            out.write(f"gpu={'true' if GPU in plan.to_run() else 'false'}\n")
            out.write(f"count={sum(len(s.snippets) for s in plan.shards)}\n")
    return 0


def _shard(args) -> int:
    plan = Plan.from_json(json.loads(args.plan.read_text()))
    manifest = run_shard(plan, args.index, args.out, args.on_cpu, args.reuse, args.project_, args.jobs)
    executed = sum(r["executed"] for r in manifest["snippets"].values())
    print(f"shard {args.index}: {len(manifest['snippets'])} snippets into {args.out} "
          f"({executed} run, on {manifest['key_device']})")
    return 0


def _merge(args) -> int:
    into = args.into or args.project_.cache
    plan = Plan.from_json(json.loads(args.plan.read_text()))
    report = merge(args.sources, into, plan, args.project_)
    print(f"merged {len(args.sources)} folders into {into}: {report['copied']} entries copied, "
          f"{report['identical']} identical")
    return 0


def _makespan(args) -> int:
    recorded, _ = recorded_times(args.project_)
    shown = [args.project_.relative(s) for s in pages.snippets_in_order(args.project_)]
    cpu_times = {s: recorded[s] for s in shown if s in recorded}
    print(makespan_table(cpu_times, [int(n) for n in args.shards.split(",")]))
    missing = [s for s in shown if s not in recorded]
    if missing:
        print(f"{len(missing)} of the {len(shown)} snippets the pages show have no recorded time "
              f"(left out): {', '.join(missing)}")
    return 0


def add_commands(commands) -> None:
    """Register plan/shard/merge/makespan on an argparse subparsers object (engine.core.cli uses it)."""
    p = commands.add_parser("plan", help="split the snippets without a result into shards")
    p.add_argument("--shards", type=int, required=True, help="number of CPU shards")
    p.add_argument("--gpu", action="store_true", help="plan the CUDA pages' snippets onto a GPU shard")
    p.add_argument("--out", type=Path, help="write the plan here (JSON)")
    p.add_argument("--github-output", type=Path, help="append matrix/cpu/gpu/count for a workflow")
    p.set_defaults(func=_plan)
    s = commands.add_parser("shard", help="run one shard of a plan into its own results folder")
    s.add_argument("--plan", type=Path, required=True)
    s.add_argument("--index", required=True, help="shard name: 1..N or gpu")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--on-cpu", action="store_true", help="run the gpu shard on the CPU (fallback)")
    s.add_argument("--reuse", type=Path, help="copy valid results from this cache instead of running")
    s.add_argument("--jobs", type=int, metavar="N", help="snippets at a time (default: COURSE_JOBS, else "
                   "on a GPU from its free memory and the CPU count, longest first; else 1)")
    s.set_defaults(func=_shard)
    m = commands.add_parser("merge", help="merge shard results folders into the cache")
    m.add_argument("sources", type=Path, nargs="+")
    m.add_argument("--into", type=Path, help="target cache (default: the engine's cache)")
    m.add_argument("--plan", type=Path, required=True,
                   help="the plan the shards ran: each folder (named after its shard) may hold only its part")
    m.set_defaults(func=_merge)
    k = commands.add_parser("makespan", help="predicted time of 1, 2, 4, 8 shards from recorded times")
    k.add_argument("--shards", default="1,2,4,8")
    k.set_defaults(func=_makespan)


def run_command(func, args) -> int:
    """Run a subcommand; a plan, shard or merge error is one line on stderr and exit status 1."""
    try:
        return func(args)
    except (ShardError, SnippetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
