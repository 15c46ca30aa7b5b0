"""Child process that runs one snippet (used by :mod:`engine.executor`).

``python -m engine._child SNIPPET OUTDIR`` runs SNIPPET as ``__main__`` exactly
like ``python SNIPPET`` would (same ``sys.argv[0]``, the snippet's folder first
on ``sys.path``), with matplotlib on the Agg backend and ``plt.show()`` a no-op.
Afterwards it writes into OUTDIR:

* ``fig-01.png`` ... every open figure at FIGURE_DPI (twice the 100 dpi it is shown
  at, sharp on high-density screens; the PNG records its dpi, from which the page sets
  its display size), without timestamps or software tags, so the same figure gives the
  same bytes;
* ``values.json``: the snippet's top-level results (numbers, strings, short
  lists and dicts of them) for tests and the results page;
* ``child.json``: the device the snippet used and the torch version.

stdout and stderr are captured by the parent.
"""

from __future__ import annotations

import json
import math
import os
import runpy
import sys
from pathlib import Path

MAX_LIST = 10_000
MAX_STR = 2_000
FIGURE_DPI = 200


def _plain(value, depth=0):
    """Return a JSON-friendly copy of ``value`` or raise TypeError."""
    if depth > 4:
        raise TypeError
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        if len(value) > MAX_STR:
            raise TypeError
        return value
    type_name = type(value).__module__ + "." + type(value).__qualname__
    if type_name.startswith("numpy.") and hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        return _plain(value.item(), depth)
    if type_name == "torch.Tensor" and value.numel() == 1:
        return _plain(value.item(), depth)
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_LIST:
            raise TypeError
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if len(value) > MAX_LIST:
            raise TypeError
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    raise TypeError


def _values(namespace: dict) -> dict:
    out = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        try:
            out[name] = _plain(value)
        except TypeError:
            continue
    return out


def _device() -> str:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        return f"cuda ({torch.cuda.get_device_name()})"
    return "cpu"


def main(snippet: str, outdir: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.show = lambda *args, **kwargs: None  # figures are collected below
    plt.rcParams["svg.hashsalt"] = "course"

    out = Path(outdir)
    sys.argv = [snippet]
    sys.path.insert(0, str(Path(snippet).resolve().parent))
    namespace = runpy.run_path(snippet, run_name="__main__")
    sys.stdout.flush()

    for number in plt.get_fignums():
        figure = plt.figure(number)
        figure.savefig(out / f"fig-{number:02d}.png", dpi=FIGURE_DPI, metadata={"Software": None})
    plt.close("all")

    (out / "values.json").write_text(json.dumps(_values(namespace), indent=1, sort_keys=True))
    torch = sys.modules.get("torch")
    info = {"device": _device(), "torch": getattr(torch, "__version__", None)}
    (out / "child.json").write_text(json.dumps(info))


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    main(sys.argv[1], sys.argv[2])
