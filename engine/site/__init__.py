"""The site: the engine plugged into MkDocs (and any Python-Markdown builder).

Hook files (``hooks:`` in ``mkdocs.yml``, each importable on its own): :mod:`~engine.site.mkdocs_hooks`
(directives, fetch, run, export, notebooks, glossary, results page), :mod:`~engine.site.search`
(a search index per language), :mod:`~engine.site.reader_hooks` (figures, video links, 404,
footer), :mod:`~engine.site.rebuild_hooks` (``mkdocs serve --dirty``). Beside them:
:mod:`~engine.site.markdown` (a directive becomes code, output, figures),
:mod:`~engine.site.markdown_extension`, :mod:`~engine.site.stream` (the serve worker) and
:mod:`~engine.site.rebuilds` (what a dirty rebuild renders).
"""
