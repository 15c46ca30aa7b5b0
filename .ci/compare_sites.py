"""Compare two builds of the site (MkDocs and ProperDocs): the same files with the same bytes,
except the explained differences below. Prints every other difference; exit status 1 if any.

    python .ci/compare_sites.py SITE_A SITE_B [--ignore pdf]

Explained differences:
- ``<meta name="generator">`` names the builder ("mkdocs-1.6.1" / "mkdocs-ProperDocs 1.6.7");
- top-level folders named by ``--ignore`` (the PDFs, printed after the build from one of them).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def normalized(data: bytes) -> bytes:
    return GENERATOR.sub(b'<meta name="generator" content="">', data)


def compare(a: Path, b: Path, ignore: set[str]) -> tuple[list[str], int]:
    """(differences, files compared)."""
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*")
                if p.is_file() and p.relative_to(root).parts[0] not in ignore}

    in_a, in_b = files(a), files(b)
    found = [f"only in {a}: {p}" for p in sorted(in_a - in_b)]
    found += [f"only in {b}: {p}" for p in sorted(in_b - in_a)]
    for path in sorted(in_a & in_b):
        if normalized((a / path).read_bytes()) != normalized((b / path).read_bytes()):
            found.append(f"differs: {path}")
    return found, len(in_a & in_b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--ignore", action="append", default=[], help="a top-level folder to skip")
    args = parser.parse_args(argv)
    found, same = compare(args.a, args.b, set(args.ignore))
    for line in found:
        print(line)
    print(f"compare_sites: {same} files compared, {len(found)} difference(s) beyond the generator tag")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
