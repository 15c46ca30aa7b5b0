"""The glossary (generated from includes/terms/*.yml) and the abbreviations."""

from __future__ import annotations

import re

import pytest

from engine.core.project import ENGINE_HOME as ROOT
from engine.products import glossary

TERMS = glossary.load_terms()  # raises on a malformed terms file
PAGES = {lang: sorted((ROOT / "docs" / lang).glob("*.md")) for lang in ("zh", "en")}


def normalize(text: str) -> str:
    """Lower case, without spaces and hyphens: 'back-propagation' matches 'backpropagation'."""
    return re.sub(r"[\s\-]+", "", text.lower())


def page_texts(lang: str) -> dict[str, str]:
    return {p.name: normalize(p.read_text(encoding="utf-8")) for p in PAGES[lang]
            if p.name not in ("glossary.md",)}


def test_terms_files_are_well_formed():
    for term in TERMS:
        assert term.zh and term.en, term
        assert not re.search(r"[\u4e00-\u9fff]", term.en), f"{term.source}: English term {term.en!r} has Chinese"
        assert re.search(r"[\u4e00-\u9fff]", term.zh), f"{term.source}: Chinese term {term.zh!r} has no Chinese"


def test_one_translation_per_term():
    """The same English term is not translated two ways in two lectures (and vice versa)."""
    by_en: dict[str, glossary.Term] = {}
    by_zh: dict[str, glossary.Term] = {}
    problems = []
    for term in TERMS:
        first = by_en.setdefault(term.en.lower(), term)
        if first.zh != term.zh:
            problems.append(f"{term.en!r}: {first.zh!r} ({first.source}) vs {term.zh!r} ({term.source})")
        first = by_zh.setdefault(term.zh, term)
        if first.en.lower() != term.en.lower():
            problems.append(f"{term.zh!r}: {first.en!r} ({first.source}) vs {term.en!r} ({term.source})")
    glossary.unique_terms(TERMS)  # one meaning per abbreviation, or GlossaryError
    assert not problems, "inconsistent translations:\n" + "\n".join(problems)


@pytest.mark.parametrize("term", TERMS, ids=lambda t: f"lecture{t.lecture:02d}-{t.en}")
def test_term_is_used_in_the_pages(term):
    """Its Chinese in some Chinese page, its English in the English page of its lecture.

    An abbreviation counts as its term: the page shows it with a hover giving both full names."""
    zh_pages = page_texts("zh")
    used = [normalize(term.zh)] + ([normalize(term.abbr)] if term.abbr else [])
    if not any(name in text for name in used for text in zh_pages.values()):
        pytest.fail(f"{term.source}: {term.zh!r} appears in no page of docs/zh/")
    en_page = glossary.lecture_page(term.lecture, "en")
    if en_page is None:
        pytest.skip(f"lecture {term.lecture} has no English page yet")
    text = normalize(en_page.read_text(encoding="utf-8"))
    if normalize(term.en) not in text and not (term.abbr and normalize(term.abbr) in text):
        pytest.fail(f"{term.source}: {term.en!r} does not appear in {en_page.relative_to(ROOT)}")


def test_abbreviations_text():
    """One definition per abbreviation, full names in both languages (the build writes the file)."""
    text = glossary.abbreviations_text()
    abbreviated = {t.abbr for t in TERMS if t.abbr}
    lines = text.splitlines()
    assert len(lines) == len(abbreviated)
    for line in lines:
        assert re.fullmatch(r"\*\[[\w-]+\]: [^·]+ · .*[\u4e00-\u9fff].*", line), line


def test_glossary_pages_list_every_term(site_dir):
    terms = glossary.unique_terms(TERMS)
    for lang, path in (("zh", site_dir / "glossary/index.html"), ("en", site_dir / "en/glossary/index.html")):
        html = path.read_text(encoding="utf-8")
        rows = re.findall(r"<tr>", html)
        assert len(rows) == len(terms) + 1, f"{lang} glossary: {len(rows) - 1} rows for {len(terms)} terms"
        for term in terms:
            assert term.zh in html and term.en in html, f"{lang} glossary lacks {term}"


def test_abbreviations_show_both_languages(site_dir):
    """Hovering an abbreviation shows its full name in English and Chinese."""
    abbreviated = [t for t in glossary.unique_terms(TERMS) if t.abbr]
    if not abbreviated:
        pytest.skip("no abbreviations in includes/terms yet")
    html = (site_dir / "glossary" / "index.html").read_text(encoding="utf-8")
    for term in abbreviated:
        title = f"{term.en} · {term.zh}"
        assert f'<abbr title="{title}">{term.abbr}</abbr>' in html, f"no <abbr> for {term.abbr}"
