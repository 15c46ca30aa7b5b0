"""What is made from the results: :mod:`~engine.products.notebooks` (a notebook per lecture),
:mod:`~engine.products.glossary` (terms table, abbreviations), :mod:`~engine.products.results`
(the results page) and :mod:`~engine.products.pdf` (one PDF per language, printed from the site)."""
