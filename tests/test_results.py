"""The results page: every number read from this build's own runs."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from engine.core import executor
from engine.products import results


def test_mapping_names_existing_snippets():
    results.check()  # ResultsError names the entry whose snippet is missing
    for headline in results.load():
        assert isinstance(headline.value, tuple) and headline.value, headline


def _id(headline: results.Headline) -> str:
    return f"lecture{headline.lecture:02d}-{'.'.join(map(str, headline.value))}"


@pytest.mark.parametrize("headline", results.load(), ids=_id)
def test_mapped_value_exists(headline, run_snippet):
    value = results.lookup(run_snippet(headline.snippet).values, headline.value, headline.snippet)
    assert isinstance(value, (int, float, str)), f"{headline}: {value!r} is not a number"


def test_missing_value_fails_loudly():
    fake = executor.Result("snippets/x.py", "k", "", [], {"w": 1.0}, {"device": "cpu", "seconds": 0.1})
    headline = results.Headline(1, "snippets/lecture02_linear_model/exhaustive_search.py", ("final_loss",), "z", "e")
    with pytest.raises(results.ResultsError, match="final_loss"):
        results.table("en", lambda _: fake, [headline])
    missing = results.Headline(1, "snippets/lecture99_nothing/train.py", ("w",), "z", "e")
    with pytest.raises(results.ResultsError, match="lecture99_nothing"):
        results.check([missing])


def test_lectures_with_pages_have_a_headline():
    """Every lecture page that computes a result has an entry on the results page."""
    pages = {int(m.group(1)) for p in (executor.ENGINE_HOME / "docs" / "en").glob("lecture*.md")
             if (m := re.match(r"lecture(\d+)", p.name))}
    mapped = {h.lecture for h in results.load()}
    missing = sorted(pages - mapped - {1})  # lecture 1 computes nothing to report
    assert not missing, f"lectures without a results-page entry (add them to includes/headlines.yml): {missing}"


@pytest.mark.parametrize("lang,page", [("zh", "results/index.html"), ("en", "en/results/index.html")])
def test_results_page_shows_this_builds_values(site_dir, run_snippet, lang, page):
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", (site_dir / page).read_text(encoding="utf-8")))
    for headline in results.load():
        result = run_snippet(headline.snippet)
        shown = results.fmt(results.lookup(result.values, headline.value, headline.snippet), headline.percent)
        assert shown in text, f"{page}: {headline.snippet} {headline.value} = {shown} not shown"
        assert result.device in text
        assert results.LABELS[lang]["seconds"].format(s=result.seconds) in text


# --- what the course reported: the results page and the lecture pages say the same -----------

COURSE_COLUMN = {"zh": "课程结果", "en": "course"}  # header of a lecture page's comparison table
COUNT = re.compile(r"\s*[（(]\d+/\d+[）)]")  # "98.69% (9869/10000)": the count explains the percentage


def _course_column(markdown: str, lang: str) -> list[str]:
    """The cells of the course column of every table whose second header is COURSE_COLUMN[lang]."""
    cells, column = [], False
    for line in markdown.splitlines():
        row = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if row is None:
            column = False
        elif len(row) > 1 and row[1] == COURSE_COLUMN[lang]:
            column = True
        elif column and not set(line) <= set("|-: "):
            cells.append(COUNT.sub("", row[1]))
    return cells


def _results_course_column(lang: str) -> dict[int, list[str]]:
    """Lecture -> the "course" cells of the results page's accuracy rows, as the page renders them."""
    rendered = results.table(lang, None).splitlines()[2:]
    column: dict[int, list[str]] = {}
    for headline, row in zip(results.load(), rendered, strict=True):
        cell = row.strip("|").split("|")[3].strip()
        if headline.percent and cell != results.LABELS[lang]["none"]:
            column.setdefault(headline.lecture, []).append(cell)
    return column


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_results_page_and_lecture_pages_report_the_same_course_results(lang):
    """The accuracy the course reported reads the same on the results page and on its lecture page
    (the lecture's "course" table): no lecture shows a number the other page lacks or words differently."""
    from tests.helpers import read_page

    reported = _results_course_column(lang)
    disagree = []
    for page in sorted((executor.ENGINE_HOME / "docs" / lang).glob("lecture*.md")):
        lecture = int(page.name[7:9])
        stated = _course_column(read_page(lang, page.name), lang)
        if stated != reported.get(lecture, []):
            disagree.append(f"lecture {lecture}: lecture page {stated} vs results page {reported.get(lecture, [])}")
    assert not disagree, f"docs/{lang}: course results disagree:\n" + "\n".join(disagree)
