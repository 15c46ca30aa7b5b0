"""The glossary page and the abbreviations, generated from ``includes/terms/*.yml``.

Each lecture's terms live in ``includes/terms/lectureNN.yml``, a YAML list::

    - zh: 随机梯度下降
      en: stochastic gradient descent
      abbr: SGD          # optional

At build time

* the line ``::: course-glossary`` in ``docs/{zh,en}/glossary.md`` becomes a table of every
  term, in both languages, with the lecture that introduces it (:func:`expand`);
* ``includes/abbreviations.md`` is rewritten (only when it changes) with one abbreviation
  definition per ``abbr`` (``*[SGD]: stochastic gradient descent · 随机梯度下降``), which
  pymdownx.snippets appends to every page (``auto_append`` in ``mkdocs.yml``), so hovering
  an abbreviation shows its full name in both languages.

``python -m engine.glossary`` rewrites ``includes/abbreviations.md`` by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .executor import ROOT

TERMS_DIR = ROOT / "includes" / "terms"
ABBREVIATIONS = ROOT / "includes" / "abbreviations.md"
DOCS = ROOT / "docs"
MARKER = re.compile(r"^::: course-glossary\s*$", re.M)
ABBR = re.compile(r"^[A-Za-z][A-Za-z0-9\-]*$")

HEADERS = {
    "zh": "| 中文 | English | 缩写 | 出处 |\n|---|---|---|---|",
    "en": "| English | 中文 | Abbreviation | Introduced in |\n|---|---|---|---|",
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


def load_terms(directory: Path = TERMS_DIR) -> list[Term]:
    """Every term of every ``lectureNN.yml``, in lecture order, checked."""
    terms: list[Term] = []
    for path in sorted(directory.glob("*.yml")):
        where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        match = re.fullmatch(r"lecture(\d+)", path.stem)
        if not match:
            raise GlossaryError(f"{where}: terms files are named lectureNN.yml")
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(entries, list):
            raise GlossaryError(f"{where}: expected a YAML list of {{zh, en, abbr?}}")
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or set(entry) - {"zh", "en", "abbr"} or not (
                isinstance(entry.get("zh"), str) and isinstance(entry.get("en"), str)
            ):
                raise GlossaryError(f"{where}, entry {number}: expected {{zh, en, abbr?}}, got {entry!r}")
            abbr = entry.get("abbr")
            if abbr is not None and not (isinstance(abbr, str) and ABBR.match(abbr)):
                raise GlossaryError(f"{where}, entry {number}: abbr {abbr!r} is not a word")
            terms.append(Term(entry["zh"].strip(), entry["en"].strip(), abbr, int(match.group(1)), where))
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


def abbreviations_text(terms: list[Term] | None = None) -> str:
    """Abbreviation definitions (Markdown ``abbr`` syntax), both languages in each."""
    terms = unique_terms(load_terms() if terms is None else terms)
    lines = sorted({f"*[{t.abbr}]: {t.en} · {t.zh}" for t in terms if t.abbr})
    return "\n".join(lines) + "\n" if lines else ""


def write_abbreviations(path: Path = ABBREVIATIONS) -> bool:
    """Rewrite ``includes/abbreviations.md`` if the terms changed; True when it was written.

    Written only on a change, so ``mkdocs serve`` (which watches ``includes/``) rebuilds once.
    """
    text = abbreviations_text()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def lecture_page(lecture: int, lang: str) -> Path | None:
    pages = sorted((DOCS / lang).glob(f"lecture{lecture:02d}-*.md"))
    return pages[0] if pages else None


def table(lang: str, terms: list[Term] | None = None) -> str:
    terms = unique_terms(load_terms() if terms is None else terms)
    if lang == "en":
        terms = sorted(terms, key=lambda t: (t.en.lower(), t.lecture))
    rows = [HEADERS[lang]]
    for term in terms:
        where = LECTURE[lang].format(n=term.lecture)
        page = lecture_page(term.lecture, lang)
        if page is not None:
            where = f"[{where}]({page.name})"
        abbr = term.abbr or ""
        first, second = (term.zh, term.en) if lang == "zh" else (term.en, term.zh)
        rows.append(f"| {first} | {second} | {abbr} | {where} |")
    return "\n".join(rows)


def expand(markdown: str, lang: str) -> str:
    """Replace the ``::: course-glossary`` line by the table of terms."""
    if not MARKER.search(markdown):
        return markdown
    try:
        rendered = table(lang)
    except GlossaryError as exc:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"glossary: {exc}") from None
    return MARKER.sub(lambda _: rendered, markdown)


if __name__ == "__main__":
    print("written" if write_abbreviations() else "unchanged", ABBREVIATIONS.relative_to(ROOT))
