"""The course site's build engine.

* :mod:`engine.executor`  runs a snippet in its own process and caches the result by content.
  :mod:`engine._supervisor` (a child subreaper) ends every process a snippet starts.
* :mod:`engine.core`  the executing core as a library (plan, status, run_all, export);
  :mod:`engine.cli` is its command line, ``python -m engine``.
* :mod:`engine.sharing`  checksummed exports of results, imported or fetched from the published site.
* :mod:`engine.progress`, :mod:`engine.times`  the progress line and the recorded run times.
* :mod:`engine.pages`  which snippets the pages show, in navigation order.
* :mod:`engine.markdown`  expands ``::: snippet PATH`` lines in pages into code, output and figures
  (or placeholders); :mod:`engine.markdown_extension` does it for any Python-Markdown builder.
* :mod:`engine.stream`  the background worker of ``mkdocs serve`` and what the open page polls.
* :mod:`engine.mkdocs_hooks`  plugs all of it into MkDocs (``hooks:`` in ``mkdocs.yml``).
* :mod:`engine.data`  registers, seeds, downloads and verifies the datasets in ``data/``.
"""
