"""The glossary page and the abbreviations, generated from ``includes/terms/lectureNN.yml``.

A terms file is a YAML list of ``{zh, en, abbr?, avoid_zh?, also_en?, also_zh?}`` (the fields of
:class:`Term`; CONTRIBUTING says how pages use them). At build time the line ``::: course-glossary``
in ``docs/{zh,en}/glossary.md`` becomes a table of every term (:func:`expand`), and
``includes/abbreviations.md`` is rewritten (only when it changes) with one definition per ``abbr``
(``*[SGD]: stochastic gradient descent · 随机梯度下降``), which pymdownx.snippets appends to every
page (``auto_append`` in ``mkdocs.yml``): hovering an abbreviation shows both names.
:func:`avoided_variants` finds the ``avoid_zh`` variants a Chinese page still uses in its prose
(``tests/test_vocabulary.py`` fails on each). ``python -m engine.products.glossary`` rewrites
``includes/abbreviations.md`` by hand. Every function reads the terms of the project it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from engine.core import pages
from engine.core.project import Project

ABBR = re.compile(r"^[A-Za-z][A-Za-z0-9\-]*$")
WORD_LISTS = ("avoid_zh", "also_en", "also_zh")
KEYS = {"zh", "en", "abbr", *WORD_LISTS}

# Three columns (an abbreviation follows its English term), so the table fits a phone.
HEADERS = {
    "zh": "| 中文 | English（缩写） | 出处 |\n|---|---|---|",
    "en": "| English (abbreviation) | 中文 | Introduced in |\n|---|---|---|",
}
LECTURE = {"zh": "第 {n} 讲", "en": "Lecture {n}"}


class GlossaryError(ValueError):
    """A terms file is malformed."""


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    abbr: str | None
    lecture: int  # from the file name, lectureNN.yml
    source: str  # the terms file, relative to the repository root
    avoid_zh: tuple[str, ...] = ()  # variants Chinese pages do not use; zh is the preferred term
    also_en: tuple[str, ...] = ()  # other names readers search by (engine/search.py), shown in the table
    also_zh: tuple[str, ...] = ()  # the same in Chinese


def load_terms(directory: Path | None = None, project: Project | None = None) -> list[Term]:
    """Every term of every ``lectureNN.yml`` (default: the project's ``includes/terms``), in
    lecture order, checked."""
    project = project or Project.at()
    directory = directory or project.includes / "terms"
    terms: list[Term] = []
    for path in sorted(directory.glob("*.yml")):
        where = path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)
        match = re.fullmatch(r"lecture(\d+)", path.stem)
        if not match:
            raise GlossaryError(f"{where}: terms files are named lectureNN.yml")
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(entries, list):
            raise GlossaryError(f"{where}: expected a YAML list of {{zh, en, abbr?}}")
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or set(entry) - KEYS or not (
                isinstance(entry.get("zh"), str) and isinstance(entry.get("en"), str)
            ):
                raise GlossaryError(f"{where}, entry {number}: expected {{zh, en, abbr?, avoid_zh?}}, got {entry!r}")
            abbr = entry.get("abbr")
            if abbr is not None and not (isinstance(abbr, str) and ABBR.match(abbr)):
                raise GlossaryError(f"{where}, entry {number}: abbr {abbr!r} is not a word")
            for key in WORD_LISTS:
                words = entry.get(key, [])
                if not (isinstance(words, list) and all(isinstance(v, str) and v.strip() for v in words)):
                    raise GlossaryError(f"{where}, entry {number}: {key} must be a list of words, got {words!r}")
            zh = entry["zh"].strip()
            lists = {key: tuple(v.strip() for v in entry.get(key, [])) for key in WORD_LISTS}
            if zh in lists["avoid_zh"]:
                raise GlossaryError(f"{where}, entry {number}: {zh!r} is both preferred and avoided")
            terms.append(Term(zh, entry["en"].strip(), abbr, int(match.group(1)), where, **lists))
    return terms


def unique_terms(terms: list[Term]) -> list[Term]:
    """Each term once (the first lecture that lists it); one meaning per abbreviation."""
    seen: dict[str, Term] = {}
    abbrs: dict[str, Term] = {}
    for term in terms:
        key = term.en.lower()
        if key not in seen:
            seen[key] = term
        if term.abbr:
            first = abbrs.setdefault(term.abbr, term)
            if first.en.lower() != term.en.lower():
                raise GlossaryError(
                    f"abbreviation {term.abbr} means {first.en!r} in {first.source} "
                    f"and {term.en!r} in {term.source}"
                )
    return list(seen.values())


def abbreviations_text(terms: list[Term] | None = None, project: Project | None = None) -> str:
    """Abbreviation definitions (Markdown ``abbr`` syntax), both languages in each."""
    terms = unique_terms(load_terms(project=project) if terms is None else terms)
    lines = sorted({f"*[{t.abbr}]: {t.en} · {t.zh}" for t in terms if t.abbr})
    return "\n".join(lines) + "\n" if lines else ""


def write_abbreviations(path: Path | None = None, project: Project | None = None) -> bool:
    """Rewrite ``includes/abbreviations.md`` if the terms changed; True when it was written.

    Written only on a change, so ``mkdocs serve`` (which watches ``includes/``) rebuilds once.
    """
    project = project or Project.at()
    path = path or project.includes / "abbreviations.md"
    text = abbreviations_text(project=project)
    if path.is_file() and path.read_text(encoding="utf-8") == text or not (text or path.is_file()):
        return False  # unchanged, or a project without terms
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def lecture_page(lecture: int, lang: str, project: Project | None = None) -> Path | None:
    pages = sorted(((project or Project.at()).docs / lang).glob(f"lecture{lecture:02d}-*.md"))
    return pages[0] if pages else None


def table(lang: str, terms: list[Term] | None = None, project: Project | None = None) -> str:
    terms = unique_terms(load_terms(project=project) if terms is None else terms)
    if lang == "en":
        terms = sorted(terms, key=lambda t: (t.en.lower(), t.lecture))
    rows = [HEADERS[lang]]
    for term in terms:
        where = LECTURE[lang].format(n=term.lecture)
        page = lecture_page(term.lecture, lang, project)
        if page is not None:
            where = f"[{where}]({page.name})"
        english = f"{term.en} ({term.abbr})" if term.abbr else term.en
        english += "".join(f", {also}" for also in term.also_en)
        chinese = term.zh + "".join(f"、{also}" for also in term.also_zh)
        first, second = (chinese, english) if lang == "zh" else (english, chinese)
        rows.append(f"| {first} | {second} | {where} |")
    return "\n".join(rows)


def expand(markdown: str, lang: str, project: Project | None = None) -> str:
    """Replace the ``::: course-glossary`` line by the table of terms (a malformed terms file
    raises :class:`GlossaryError`); reader.css keeps its lecture column on one line."""

    def render() -> str:
        try:
            return table(lang, project=project)
        except GlossaryError as exc:
            raise GlossaryError(f"glossary: {exc}") from None

    return pages.expand_block(markdown, "course-glossary", render)


# What avoided_variants() does not read: code, formulas, snippet lines, link targets, heading
# anchors, HTML comments, front matter, and text quoted from the original notes (“...”).
NOT_PROSE = [
    re.compile(r"\A---\n.*?\n---\n", re.S),  # front matter
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"`[^`\n]*`"),
    re.compile(r"\$\$.*?\$\$", re.S),
    re.compile(r"(?<!\\)\$[^$\n]+\$"),
    re.compile(r"^ *::: .*$", re.M),
    re.compile(r"\]\([^)\s]*\)"),
    re.compile(r"\{#[^}]*\}"),
    re.compile(r"“[^”\n]*”"),
]


def prose(markdown: str) -> str:
    """The text a reader reads as sentences: ``markdown`` with :data:`NOT_PROSE` blanked out.

    Blanked spans keep their newlines, so line numbers still point into the page. Fenced code
    is blanked too, except ``mermaid`` diagrams, whose labels readers read.
    """
    lines = markdown.split("\n")
    kept = []
    for line, language in zip(lines, pages.fenced_code(lines)):
        diagram_label = language == "mermaid" and not pages.FENCE.match(line.strip())
        kept.append(line if language is None or diagram_label else "")
    markdown = "\n".join(kept)
    for pattern in NOT_PROSE:
        markdown = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), markdown)
    return markdown


def _variant_pattern(variant: str, case_sensitive: bool = False) -> re.Pattern:
    """A Latin variant matches as a whole word (``batch`` not in ``batch_size``); a Chinese one anywhere."""
    escaped = re.escape(variant).replace(r"\ ", r"\s+")
    if re.search(r"[A-Za-z]", variant):
        return re.compile(rf"(?<![\w-]){escaped}(?![\w-])", 0 if case_sensitive else re.I)
    return re.compile(escaped)


def _case_variant(variant: str, term: Term) -> bool:
    """``softmax`` avoided for ``Softmax 函数``: only the spelling differs, so case matters."""
    return any(w != variant and w.lower() == variant.lower() for w in re.findall(r"[A-Za-z]+", term.zh))


def avoided_variants(markdown: str, terms: list[Term] | None = None) -> list[tuple[int, str, Term]]:
    """``(line, variant, term)`` for every avoided variant a Chinese page uses in its prose.

    Full-width parentheses right after a glossary term (bold or not) are a gloss, not a use:
    ``**轮次**（epoch）`` introduces the English word and passes.
    """
    terms = load_terms() if terms is None else terms
    names = sorted({t.zh for t in terms}, key=len, reverse=True)
    glossed = re.compile("(?:" + "|".join(map(re.escape, names)) + r")\**（[^（）\n]*）")
    text = glossed.sub(lambda m: " " * len(m.group()), prose(markdown))
    found = []
    for term in terms:
        for variant in term.avoid_zh:
            # a variant inside a longer glossary term (批量 in 小批量, 批量大小) is that term, not a use
            hosts = sorted({t.zh for t in terms if variant in t.zh and t.zh != variant}, key=len, reverse=True)
            masked = re.sub("|".join(map(re.escape, hosts)), lambda m: " " * len(m.group()), text) if hosts else text
            for match in _variant_pattern(variant, _case_variant(variant, term)).finditer(masked):
                line = masked.count("\n", 0, match.start()) + 1
                found.append((line, match.group(), term))
    return sorted(found, key=lambda f: f[0])


if __name__ == "__main__":
    print("written" if write_abbreviations() else "unchanged", "includes/abbreviations.md")
