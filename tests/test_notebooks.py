"""Each lecture's notebook: built from the snippets, outputs of the build's one execution."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from engine.core import address
from engine.core.project import ENGINE_HOME as ROOT
from engine.products import notebooks

LECTURES = [
    (lang, path.stem)
    for lang in ("zh", "en")
    for path in sorted((ROOT / "docs" / lang).glob("lecture*.md"))
    if notebooks.parse_page(f"{lang}/{path.name}", path.read_text(encoding="utf-8")) is not None
]


def site_page(site_dir: Path, lang: str, stem: str) -> Path:
    return site_dir / ("en/" if lang == "en" else "") / "notebooks" / stem


def load(site_dir: Path, lang: str, stem: str) -> nbformat.NotebookNode:
    path = site_page(site_dir, lang, stem) / f"{stem}.ipynb"
    assert path.is_file(), f"no downloadable notebook {path}"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return nb


def test_config_never_executes_notebooks():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", ""))
    plugin = next(p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert plugin["execute"] is False and plugin["allow_errors"] is False


def test_no_notebook_is_committed():
    tracked = [p for p in ROOT.rglob("*.ipynb") if not {".cache", ".venv", "site"} & set(p.relative_to(ROOT).parts)]
    assert not tracked, f"notebooks are generated, never kept in the tree: {tracked}"


@pytest.mark.parametrize("lang,stem", LECTURES)
def test_notebook_matches_snippets_and_outputs(site_dir, run_snippet, lang, stem):
    page = notebooks.parse_page(f"{lang}/{stem}.md", (ROOT / "docs" / lang / f"{stem}.md").read_text(encoding="utf-8"))
    nb = load(site_dir, lang, stem)
    code = [c for c in nb.cells if c.cell_type == "code" and not c.source.startswith("%%writefile")]
    assert len(code) == len(page.entries)
    for cell, entry in zip(code, page.entries, strict=True):
        source = notebooks.strip_annotations((ROOT / entry.snippet).read_text(encoding="utf-8")).rstrip("\n")
        assert cell.source == source, f"{entry.snippet}: code cell differs from the snippet"
        result = run_snippet(entry.snippet)  # the cached result: nothing runs again
        streams = [o for o in cell.outputs if o.output_type == "stream"]
        images = [o for o in cell.outputs if o.output_type == "display_data"]
        assert "".join(o.text for o in streams) == result.output
        assert len(images) == len(result.figures)
        assert not [o for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("lang,stem", LECTURES)
def test_notebook_page_is_light_and_linked(site_dir, lang, stem):
    html = (site_page(site_dir, lang, stem) / "index.html").read_text(encoding="utf-8")
    assert len(html.encode()) < 300_000, f"notebook page is {len(html.encode())} bytes"
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
    assert sum(map(len, styles)) < 20_000, "the notebook CSS should be in the shared notebook.css"
    assert "data:image/png;base64" not in html, "figures should be the site's PNG files"
    assert not re.search(r"<script[^>]+src=\"https?://", html), "no script from another site"
    assert "assets/stylesheets/notebook.css" in html
    repo = address.repository(ROOT)  # the build's own: GITHUB_REPOSITORY, the git remote, ...
    if repo:
        assert f"colab.research.google.com/github/{repo}/blob/notebooks/" in html
    else:  # no repository known: no Colab link rather than someone else's
        assert "colab.research.google.com" not in html
    assert f'href="{stem}.ipynb"' in html or f"{stem}.ipynb" in html
    lecture = site_dir / ("en/" if lang == "en" else "") / stem / "index.html"
    assert f"notebooks/{stem}/" in lecture.read_text(encoding="utf-8"), "the lecture page links its notebook"
