"""GPU pages: ``cuda: true`` in a page's front matter follows from its snippets, and on a GPU
machine every snippet that picks the GPU really runs there.

A snippet *picks the GPU* when its code, or a sibling module it imports, calls
``torch.cuda.is_available()`` (see ``tests.helpers.chooses_cuda``). A page is a GPU page exactly
when one of its snippets does: the mark shows the page's GPU note and puts the page's snippets
on the GPU machine.

The runs are marked ``cuda``: skipped without a GPU, a failure under ``REQUIRE_CUDA=1``.
"""

from __future__ import annotations

import pytest

from tests.helpers import LANGUAGES, chooses_cuda, front_matter, page_names, read_page, shown_snippets

PAGES = sorted(page_names("zh"))


def marked_cuda(lang: str, page: str) -> bool:
    return front_matter(read_page(lang, page)).get("cuda") is True


def cuda_snippets() -> list[str]:
    return sorted({s for page in PAGES if marked_cuda("zh", page) for s in shown_snippets(read_page("zh", page))})


@pytest.mark.parametrize("page", PAGES)
def test_cuda_mark_follows_from_the_snippets(page):
    picking = [s for s in shown_snippets(read_page("zh", page)) if chooses_cuda(s)]
    for lang in LANGUAGES:
        if picking:
            assert marked_cuda(lang, page), (
                f"docs/{lang}/{page}: {picking[0]} picks the GPU when there is one; "
                "the page needs `cuda: true` in its front matter"
            )
        else:
            assert not marked_cuda(lang, page), (
                f"docs/{lang}/{page} is marked `cuda: true` but none of its snippets picks the GPU"
            )


@pytest.mark.cuda
@pytest.mark.parametrize("snippet", cuda_snippets())
def test_cuda_page_snippet_runs_where_it_should(snippet, cuda_device, run_snippet):
    result = run_snippet(snippet)
    print(f"{snippet}: {result.seconds:.1f} s on {result.device}")
    if chooses_cuda(snippet):
        assert result.device.startswith("cuda"), f"{snippet} picks the GPU but ran on {result.device}"
    else:
        assert result.device == "cpu", f"{snippet} never picks a device but used {result.device}"
