"""MkDocs hooks for the reader: video links, figures, the 404 page, footer links, search excerpts.

Registered in ``mkdocs.yml`` under ``hooks:`` after :mod:`engine.site.mkdocs_hooks`. They only
inject into what the build produces:

* each lecture page links its part of the video course under its title, the home pages link
  the whole series (:data:`VIDEO_SERIES`; links only, nothing is loaded from Bilibili);
* every snippet figure gets its display size (``width``/``height``: the PNG's pixels at the
  resolution it was saved with, so a 2x PNG shows at its 1x size, sharp on dense screens; also
  as ``--figure-width``, from which reader.css keeps it readable on a phone) and a link to the
  image itself, to open it full size;
* the 404 page is the Chinese one, with a link home and a language switch to the two home pages;
* the previous/next links of the footer follow the navigation as shown (the notebook pages
  that the navigation leaves out are not linked from the home page);
"""

from __future__ import annotations

import html
import re
import struct
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402

from engine.core import pages  # noqa: E402
from engine.core.project import Project  # noqa: E402
from engine.core.pages import under_title  # noqa: E402

VIDEO_SERIES = "https://www.bilibili.com/video/BV1Y7411d7Ys"
LECTURE_PAGE = re.compile(r"^(?:(?:zh|en)/)?lecture(\d\d)-[\w-]+\.md$")
HOME_PAGE = re.compile(r"^(?:(?:zh|en)/)?index\.md$")

VIDEO_LABELS = {
    "zh": {
        "lecture": "课程视频：[B 站第 {n} 集]({url})（刘二大人《PyTorch 深度学习实践》）",
        "series": "课程视频：[刘二大人《PyTorch 深度学习实践》，B 站全 13 集]({url})",
    },
    "en": {
        "lecture": "Video: [part {n} on Bilibili]({url}) (Liu Er, *PyTorch Deep Learning Practice*, in Chinese)",
        "series": "Video course: [Liu Er, *PyTorch Deep Learning Practice*, 13 parts on Bilibili]({url}) (in Chinese)",
    },
}


def video_url(part: int | None = None) -> str:
    """The series, or its ``part`` (part N is lecture N)."""
    return VIDEO_SERIES if part is None else f"{VIDEO_SERIES}?p={part}"


def video_line(src_uri: str) -> str | None:
    """The video line for a page (Markdown), or None for pages that are not lectures or home."""
    lang = pages.language(src_uri)
    lecture = LECTURE_PAGE.match(src_uri)
    if lecture:
        n = int(lecture.group(1))
        text = VIDEO_LABELS[lang]["lecture"].format(n=n, url=video_url(n))
    elif HOME_PAGE.match(src_uri):
        text = VIDEO_LABELS[lang]["series"].format(url=video_url())
    else:
        return None
    return f'<p class="video-link" markdown="span">{text}</p>'


def add_video_line(markdown: str, src_uri: str) -> str:
    """Put the video line right under the page's title (first ``# `` line)."""
    line = video_line(src_uri)
    if line is None:
        return markdown
    if not any(text.startswith("# ") for text in markdown.splitlines()):
        raise PluginError(f"{src_uri}: no '# ' title to put the video link under")
    return under_title(markdown, line)


@event_priority(-120)  # after the engine's hooks (GPU note, notebook links): directly under the title
def on_page_markdown(markdown, page, config, files):
    return add_video_line(markdown, page.file.src_uri)


# Figures ------------------------------------------------------------------------------------

FIGURE = re.compile(
    r'<figure class="snippet-figure"><img src="(?P<src>[^"]*assets/snippets/(?P<key>[0-9a-f]+)/'
    r'(?P<name>[\w.-]+\.png))" alt="(?P<alt>[^"]*)"></figure>'
)
BASE_DPI = 100  # a figure saved at this resolution shows at its pixel size


