"""MkDocs hooks that give the site its own search worker (``docs/assets/javascripts/search-worker.js``).

Registered in ``mkdocs.yml`` under ``hooks:``. The theme's search box, result list and
highlighting stay; what changes:

* every page names the site's worker instead of the theme's lunr worker, with the page's
  language (``search-worker.js?lang=en``), so a reader only searches, counts and downloads
  the pages of the language being read;
* the index is split by language (``search/index-zh.json``, ``search/index-en.json``) and
  fetched by the worker on the reader's first query. ``search/search_index.json``, which the
  theme fetches on every page view, keeps only the configuration (a few hundred bytes: the
  theme's on-page highlighting reads its ``separator``).

The documents are the search plugin's own sections (title, text, location), merged over both
languages by the i18n plugin; this hook runs after that merge (``event_priority(-110)``). Under
``mkdocs serve --dirty`` the pages a rebuild did not render keep their documents
(:class:`engine.site.rebuilds.SearchDocs`).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # each hook file imports the engine itself

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402

from engine.core import pages  # noqa: E402
from engine.core.project import Project  # noqa: E402
from engine.site import rebuilds  # noqa: E402

WORKER = "assets/javascripts/search-worker.js"
THEME_WORKER = re.compile(r'("search": ")([^"]*?)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js(")')
LANGUAGES = ("zh", "en")
ZERO_WIDTH_SPACE = "\u200b"  # the theme's jieba segmentation marks; the worker tokenizes itself


def worker_version(docs_dir: str) -> str:
    path = Path(docs_dir) / WORKER
    if not path.is_file():
        raise PluginError(f"search: {path} is missing (engine/site/search.py points every page at it)")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


def name_site_worker(html: str, lang: str, docs_dir: str) -> tuple[str, int]:
    query = f"?lang={lang}&v={worker_version(docs_dir)}"
    return THEME_WORKER.subn(lambda m: m[1] + m[2] + WORKER + query + m[3], html, count=1)


def on_post_page(output: str, page, config) -> str:
    output, count = name_site_worker(output, pages.language(page.url), config.docs_dir)
    if count != 1:
        raise PluginError(f"search: no theme search worker in the configuration of {page.file.src_uri} "
                          "(has the theme changed how it names its worker?)")
    return output


def on_post_template(output_content: str, template_name: str, config) -> str:
    """Theme pages that are not MkDocs pages (404.html) search with the site's worker too."""
    return name_site_worker(output_content, "zh", config.docs_dir)[0]


MATH_DELIMITERS = re.compile(r"\\[()\[\]]")


def plain_text(text: str) -> str:
    r"""Index text as a reader sees it in an excerpt: no segmentation marks, math as its TeX
    source without the ``\(...\)`` / ``\[...\]`` delimiters."""
    return MATH_DELIMITERS.sub("", text.replace(ZERO_WIDTH_SPACE, ""))


# What a result's preview shows: the section's prose (paragraphs and lists). Code, outputs,
# tables, display math, diagram sources and snippet paths are still searched (``more``) but
# never shown, so one hit does not fill the result list with a code file.
PROSE_BLOCK = re.compile(r"<(p|ul|ol)>.*?</\1>", re.S)
SNIPPET_PATH = re.compile(r"\bsnippets/[\w./-]+\.py\b")
ANNOTATION_MARKER = re.compile(r"#\s*\(\d+\)!")
TAG = re.compile(r"<[^>]+>")


def prose_and_more(text: str) -> tuple[str, str]:
    """A section's text as (prose HTML shown in previews, the rest as plain searchable text)."""
    prose = " ".join(m.group() for m in PROSE_BLOCK.finditer(text))
    rest = PROSE_BLOCK.sub(" ", text)
    rest = ANNOTATION_MARKER.sub(" ", SNIPPET_PATH.sub(" ", TAG.sub(" ", rest)))
    rest = html.unescape(re.sub(r"\s+", " ", rest)).strip()
    return prose, rest


