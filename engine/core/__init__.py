"""The core: runs snippets, caches and shares their results, without MkDocs.

:mod:`~engine.core.project` (where a project's files are), :mod:`~engine.core.pages` (the page
model), :mod:`~engine.core.executor` + :mod:`~engine.core._child` + :mod:`~engine.core._supervisor`
(run a snippet, cache key, end what it started), :mod:`~engine.core.warm` +
:mod:`~engine.core._forkserver` (snippets forked from a warm interpreter), :mod:`~engine.core.gpu`
(how many snippets at a time on a GPU), :mod:`~engine.core.prune` (cache housekeeping),
:mod:`~engine.core.entries` (the one result format: verify, install), :mod:`~engine.core.sharing`
(export, import, fetch), :mod:`~engine.core.address` (the site's address from the repository),
:mod:`~engine.core.shards` (sharded builds), :mod:`~engine.core.progress`
+ :mod:`~engine.core.times` (progress line, recorded times), :mod:`~engine.core.data` (datasets),
:mod:`~engine.core.cli` (``python -m engine``). The library functions below are
:mod:`engine.core.run`'s.
"""

from engine.core.run import (  # noqa: F401
    HEAVY_SECONDS,
    SnippetNotCached,
    cache_only,
    export_cached,
    find_result,
    keys,
    plan,
    result,
    run_all,
    selected,
    status,
)
