"""Search as a reader uses it, in a real browser (headless Chromium through Playwright).

The probe: every h1-h3 heading of every searchable page, in both languages, is typed as a
query in the page's own search box (the text is set and a ``keyup`` sent, which is what the
theme listens to, so the query takes the reader's path: theme -> search worker -> rendered
list). Only what the reader sees counts:

* a *result* is a visible link of the result list, in order: items of the other language
  and sections folded into a closed "more results on this page" are not visible. A page's
  title link heads its group of sections; it counts as a result only when the page itself is
  the group's best match (the theme then shows its text), otherwise it is a heading;
* a *section hit* at k: one of the first k results is the heading's section (its page and
  anchor; an h1 is its page). A heading text used on several pages (勘误, 作业, ...) hits on
  any of its sections: the query cannot tell them apart, so the probe asks it once;
* a *page hit* at k: the heading's page is among the first k groups of results.

Goal (issue 12): section recall@1 >= 90 % and recall@3 >= 98 % in each language, and no
query without results. Notebook pages are left out: they are excluded from the search on
purpose (their lecture page, with the same text, is indexed).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import ask

ROOT = Path(__file__).resolve().parent.parent
REPORT_DIR = ROOT / ".cache" / "search-probe"
GOAL = {"recall@1": 0.90, "recall@3": 0.98}


class HeadingParser(HTMLParser):
    """The text and id of each h1-h3 in a page's article (permalink signs left out)."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[str, str | None, str]] = []  # (tag, id, text)
        self._open: tuple[str, str | None] | None = None
        self._text: list[str] = []
        self._skip = 0  # depth inside the permalink <a class="headerlink">

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self._open, self._text = (tag, attrs.get("id")), []
        elif self._open and tag == "a" and "headerlink" in (attrs.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if self._skip and tag == "a":
            self._skip -= 1
        elif self._open and tag == self._open[0]:
            text = re.sub(r"\s+", " ", "".join(self._text)).strip()
            self.headings.append((self._open[0], self._open[1], text))
            self._open = None

    def handle_data(self, data):
        if self._open and not self._skip:
            self._text.append(data)


def probe_queries(site: Path, lang: str) -> dict[str, set[str]]:
    """Heading text -> the sections it names (``/path/`` for an h1, ``/path/#id`` otherwise)."""
    from tests.browser import site_pages

    queries: dict[str, set[str]] = defaultdict(set)
    for url in site_pages(site):
        if url.startswith("en/") != (lang == "en") or "notebooks/" in url:
            continue
        html = (site / unquote(url) / "index.html").read_text(encoding="utf-8")
        article = html.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]
        parser = HeadingParser()
        parser.feed("<article " + article)
        for tag, anchor, text in parser.headings:
            if text:
                queries[text].add("/" + url + ("" if tag == "h1" else f"#{anchor}"))
    return dict(queries)


def results_in_order(groups: list[list[dict]]) -> list[str]:
    """The results a reader sees, in order (see the module docstring)."""
    results = []
    for group in groups:
        for i, entry in enumerate(group):
            if i == 0 and entry["page"]:
                others = [e["score"] for e in group[1:]]
                if not (entry["score"] > 0 and all(entry["score"] > s for s in others)):
                    continue  # the group's heading, not a result
            results.append(entry["location"])
    return results