def synonyms(lang: str, project: Project | None = None) -> list[tuple[re.Pattern, str]]:
    """(where a glossary term is named, the other names readers search it by) per term:
    ``also_en`` / ``also_zh`` of ``includes/terms/*.yml``, and for Chinese the variants the
    pages avoid (``avoid_zh``: what a reader may still type)."""
    from engine.products import glossary

    found = []
    for term in glossary.load_terms(project=project):
        if lang == "zh":
            names, other = [term.zh], list(term.also_zh) + list(term.avoid_zh)
        else:
            names, other = [term.en] + ([term.abbr] if term.abbr else []), list(term.also_en)
        if other:
            pattern = "|".join(re.escape(n) for n in names)
            found.append((re.compile(rf"(?<![\w-])(?:{pattern})(?:e?s)?(?![\w-])" if lang == "en" else pattern, re.I),
                          " ".join(other)))
    return found


def chinese_words(docs: list[dict], project: Project | None = None) -> list[str]:
    """The Chinese words (two characters or more) of the glossary and of the documents (jieba,
    told the glossary's terms): the worker splits a reader's question along them, so
    为什么要用交叉熵 is asked as 交叉熵, not 要用 or 用交, and 学习率 stays one word."""
    import jieba

    from engine.products import glossary

    jieba.setLogLevel(60)
    words: set[str] = set()
    for term in glossary.load_terms(project=project):
        for name in (term.zh, *term.also_zh, *term.avoid_zh):
            for part in HAN_WORD.findall(name):
                if len(part) > 1:
                    jieba.add_word(part)
                    words.add(part)
    for doc in docs:
        for text in (doc["title"], TAG.sub(" ", doc["text"]), doc["more"]):
            words.update(w for w in jieba.cut(text) if len(w) > 1 and HAN_WORD.fullmatch(w))
    return sorted(words)


HAN_WORD = re.compile(r"[\u3400-\u9fff]+")


def split_index(data: dict, project: Project | None = None) -> dict[str, list[dict]]:
    """The search documents of each language, as :func:`plain_text`, the prose apart from the
    rest (:func:`prose_and_more`), with the synonyms of the glossary terms their prose names."""
    by_language: dict[str, list[dict]] = {lang: [] for lang in LANGUAGES}
    names = {lang: synonyms(lang, project) for lang in LANGUAGES}
    for doc in data["docs"]:
        lang = pages.language(doc["location"])  # a site path starts as the page's path in docs/
        title = plain_text(doc["title"])
        prose, more = prose_and_more(plain_text(doc["text"]))
        said = title + " " + TAG.sub(" ", prose)
        also = " ".join(other for pattern, other in names[lang] if pattern.search(said))
        entry = {"location": doc["location"], "title": title, "text": prose, "more": more, "also": also}
        if "boost" in doc:  # front matter search: boost: (the theme's own setting)
            entry["boost"] = float(doc["boost"])
        by_language[lang].append(entry)
    return by_language


@event_priority(-110)  # after the i18n plugin (-100) has merged both languages into the index
def on_post_build(config) -> None:
    folder = Path(config.site_dir) / "search"
    theme_index = folder / "search_index.json"
    if not theme_index.is_file():
        raise PluginError(f"search: {theme_index} was not written (is the search plugin enabled?)")
    data = json.loads(theme_index.read_text(encoding="utf-8"))
    if rebuilds.ACTIVE:  # a dirty rebuild indexed the pages it rendered: keep the others'
        data["docs"] = rebuilds.SEARCH.merge(data.get("docs") or [])
    if not data.get("docs"):
        raise PluginError(f"search: {theme_index} has no documents to index")
    project = Project.at(Path(config.config_file_path).parent)  # its includes/terms
    for lang, docs in split_index(data, project).items():
        path = folder / f"index-{lang}.json"
        index = {"docs": docs, "words": chinese_words(docs, project) if lang == "zh" else []}
        path.write_text(json.dumps(index, ensure_ascii=False,
                                   separators=(",", ":")), encoding="utf-8")
    theme_index.write_text(json.dumps({"config": data["config"], "docs": []}, separators=(",", ":")),
                           encoding="utf-8")
