"""The core: runs snippets, caches and shares their results, without MkDocs (README,
"Architecture", names each module's job). The library functions below are :mod:`engine.core.run`'s.
"""

from engine.core.run import (  # noqa: F401
    HEAVY_SECONDS,
    SnippetNotCached,
    cache_only,
    export_cached,
    find_result,
    keys,
    result,
    run_all,
    status,
)
