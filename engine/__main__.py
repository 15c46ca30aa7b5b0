"""``python -m engine``: the executing core's command line (see :mod:`engine.cli`).

The same operations as a library, for another builder: :mod:`engine.core` (``plan``,
``status``, ``run_all``, ``keys``, ``export_cached``), :mod:`engine.sharing` (``export``,
``import_results``, ``fetch_published``, ``results_url``), :mod:`engine.times` (recorded run
times), :mod:`engine.progress` (the progress line) and :mod:`engine.executor` (``run``,
``cached``, ``cache_key``, ``all_snippets``, ``CACHE_DIR``, ``Result``).
"""

from engine.cli import main

raise SystemExit(main())
