"""Measuring tools: :mod:`~engine.tools.bench` (build and serve times), :mod:`~engine.tools.page_weight`
(what a page transfers) and :mod:`~engine.tools.static_site` (a built site served locally)."""
