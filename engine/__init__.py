"""The course site's build engine. Its folders (README, "Architecture"):

* :mod:`engine.core`  runs snippets, caches and shares their results; no MkDocs
  (``python -m engine``); :mod:`engine.core._supervisor` (a child subreaper) ends every process
  a snippet starts;
* :mod:`engine.site`  the MkDocs hooks and what they need (directive, serve worker, rebuilds);
* :mod:`engine.products`  notebooks, glossary, results page, PDF;
* :mod:`engine.tools`  benchmark, page weight.
"""
