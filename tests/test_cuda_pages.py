"""CUDA pages (front matter ``cuda: true``) really run on the GPU when there is one.

Marked ``cuda``: skipped without a GPU, a failure under ``REQUIRE_CUDA=1``.
Each snippet of such a page runs through the engine (the cache key includes
the device, so CPU results are never reused) and must report a CUDA device.
"""

from __future__ import annotations

import re

import pytest

from engine import executor
from engine.markdown import find_directives

DOCS = executor.ROOT / "docs" / "zh"


def cuda_pages() -> list[str]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        front = re.match(r"^---\n(.*?)\n---\n", page.read_text(encoding="utf-8"), re.S)
        if front and re.search(r"^cuda:\s*true\s*$", front.group(1), re.M):
            found.append(page.name)
    return found


def cuda_snippets() -> list[str]:
    return sorted({d.snippet for page in cuda_pages() for d in find_directives((DOCS / page).read_text())})


def test_cuda_pages_are_marked_in_both_languages():
    for page in cuda_pages():
        english = (executor.ROOT / "docs" / "en" / page).read_text(encoding="utf-8")
        assert re.match(r"^---\n(?:.*\n)*?cuda:\s*true\n(?:.*\n)*?---\n", english), page


@pytest.mark.cuda
@pytest.mark.parametrize("snippet", cuda_snippets())
def test_cuda_page_snippet_runs_on_the_gpu(snippet, cuda_device, run_snippet):
    result = run_snippet(snippet)
    print(f"{snippet}: {result.seconds:.1f} s on {result.device}")
    picks_a_device = "torch.device(" in (executor.ROOT / snippet).read_text(encoding="utf-8")
    if picks_a_device:  # snippets that never choose a device (small CPU demos) may stay on the CPU
        assert result.device.startswith("cuda"), f"{snippet} ran on {result.device}"
