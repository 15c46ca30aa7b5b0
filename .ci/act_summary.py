"""Per-job summary of an act log (.ci/workflows writes them under ../act-state/logs/):
result, the sum of its steps' durations, and any failed step.

    python .ci/act_summary.py LOG
"""

from __future__ import annotations

import re
import sys
from collections import OrderedDict

STEP = re.compile(r"^\[(?P<job>[^\]]+)\]\s+(?:✅|❌)\s+(?P<state>Success|Failure) - "
                  r"(?P<step>.*?)(?: \[(?P<d>[^\]]+)\])?$")
END = re.compile(r"^\[(?P<job>[^\]]+)\] 🏁\s+Job (?P<result>\w+)")
SKIP = re.compile(r"^\[(?P<job>[^\]]+)\] 🚧\s+Skipping unsupported platform")
UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "µs": 1e-6, "ns": 1e-9}


def seconds(text: str | None) -> float:
    if not text:
        return 0.0
    return sum(float(v) * UNITS[u] for v, u in re.findall(r"([\d.]+)(h|ms|µs|ns|m|s)", text))


def summary(lines) -> OrderedDict[str, dict]:
    jobs: OrderedDict[str, dict] = OrderedDict()

    def job(name: str) -> dict:
        return jobs.setdefault(name, {"result": "?", "seconds": 0.0, "failed": []})

    for raw in lines:
        line = raw.rstrip("\n")
        if m := STEP.match(line):
            job(m["job"])["seconds"] += seconds(m["d"])
            if m["state"] == "Failure" and not m["step"].startswith("Post "):
                job(m["job"])["failed"].append(m["step"])
        elif m := END.match(line):
            job(m["job"])["result"] = m["result"]
        elif m := SKIP.match(line):
            job(m["job"])["result"] = "not started (no runner)"
    return jobs


def main(path: str) -> int:
    with open(path, encoding="utf-8", errors="replace") as log:
        jobs = summary(log)
    for name, entry in jobs.items():
        failed = f"; failed: {', '.join(entry['failed'])}" if entry["failed"] else ""
        print(f"{name}: {entry['result']}, {entry['seconds'] / 60:.1f} min{failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
