"""``::: snippet PATH`` for any Python-Markdown builder (ProperDocs, Zensical, plain Python).

The same expansion as the MkDocs hooks (:func:`engine.site.markdown.expand` over
:func:`engine.core.executor.run`), as a Python-Markdown extension (README, "Another builder"). Options: ``lang`` (``zh`` or ``en``: the labels), ``site_prefix`` (relative path from the page
to the site root, for figure links), ``execute`` (False: code only), ``project`` (the project's
root folder or a :class:`engine.core.project.Project`; default: this repository). Figures are linked as
``<site_prefix>assets/snippets/<key>/fig-NN.png``; after converting, ``md.course_results``
holds every result shown, so the builder publishes them with
``engine.core.sharing.export([r.key for r in md.course_results], site_dir / "assets/snippets")``
(figures included). A failing snippet raises :class:`engine.core.executor.SnippetError`.
"""

from __future__ import annotations

from markdown import Extension
from markdown.preprocessors import Preprocessor

from engine.core import executor
from engine.core.project import Project
from engine.site.markdown import expand

PRIORITY = 29  # after whitespace normalisation (30), before fenced code (25) and raw HTML (20)


class SnippetPreprocessor(Preprocessor):
    def __init__(self, md, extension: SnippetExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        lang = self.extension.getConfig("lang")
        run = self._run if self.extension.getConfig("execute") else None
        text = expand("\n".join(lines), lang, run, self.extension.getConfig("site_prefix"), self.project)
        return text.split("\n")

    @property
    def project(self) -> Project:
        given = self.extension.getConfig("project")
        return given if isinstance(given, Project) else Project.at(given or None)

    def _run(self, snippet: str) -> executor.Result:
        result = executor.run(snippet, project=self.project)
        if all(r.key != result.key for r in self.md.course_results):
            self.md.course_results.append(result)
        return result


class SnippetExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "lang": ["zh", "language of the labels: zh or en"],
            "site_prefix": ["", "relative path from the page to the site root"],
            "execute": [True, "run the snippets and show their results"],
            "project": ["", "the project's root folder (default: this repository)"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        md.course_results = []
        md.registerExtension(self)
        md.preprocessors.register(SnippetPreprocessor(md, self), "course_snippet", PRIORITY)

    def reset(self):
        pass


def makeExtension(**kwargs) -> SnippetExtension:  # noqa: N802 - the name Python-Markdown looks for
    return SnippetExtension(**kwargs)