def png_display_size(path: Path) -> tuple[int, int]:
    """CSS size of a PNG: its pixels scaled by BASE_DPI / the resolution in its pHYs chunk."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise PluginError(f"{path}: not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    dpi = BASE_DPI
    at = 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"pHYs":
            per_x, _, unit = struct.unpack(">IIB", data[at + 8:at + 17])
            if unit == 1:  # pixels per metre
                dpi = round(per_x * 0.0254)
            break
        if kind == b"IDAT":
            break
        at += 12 + length
    return round(width * BASE_DPI / dpi), round(height * BASE_DPI / dpi)


def openable_figures(content: str, cache_dir: Path | None = None) -> str:
    """Give each snippet figure its display size and a link to the full-size image."""
    cache_dir = cache_dir or Project.at().cache

    def figure(match):
        path = cache_dir / match.group("key") / match.group("name")
        if not path.is_file():
            raise PluginError(f"figure {match.group('key')}/{match.group('name')}: not in the cache {cache_dir}")
        width, height = png_display_size(path)
        src, alt = match.group("src"), match.group("alt")
        return (
            f'<figure class="snippet-figure"><a class="snippet-figure__open" href="{src}" '
            f'title="{alt}"><img src="{src}" alt="{alt}" width="{width}" height="{height}" '
            f'style="--figure-width: {width}px"></a></figure>'
        )

    return FIGURE.sub(figure, content)


# Results table: a phone shows each row as a card (reader.css), each value under its column's
# name, which every cell carries as data-label.
RESULTS_TABLE = re.compile(r'(<div class="course-results">\s*<table>)(.*?)(</table>)', re.S)
HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)


def labelled_results(content: str) -> str:
    """Give each cell of the results table its column's name (``data-label``)."""

    def table(match):
        head, body = match.group(2).split("</thead>", 1) if "</thead>" in match.group(2) else ("", "")
        names = [html.escape(re.sub(r"<[^>]+>", "", h).strip()) for h in HEADER_CELL.findall(head)]
        if not names:
            raise PluginError("results table: no header row to label its cells with")

        def row(r):
            cells = iter(names)
            return "<tr>" + re.sub(r"<td>", lambda _: f'<td data-label="{next(cells, "")}">', r.group(1)) + "</tr>"

        return match.group(1) + head + "</thead>" + ROW.sub(row, body) + match.group(3)

    return RESULTS_TABLE.sub(table, content)


def on_page_content(html_content, page, config, files):
    return labelled_results(openable_figures(html_content, Project.at(Path(config.config_file_path).parent).cache))


# Footer links -------------------------------------------------------------------------------

@event_priority(-120)  # after the notebook pages left the navigation (engine hooks, -110)
def on_nav(nav, config, files):
    pages = nav.pages
    for i, page in enumerate(pages):
        page.previous_page = pages[i - 1] if i > 0 else None
        page.next_page = pages[i + 1] if i + 1 < len(pages) else None
    return nav


# 404 page -----------------------------------------------------------------------------------

NOT_FOUND_HEADING = re.compile(r"<h1>404 - Not found</h1>")
SELECTOR_LINK = re.compile(r'<a href="[^"]*" hreflang="(?P<lang>[^"]*)" class="md-select__link">')
NOT_FOUND_TEXT = (
    '<h1>404 - 页面不存在</h1>\n'
    '<p>这个地址没有页面，可能已经移动或删除。<a href="{home}">回到首页</a></p>\n'
    '<p lang="en">This page does not exist. <a href="{home}en/">Go to the English home page</a></p>'
)
_not_found: dict[str, str] = {}  # the Chinese build's 404 page, kept for the other language's build


def chinese_not_found(output: str, config) -> str:
    """The 404 page in Chinese: heading and text, a link home, the selector to both home pages.

    The page is served at any missing address, so its links are absolute (under site_url).
    """
    home = urlsplit(config.site_url or "/").path or "/"
    home = home if home.endswith("/") else home + "/"
    if not NOT_FOUND_HEADING.search(output):
        raise PluginError("404 page: the theme's heading '404 - Not found' was not found")
    output = NOT_FOUND_HEADING.sub(lambda _: NOT_FOUND_TEXT.format(home=html.escape(home)), output)
    targets = {"zh": home, "en": home + "en/"}
    return SELECTOR_LINK.sub(
        lambda m: f'<a href="{html.escape(targets.get(m.group("lang"), home))}" '
                  f'hreflang="{m.group("lang")}" class="md-select__link">',
        output,
    )


def on_post_template(output_content, template_name, config):
    if template_name != "404.html":
        return output_content
    if config.theme.get("language") == "zh" or "page" not in _not_found:
        _not_found["page"] = chinese_not_found(output_content, config)
    return _not_found["page"]