def recall(site: Path, base_url: str, watched, lang: str) -> dict:
    queries = probe_queries(site, lang)
    page = watched.goto(base_url + ("en/" if lang == "en" else ""))
    answers = ask(page, sorted(queries))
    counts = {"section@1": 0, "section@3": 0, "page@1": 0, "page@3": 0}
    misses, empty = [], []
    for answer in answers:
        targets = queries[answer["query"]]
        results = results_in_order(answer["groups"])
        pages = [urlsplit(group[0]["location"]).path for group in answer["groups"] if group]
        target_pages = {urlsplit(t).path for t in targets}
        if not answer["groups"]:
            empty.append(answer["query"])
        for k in (1, 3):
            counts[f"section@{k}"] += bool(targets & set(results[:k]))
            counts[f"page@{k}"] += bool(target_pages & set(pages[:k]))
        if not targets & set(results[:1]):
            misses.append(f"{answer['query']!r}: expected {sorted(targets)}, got {results[:3]}")
    n = len(answers)
    summary = {
        "lang": lang, "queries": n, "empty": empty,
        "recall@1": counts["section@1"] / n, "recall@3": counts["section@3"] / n,
        "page recall@1": counts["page@1"] / n, "page recall@3": counts["page@3"] / n,
        "misses@1": misses,
    }
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{lang}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    return summary


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_heading_finds_its_section(site, base_url, watched, lang):
    summary = recall(site, base_url, watched, lang)
    print(f"\nsearch probe ({lang}, {summary['queries']} headings): "
          f"recall@1 {summary['recall@1']:.2f}, recall@3 {summary['recall@3']:.2f}; "
          f"by page {summary['page recall@1']:.2f} / {summary['page recall@3']:.2f}; "
          f"{len(summary['empty'])} without results")
    for miss in summary["misses@1"]:
        print("  miss@1", miss)
    assert summary["queries"] > 50
    assert not watched.problems, watched.problems
    assert not summary["empty"], f"queries without results: {summary['empty']}"
    for key, goal in GOAL.items():
        assert summary[key] >= goal, f"{lang} {key} {summary[key]:.2f} < {goal} (see {REPORT_DIR})"


