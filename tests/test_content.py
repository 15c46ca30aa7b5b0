"""Content checks: links and anchors in the built site, Chinese copywriting, Markdown lint,
ruff, and actionlint on the workflows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent


BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -r requirements.txt)")
    return found


# --- links and anchors in the built site ------------------------------------------------


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "link", "script", "source"):
                self.links.append((tag, attrs[key]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _site_path(site: Path) -> str:
    """The path of the site's address ("/pytorch-deep-learning-practice/", from the repository it
    was built from; "/" without one): absolute links start with it. Read from the home page's
    canonical link, so a site built elsewhere (COURSE_SITE_DIR) is read as it was built."""
    home = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    return urlsplit(match.group(1)).path if match else "/"


def _target(site: Path, page: Path, url: str) -> tuple[Path, str]:
    base = "/" + page.relative_to(site).as_posix()
    parts = urlsplit(urljoin(base, url))
    prefix = _site_path(site)
    local = parts.path[len(prefix) - 1 :] if url.startswith(prefix) and prefix != "/" else parts.path
    path = site / unquote(local).lstrip("/")
    if parts.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_internal_links_and_anchors(site):
    """Every internal link, image, script and stylesheet exists; every #anchor exists on its page."""
    pages = {p: _parse(p) for p in sorted(site.rglob("*.html")) if p.name != "404.html"}
    repository = _repository()
    broken, checked, external = [], 0, set()
    for page, parsed in pages.items():
        for tag, url in parsed.links:
            parts = urlsplit(url)
            if parts.scheme in ("mailto", "data", "javascript"):
                continue
            if parts.scheme or url.startswith("//"):
                external.add(url)
                problem = _check_repository_link(url, repository)
                if problem:
                    broken.append(f"{page.relative_to(site)}: {problem}")
                continue
            target, fragment = _target(site, page, url)
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {tag} {url} -> missing {target.relative_to(site)}")
                continue
            if fragment and target.suffix == ".html" and fragment not in ("__", "top"):
                ids = pages[target].ids if target in pages else _parse(target).ids
                if fragment not in ids:
                    where = target.relative_to(site)
                    broken.append(f"{page.relative_to(site)}: {url} -> no #{fragment} in {where}")
    print(f"links: {checked} internal checked, {len(external)} distinct external")
    assert checked > 0
    assert not broken, "\n".join(broken[:50])


def _repository() -> str | None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r"^\s*repository:\s*(\S+)", text, re.M) or re.search(r"^repo_url:\s*(\S+)", text, re.M)
    return match.group(1).rstrip("/") if match else None


def _check_repository_link(url: str, repository: str | None) -> str | None:
    """Links into this repository (blob/tree on main) name files that exist: snippets above all."""
    if not repository or not url.startswith(repository + "/"):
        return None
    match = re.match(re.escape(repository) + r"/(?:blob|tree|edit)/main/(.+)", url)
    if match:
        path = unquote(match.group(1).split("#")[0])
        if not (ROOT / path).exists():
            return f"{url} -> no {path} in the repository"
    return None


def test_snippet_directives_name_existing_files():
    missing = []
    for md in sorted((ROOT / "docs").rglob("*.md")):
        for number, line in enumerate(md.read_text(encoding="utf-8").splitlines(), start=1):
            match = re.match(r"^::: snippet (\S+)\s*$", line)
            if match and not (ROOT / match.group(1)).is_file():
                missing.append(f"{md.relative_to(ROOT)}:{number}: {match.group(1)}")
    assert not missing, "\n".join(missing)


# --- Chinese copywriting ---------------------------------------------------------------------


def test_chinese_copywriting_autocorrect():
    """Spaces between Chinese and Latin words or numbers, full-width punctuation (autocorrect)."""
    autocorrect = pytest.importorskip("autocorrect_py")
    found = []
    for md in sorted((ROOT / "docs" / "zh").rglob("*.md")):
        result = autocorrect.lint_for(md.read_text(encoding="utf-8"), str(md))
        for line in result.lines:
            found.append(f"{md.relative_to(ROOT)}:{line.line}:{line.col}: {line.old.strip()[:70]!r}\n"
                         f"    -> {line.new.strip()[:70]!r}")
    assert not found, "autocorrect (`autocorrect --fix docs/zh` or edit by hand):\n" + "\n".join(found)


CJK = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"  # Chinese characters and full-width punctuation
TYPOGRAPHY = [
    # a space between two Chinese characters ("300 个批次 的")
    ("stray space in Chinese text", re.compile(rf"{CJK} +{CJK}")),
    # half-width punctuation touching Chinese text, also through a number ("0～4:0 负面")
    ("half-width punctuation in Chinese text",
     re.compile(rf"{CJK}[A-Za-z0-9]*[:;!?](?!//)|[:;!?][A-Za-z0-9]*{CJK}|{CJK},|,{CJK}")),
]


def chinese_typography(markdown: str) -> list[tuple[int, str, str]]:
    """(line, problem, text) for what autocorrect lets through: it reads Chinese text between
    spaces and numbers one piece at a time, so neither case above reaches it. Code, formulas,
    link targets and text quoted from the notes are not read (diagram labels are)."""
    from engine.products.glossary import NOT_PROSE, prose

    for pattern in NOT_PROSE:  # a code span or formula reads as a word: "和 `x` 的" is right
        markdown = pattern.sub(lambda m: "X" + "\n" * m.group().count("\n"), markdown)
    found = []
    for number, line in enumerate(prose(markdown).split("\n"), start=1):
        line = re.sub(r"^ *!!! \w+", "", line)  # admonition syntax
        for problem, pattern in TYPOGRAPHY:
            found += [(number, problem, m.group()) for m in pattern.finditer(line)]
    return found


def test_chinese_typography_check_finds_what_autocorrect_misses():
    page = "每 300 个批次 的平均损失\n情感 0～4:0 负面\n`a  b` 和 $x$ 的“原文 的引用”\n见 <https://x.org>。"
    assert chinese_typography(page) == [(1, "stray space in Chinese text", "次 的"),
                                        (2, "half-width punctuation in Chinese text", "～4:")]


def test_chinese_typography():
    found = [f"{md.relative_to(ROOT)}:{line}: {problem}: {text!r}"
             for md in sorted((ROOT / "docs" / "zh").rglob("*.md"))
             for line, problem, text in chinese_typography(md.read_text(encoding="utf-8"))]
    assert not found, "Chinese typography:\n" + "\n".join(found)


# --- Markdown lint ---------------------------------------------------------------------------


def test_markdown_lint():
    """pymarkdownlnt over docs/ with .pymarkdown.json (rules that misread mkdocs-material syntax off)."""
    pymarkdown = tool("pymarkdown")
    proc = subprocess.run(
        [pymarkdown, "--config", str(ROOT / ".pymarkdown.json"), "scan", "-r", "docs/zh", "docs/en"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- code and workflows ------------------------------------------------------------------


def test_ruff():
    ruff = tool("ruff")
    proc = subprocess.run([ruff, "check", "engine", "tests", "snippets"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    if not workflows:
        pytest.skip("no workflows")
    actionlint = tool("actionlint")
    proc = subprocess.run([actionlint, *map(str, workflows)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
