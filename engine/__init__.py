"""The course site's build engine.

* :mod:`engine.executor`  runs a snippet in its own process and caches the result by content.
* :mod:`engine.markdown`  expands ``::: snippet PATH`` lines in pages into code, output and figures.
* :mod:`engine.mkdocs_hooks`  plugs both into MkDocs (``hooks:`` in ``mkdocs.yml``).
* :mod:`engine.data`  registers, seeds, downloads and verifies the datasets in ``data/``.
"""