# A term and the lecture it belongs to: that lecture's group comes first (issue 12 found
# lecture 11 before 10 for 卷积, the home page and lecture 1 before 3 for 学习率, 3 before 11
# for 梯度消失).
TERMS = {
    "zh": {"卷积": "lecture10-cnn-basics", "学习率": "lecture03-gradient-descent",
           "梯度消失": "lecture11-advanced-cnn", "卷积，池化": "lecture10-cnn-basics",
           "填充 步长": "lecture10-cnn-basics", "最大池化": "lecture10-cnn-basics"},
    "en": {"max pooling": "lecture10-cnn-basics", "learning rate": "lecture03-gradient-descent",
           "vanishing gradients": "lecture11-advanced-cnn", "padding, stride": "lecture10-cnn-basics"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_term_finds_its_lecture_first(site, base_url, watched, lang):
    prefix = "/en/" if lang == "en" else "/"
    page = watched.goto(base_url + prefix.lstrip("/"))
    wrong = []
    for answer in ask(page, list(TERMS[lang])):
        first = urlsplit(answer["groups"][0][0]["location"]).path if answer["groups"] else None
        expected = prefix + TERMS[lang][answer["query"]] + "/"
        if first != expected:
            wrong.append(f"{answer['query']!r}: first {first}, expected {expected}")
        # the theme's Enter key opens the highest score: it must be in the first group shown
        best = max((e for g in answer["groups"] for e in g), key=lambda e: e["score"], default=None)
        if best and urlsplit(best["location"]).path != first:
            wrong.append(f"{answer['query']!r}: Enter opens {best['location']}, not the first page {first}")
    assert not wrong, "\n".join(wrong)
    assert not watched.problems, watched.problems


COUNT = r"\d+"
MORE_TIMEOUT_MS = 30_000  # how long the theme may take to render more results on a slow machine

# The reader scrolls the result list to its end, again and again, while the theme renders more
# (it renders on arrival at the bottom). Each step waits for the scroll event and for the frame in
# which the theme samples the scroll position (once per animation frame), then for new items (a
# MutationObserver), never for a time; it stops when ``said`` items are shown, or when arriving at
# the bottom rendered nothing more within the bound. Returns the visible items.
SCROLL_THROUGH = """async ([said, timeout]) => {
  const wrap = document.querySelector(".md-search__scrollwrap");
  const list = document.querySelector(".md-search-result__list");
  const shown = () => list.querySelectorAll(":scope > .md-search-result__item:not([hidden])").length;
  const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const scrollTo = (top) => new Promise(resolve => {
    top = Math.max(0, Math.min(top, wrap.scrollHeight - wrap.clientHeight));
    if (Math.abs(wrap.scrollTop - top) < 1) return resolve();
    wrap.addEventListener("scroll", () => resolve(), { once: true });
    wrap.scrollTo(0, top);
  }).then(frame);  // the theme has seen where the list is
  const more = (before) => new Promise(resolve => {
    if (shown() > before) return resolve(true);
    const observer = new MutationObserver(() => {
      if (shown() > before) { observer.disconnect(); clearTimeout(timer); resolve(true); }
    });
    observer.observe(list, { childList: true });
    const timer = setTimeout(() => { observer.disconnect(); resolve(false); }, timeout);
  });
  while (shown() < said) {
    const before = shown();
    await scrollTo(0);  // off the bottom, then back: the theme renders more on arrival
    await scrollTo(wrap.scrollHeight);
    if (!await more(before)) break;
  }
  return shown();
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_result_count_counts_every_result_of_the_language(base_url, watched, lang):
    """The "N matching documents" line counts all results in the page's language, also those
    the theme renders only when the reader scrolls down the list."""
    query = {"zh": "训练", "en": "training"}[lang]
    page = watched.goto(base_url + ("en/" if lang == "en" else ""))
    answer = ask(page, [query])[0]
    said = int(re.search(COUNT, answer["meta"])[0])
    shown = page.evaluate(SCROLL_THROUGH, [said, MORE_TIMEOUT_MS])
    hrefs = page.eval_on_selector_all(".md-search-result__item:not([hidden]) > a", "els => els.map(e => e.href)")
    assert shown > 10, f"{query!r}: {shown} results; the test needs more than the first rendered 10"
    assert said == shown, f"{query!r}: the list says {said} results, the reader can scroll through {shown}"
    assert all(urlsplit(h).path.startswith("/en/") == (lang == "en") for h in hrefs), hrefs


def test_index_is_loaded_only_when_the_reader_searches(base_url, watched):
    """A page view downloads no search documents; the first query downloads those of the
    page's language only (the theme's search_index.json keeps only its configuration)."""
    page = watched.page
    loaded: list[tuple[str, int]] = []
    page.on("requestfinished", lambda r: loaded.append((urlsplit(r.url).path, r.sizes()["responseBodySize"])))
    for url in ("", "en/lecture03-gradient-descent/"):
        # ready: the search worker has answered the theme's setup, so a worker that loaded the
        # index on start has requested it, and goto waited for the request to finish
        watched.goto(base_url + url)
        search = [(path, size) for path, size in loaded if path.startswith("/search/")]
        assert sum(size for _, size in search) < 2048, f"/{url}: search data loaded on page view: {search}"
        loaded.clear()
    answer = ask(page, ["gradient"])[0]
    assert answer["groups"], answer
    watched.settle()
    search = [path for path, _ in loaded if path.startswith("/search/")]
    assert search == ["/search/index-en.json"], search
    assert not watched.problems, watched.problems


WORKER_URL = re.compile(r'"search": "[^"]*?assets/javascripts/search-worker\.js\?lang=(\w+)&v=[0-9a-f]{8}"')


def test_built_site_has_an_index_per_language_and_names_the_sites_worker(site):
    """What engine/site/search.py writes: the theme's index keeps only its configuration, each
    language has its own documents, and every page names the site's worker with its language."""
    theme_index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert theme_index["docs"] == [] and "separator" in theme_index["config"]
    for lang in ("zh", "en"):
        docs = json.loads((site / "search" / f"index-{lang}.json").read_text(encoding="utf-8"))["docs"]
        assert len(docs) > 100, f"{lang}: {len(docs)} documents"
        assert all(d["location"].startswith("en/") == (lang == "en") for d in docs)
        assert not any("\u200b" in d["title"] + d["text"] for d in docs), "jieba marks left in the index"
    pages = [p for p in site.rglob("index.html") if p.relative_to(site).parts[0] not in ("assets", "search")]
    assert len(pages) > 20
    pages.append(site / "404.html")
    for path in pages:
        found = WORKER_URL.findall(path.read_text(encoding="utf-8"))
        lang = "en" if path.relative_to(site).parts[0] == "en" else "zh"
        assert found == [lang], f"{path.relative_to(site)}: worker for {found}, expected [{lang!r}]"


# Questions as students type them (not headings): filler and question words around the
# content words, synonyms the pages may not use. Each names the lectures that answer it; a
# question answered by two lectures accepts either (lecture 8 loads MNIST and the diabetes data
# too; lecture 13 pads sequences). Issue 23: 为什么要用交叉熵 found lecture 7,
# 变长序列怎么处理 lecture 8, "skip connection" nothing about shortcuts.
QUESTIONS = {
    "zh": {
        "为什么要用交叉熵": (6, 9),
        "变长序列怎么处理": (12, 13),
        "长度不一样的序列怎么办": (13,),
        "学习率应该设多大": (3,),
        "梯度下降和随机梯度下降有什么区别": (3,),
        "小批量是什么意思": (3, 8),
        "反向传播是怎么算梯度的": (4,),
        "计算图有什么用": (4,),
        "requires_grad 是干什么的": (4,),
        "怎么用 PyTorch 写线性回归": (5,),
        "优化器有哪些，该怎么选": (5,),
        "forward 是什么时候被调用的": (5,),
        "nn.Linear 的权重形状是怎样的": (5,),
        "sigmoid 函数长什么样": (6,),
        "二分类为什么不用均方误差": (6,),
        "怎么读取糖尿病数据集": (7, 8),
        "多层网络怎么叠起来": (7,),
        "常用的激活函数有哪些": (7,),
        "怎么自己写一个 Dataset": (8,),
        "DataLoader 的 shuffle 有什么用": (8,),
        "epoch 和 iteration 有什么区别": (8,),
        "softmax 是干嘛的": (9,),
        "MNIST 数据集怎么加载": (8, 9),
        "多分类的损失函数用什么": (9,),
        "卷积以后输出尺寸怎么算": (10,),
        "padding 有什么用": (10, 13),
        "池化层的作用是什么": (10,),
        "怎么把模型放到 GPU 上训练": (10, 13),
        "1×1 卷积有什么用": (11,),
        "为什么会出现梯度消失": (11,),
        "残差连接是怎么回事": (11,),
        "跳跃连接": (11,),
        "Inception 模块是怎么拼起来的": (11,),
        "RNN 的隐状态是什么": (12,),
        "RNN Cell 有多少个权重": (12,),
        "独热向量和嵌入层有什么区别": (12,),
        "pack_padded_sequence 怎么用": (13,),
        "怎么根据名字判断国家": (13,),
        "双向 GRU 是什么": (13,),
        "线性模型的损失函数是什么": (2,),
        "穷举法是怎么找到权重的": (2,),
        "机器学习和普通算法有什么不同": (1,),
        "维度灾难是什么意思": (1,),
    },
    "en": {
        "why use cross entropy": (6, 9),
        "how to handle variable length sequences": (12, 13),
        "names of different lengths in one batch": (13,),
        "what learning rate should I use": (3,),
        "difference between gradient descent and SGD": (3,),
        "what is a mini-batch": (3, 8),
        "how does backpropagation compute gradients": (4,),
        "why do we need a computational graph": (4,),
        "what does requires_grad do": (4,),
        "linear regression in pytorch": (5,),
        "which optimizer should I choose": (5,),
        "when is forward called": (5,),
        "shape of the nn.Linear weight": (5,),
        "what does the sigmoid function look like": (6,),
        "why not mean squared error for classification": (6,),
        "how to load the diabetes dataset": (7, 8),
        "how to stack several layers": (7,),
        "which activation functions are there": (7,),
        "how do I write my own Dataset": (8,),
        "what does shuffle do in DataLoader": (8,),
        "epoch vs iteration": (8,),
        "what does softmax do": (9,),
        "how to load MNIST": (8, 9),
        "loss function for multiclass classification": (9,),
        "how to compute the output size of a convolution": (10,),
        "what is padding for": (10, 13),
        "what does max pooling do": (10,),
        "how to train the model on a GPU": (10, 13),
        "what is a 1x1 convolution for": (11,),
        "why do gradients vanish": (11,),
        "skip connection": (11,),
        "residual connection": (11,),
        "how does an Inception module combine its branches": (11,),
        "what is the hidden state of an RNN": (12,),
        "how many weights does an RNN cell have": (12,),
        "one-hot vs embedding": (12,),
        "how to use pack_padded_sequence": (13,),
        "guess the country from a name": (13,),
        "what is a bidirectional GRU": (13,),
        "loss function of the linear model": (2,),
        "how does exhaustive search find w": (2,),
        "machine learning vs ordinary algorithms": (1,),
        "what is the curse of dimensionality": (1,),
    },
}
QUESTION_GOAL = {"recall@1": 0.90, "recall@3": 0.98}


def lecture_of(location: str) -> int | None:
    found = re.search(r"/lecture(\d\d)-", location)
    return int(found[1]) if found else None


def question_recall(answers: list[dict], questions: dict[str, tuple[int, ...]]) -> dict:
    """Page recall of the student questions: the first result group (page) at k."""
    hits = {1: 0, 3: 0}
    misses = []
    for answer in answers:
        expected = questions[answer["query"]]
        pages = [lecture_of(group[0]["location"]) for group in answer["groups"] if group]
        for k in hits:
            hits[k] += any(p in expected for p in pages[:k])
        if not any(p in expected for p in pages[:1]):
            misses.append(f"{answer['query']!r}: expected lecture {expected}, got {pages[:3]}")
    n = len(answers)
    return {"questions": n, "recall@1": hits[1] / n, "recall@3": hits[3] / n, "misses@1": misses}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_student_questions_find_their_lecture(base_url, watched, lang):
    questions = QUESTIONS[lang]
    assert len(questions) >= 30
    page = watched.goto(base_url + ("en/" if lang == "en" else ""))
    summary = question_recall(ask(page, list(questions)), questions)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"questions-{lang}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                                      encoding="utf-8")
    print(f"\nstudent questions ({lang}, {summary['questions']}): "
          f"recall@1 {summary['recall@1']:.2f}, recall@3 {summary['recall@3']:.2f}")
    for miss in summary["misses@1"]:
        print("  miss@1", miss)
    assert not watched.problems, watched.problems
    for key, goal in QUESTION_GOAL.items():
        assert summary[key] >= goal, f"{lang} questions {key} {summary[key]:.2f} < {goal}: {summary['misses@1']}"


PREVIEWS = """() => [...document.querySelectorAll(".md-search-result__item:not([hidden]) article")].map(a => ({
  location: a.closest("a").getAttribute("href"), text: a.innerText,
  code: a.querySelectorAll("pre").length,
}))"""
PREVIEW_QUERIES = {"zh": ["梯度下降", "术语表", "交叉熵", "DataLoader"],
                   "en": ["gradient descent", "glossary", "cross entropy", "DataLoader"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_previews_show_prose_only(base_url, watched, lang):
    """A result's preview is prose: no code file (issue 23: one hit filled the list with a whole
    snippet), no snippets/...py path, no # (1)! marker, no run-on of the glossary's table cells."""
    page = watched.goto(base_url + ("en/" if lang == "en" else ""))
    bad = []
    for query in PREVIEW_QUERIES[lang]:
        assert ask(page, [query])[0]["groups"], f"{query!r}: no results"
        for preview in page.evaluate(PREVIEWS):
            where = f"{query!r} -> {preview['location']}"
            if preview["code"]:
                bad.append(f"{where}: {preview['code']} code block(s) in the preview")
            if re.search(r"snippets/\S+\.py", preview["text"]):
                bad.append(f"{where}: snippet path in the preview")
            if re.search(r"#\s*\(\d+\)!", preview["text"]):
                bad.append(f"{where}: annotation marker in the preview")
            if re.search(r"(Lecture|第) ?\d+ ?讲?\s+\S+\s+\S+\s+(Lecture|第) ?\d+", preview["text"]):
                bad.append(f"{where}: table cells run together: {preview['text'][:120]!r}")
    assert not bad, "\n".join(bad)
    assert not watched.problems, watched.problems
