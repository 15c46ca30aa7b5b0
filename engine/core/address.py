"""Where the site is published, derived from the repository it is built from.

Nothing names a fixed owner: a fork that publishes gets its own site address, Colab links and
results address without editing ``mkdocs.yml``. The repository (``owner/name`` on GitHub) is,
first found:

1. ``COURSE_REPOSITORY`` (``owner/name`` or a GitHub URL; ``off`` means none),
2. ``GITHUB_REPOSITORY`` (set in every GitHub Actions job),
3. the git remote ``origin`` of the project, when it is a GitHub address
   (``https://github.com/o/n(.git)``, ``git@github.com:o/n(.git)``, ``ssh://git@github.com/o/n``).

The site address is ``COURSE_SITE_URL`` when set (a custom domain), else
``https://<owner>.github.io/<name>/`` (GitHub Pages; ``https://<owner>.github.io/`` for a
repository named ``<owner>.github.io``). Without a repository there is none: a local build then
has no canonical links, no Colab links and fetches no published results, and says so once.
Published results are read from :func:`published_site_url`, for a build and ``python -m engine``.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

REPOSITORY_ENV = "COURSE_REPOSITORY"
SITE_URL_ENV = "COURSE_SITE_URL"
OFF = ("off", "0", "no", "false", "none")

_NAME = r"[A-Za-z0-9_.-]+"
_GITHUB = re.compile(
    rf"^(?:https?://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com(?::\d+)?/)"
    rf"(?P<owner>{_NAME})/(?P<name>{_NAME}?)(?:\.git)?/?$"
)
_OWNER_NAME = re.compile(rf"^(?P<owner>{_NAME})/(?P<name>{_NAME})$")

NO_REPOSITORY = (
    "no GitHub repository known (no github.com remote 'origin', GITHUB_REPOSITORY or "
    "COURSE_REPOSITORY): this build has no site address (no canonical links, no sitemap), no Colab "
    "links, and fetches no published results"
)


def parse(text: str) -> str | None:
    """``owner/name`` from ``owner/name`` or a GitHub remote URL; None for anything else."""
    text = text.strip()
    match = _OWNER_NAME.match(text) or _GITHUB.match(text)
    if not match or not match.group("name"):
        return None
    return f"{match.group('owner')}/{match.group('name').removesuffix('.git')}"


def _origin(root: Path) -> str | None:
    if not (root / ".git").exists():  # a folder inside someone else's repository is not the project
        return None
    try:
        proc = subprocess.run(["git", "-C", str(root), "remote", "get-url", "origin"],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def repository(root: Path | str | None = None) -> str | None:
    """``owner/name`` of the project's GitHub repository, or None (see the module's docstring)."""
    given = os.environ.get(REPOSITORY_ENV)
    if given is not None:
        if given.strip().lower() in OFF or not given.strip():
            return None
        found = parse(given)
        if found is None:
            raise ValueError(f"{REPOSITORY_ENV}={given!r} is neither owner/name nor a GitHub URL")
        return found
    if os.environ.get("GITHUB_REPOSITORY"):
        return parse(os.environ["GITHUB_REPOSITORY"])
    origin = _origin(Path(root) if root else Path(__file__).resolve().parents[2])
    return parse(origin) if origin else None


def repository_url(repo: str | None) -> str | None:
    return f"https://github.com/{repo}" if repo else None


def site_url(repo: str | None) -> str | None:
    """The published site's address: ``COURSE_SITE_URL``, else GitHub Pages of ``repo``."""
    given = os.environ.get(SITE_URL_ENV, "").strip()
    if given:
        return given.rstrip("/") + "/"
    if not repo:
        return None
    owner, name = repo.split("/", 1)
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def published_site_url(config_file: Path, settings: list[dict] | None = None) -> str | None:
    """Where the project's site is published: the ``site_url`` its MkDocs configuration sets
    (``settings``: as MkDocs read it, the file's then the command line's; else ``config_file``
    read as text, no MkDocs needed), else :func:`site_url` of its repository; None without a
    configuration. Not a build's ``site_url``: ``mkdocs serve`` sets its own address there."""
    if not config_file.is_file():
        return None
    if settings is None:
        match = re.search(r"^site_url:\s*(\S+)\s*$", config_file.read_text(encoding="utf-8"), re.M)
        settings = [{"site_url": match.group(1).strip("'\"")}] if match else []
    urls = [given["site_url"] for given in settings if given.get("site_url")]
    return urls[-1] if urls else site_url(repository(config_file.parent))
