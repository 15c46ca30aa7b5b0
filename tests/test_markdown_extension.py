"""The snippet directive outside MkDocs: plain Python-Markdown with engine.site.markdown_extension."""

from __future__ import annotations

import markdown
import pytest

from engine.core import executor
from engine.site.markdown_extension import SnippetExtension

PAGE = "# Page\n\nSome prose.\n\n::: snippet snippets/demo/show.py\n\nAfter.\n"
EXTENSIONS = ["pymdownx.superfences", "admonition", "pymdownx.details"]


@pytest.fixture
def shown(project):
    """A throw-away project (tests/conftest.py) with the snippet PAGE shows."""
    project("show.py", "import matplotlib.pyplot as plt\nprint('hello from the snippet')\nplt.plot([1, 2])\n")
    return project.project


def test_plain_markdown_renders_code_output_figure_and_record(shown):
    html = markdown.markdown(PAGE, extensions=[*EXTENSIONS, "engine.site.markdown_extension"],
                             extension_configs={"engine.site.markdown_extension": {
                                 "lang": "en", "site_prefix": "../", "project": shown}})
    assert html.index("Some prose.") < html.index("print") < html.index("hello from the snippet") < html.index("After.")
    assert '<span class="filename">snippets/demo/show.py</span>' in html  # the code block's title
    key = executor.cache_key("snippets/demo/show.py", project=shown)
    assert f'<img src="../assets/snippets/{key}/fig-01.png" alt="Figure 1 drawn by show.py">' in html
    assert "Ran when this page was built: cpu" in html
    assert "::: snippet" not in html


def test_results_are_listed_for_the_builder_and_execution_can_be_off(shown):
    md = markdown.Markdown(extensions=[*EXTENSIONS, SnippetExtension(lang="zh", project=shown)])
    html = md.convert(PAGE + "\n::: snippet snippets/demo/show.py\n")
    assert html.count("本页构建时运行") == 2
    assert [r.snippet for r in md.course_results] == ["snippets/demo/show.py"]  # shown twice, run once
    assert md.course_results[0].figures[0].is_file()

    off = markdown.markdown(PAGE, extensions=[*EXTENSIONS, SnippetExtension(execute=False, project=shown)])
    assert "snippets/demo/show.py" in off and "COURSE_EXECUTE=0" in off and "<img" not in off
