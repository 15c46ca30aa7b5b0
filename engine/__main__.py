"""``python -m engine``: the core's command line (see :mod:`engine.core.cli`)."""

from engine.core.cli import main

raise SystemExit(main())
