"""One vocabulary across the course: preferred Chinese terms, one English spelling, one title
form, one errata box (the terms and their avoided variants live in includes/terms/*.yml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.core.project import ENGINE_HOME
from engine.products import glossary

DOCS = ENGINE_HOME / "docs"
ZH_PAGES = sorted((DOCS / "zh").glob("*.md"))
EN_PAGES = sorted((DOCS / "en").glob("*.md"))
LECTURES = {lang: sorted((DOCS / lang).glob("lecture*.md")) for lang in ("zh", "en")}
TERMS = glossary.load_terms()

ERRATA_BOX = {"zh": '!!! warning "原笔记勘误"', "en": '!!! warning "Corrections to the original notes"'}
ERRATA_HEADER = {"zh": "| 原笔记 | 更正 |", "en": "| Original notes | Correction |"}
TITLE = {"zh": re.compile(r"# 第 (\d+) 讲：\S"), "en": re.compile(r"# Lecture (\d+): [A-Z]")}

# English: American spelling. Words ending in -ise/-ised/-ising/-isation are British unless listed here.
ISE_WORDS = {"advise", "arise", "comprise", "compromise", "concise", "exercise", "exercises", "expertise",
             "likewise", "noise", "otherwise", "precise", "precisely", "premise", "promise", "raise",
             "raised", "raises", "revise", "rise", "rises", "rising", "supervised", "surprise", "unsupervised", "wise",
             "noisier", "noisy", "noises", "devise", "praise", "imprecise"}
BRITISH = re.compile(r"\b(behaviours?|colour(s|ed|ing)?|greys?|labell(ed|ing)|"
                     r"neighbour(s|ing|hood)?|centre[sd]?|centring|modell(ed|ing)|travell(ed|ing)|"
                     r"cancell(ed|ing)|analys(e|ed|es|ing)|favour(s|ite|able)?|honour|catalogue|"
                     r"programme|licence|defence|fulfil|enrol|learnt|spelt|towards|aeroplanes?|whilst|amongst)\b", re.I)

# Capitalized words that are names, not abbreviations to expand (checked on every page).
NAMES = {"PyTorch", "NumPy", "macOS", "DataLoader", "LogSoftmax", "LongTensor", "IntTensor",
         "FloatTensor", "DoubleTensor", "ToTensor", "LeakyReLU", "RNNClassifier", "PyTorchZeroToAll",
         "GoogLeNet", "GoogleNet", "LeNet", "Colab", "CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss",
         "RNNCell"}
ABBREVIATION = re.compile(r"(?<![\w\-.])[A-Za-z]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?![\w])")


def page_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_avoided_variants_are_found_in_prose_only():
    """The checker itself: prose uses are found; code, formulas, quotes and glosses are not."""
    page = "\n".join([
        "训练 100 个 epoch。",  # found (line 1)
        "每个轮次（epoch）都重新打乱。",  # a gloss after the preferred term
        "`for epoch in range(10)` 和 $\\text{epoch}$",  # code and a formula
        "原笔记说“每个 epoch 打印一次”。",  # quoted from the notes
        "::: snippet snippets/lecture03_gradient_descent/epoch.py",
        "```python\nepoch = 1\n```",
        "小批量（mini-batch）和一个 batch，还有 batch_size。",  # gloss, then found (line 9)
    ])
    found = [(line, variant.lower()) for line, variant, _ in glossary.avoided_variants(page, TERMS)]
    assert found == [(1, "epoch"), (9, "batch")]


def test_variants_inside_longer_terms_and_case_variants():
    """批量 is avoided for a batch, but 小批量 and 批量大小 are terms of their own; softmax is avoided
    for Softmax in Chinese prose, while Softmax itself passes."""
    page = "\n".join([
        "小批量梯度下降的批量大小是 64，全批量用全部样本。",  # terms that contain 批量
        "保留批量维。",  # found (line 2)
        "Softmax 把分数变成概率。",
        "对 logits 做 softmax。",  # found (line 4)
    ])
    found = [(line, variant) for line, variant, _ in glossary.avoided_variants(page, TERMS)]
    assert found == [(2, "批量"), (4, "softmax")]


@pytest.mark.parametrize("page", ZH_PAGES, ids=page_id)
def test_chinese_pages_use_the_preferred_terms(page):
    """A Chinese page never uses a variant that includes/terms lists under avoid_zh."""
    found = glossary.avoided_variants(page.read_text(encoding="utf-8"), TERMS)
    assert not found, f"{page_id(page)}: " + "; ".join(
        f"line {line}: {variant!r} -> {term.zh} ({term.source})" for line, variant, term in found)


@pytest.mark.parametrize("page", EN_PAGES, ids=page_id)
def test_english_pages_use_american_spelling(page):
    text = glossary.prose(page.read_text(encoding="utf-8"))
    british = [m.group() for m in BRITISH.finditer(text)]
    british += [w for w in re.findall(r"\b[A-Za-z]+is(?:e|es|ed|ing|ation|ations|er|ers)\b", text)
                if w.lower() not in ISE_WORDS]
    assert not british, f"{page_id(page)}: British spellings (use -ize, behavior, color, ...): {british}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lecture_titles_have_one_form(lang):
    """# Lecture 5: Linear regression with PyTorch / # 第 5 讲：用 PyTorch 实现线性回归"""
    for page in LECTURES[lang]:
        title = page.read_text(encoding="utf-8").split("\n# ", 1)[-1].split("\n", 1)[0]
        title = "# " + title if not title.startswith("# ") else title
        match = TITLE[lang].match(title)
        assert match, f"{page_id(page)}: title {title!r} is not in the form {TITLE[lang].pattern!r}"
        assert int(match.group(1)) == int(page.name[7:9]), f"{page_id(page)}: {title!r} has the wrong number"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_lecture_has_one_errata_box_with_one_title(lang):
    for page in LECTURES[lang]:
        text = page.read_text(encoding="utf-8")
        errata = text.split("{#errata}", 1)
        assert len(errata) == 2, f"{page_id(page)}: no errata section"
        boxes = re.findall(r'^!!! warning "[^"]*"', text, re.M)
        assert boxes == [ERRATA_BOX[lang]], f"{page_id(page)}: errata boxes {boxes}"
        assert ERRATA_HEADER[lang] in errata[1], f"{page_id(page)}: errata table header is not {ERRATA_HEADER[lang]!r}"


@pytest.mark.parametrize("page", ZH_PAGES + EN_PAGES, ids=page_id)
def test_every_abbreviation_has_a_hover(page):
    """An abbreviation in a page's prose is defined in includes/terms (so it shows its full name)."""
    defined = {t.abbr for t in TERMS if t.abbr}
    markdown = re.sub(r"^```mermaid\n.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    text = glossary.prose(markdown)  # diagrams show no hovers: their node names are not checked
    used = {m.group() for m in ABBREVIATION.finditer(text)} - NAMES
    assert not used - defined, f"{page_id(page)}: no abbreviation for {sorted(used - defined)}"


# Numeric ranges: "83%～84%" in Chinese prose (GB/T 15834 wave dash), "83%–84%" in English (en dash).
RANGE = {"zh": re.compile(r"\d%?\s*[–—~]\s*\d"), "en": re.compile(r"\d%?\s*[～~]\s*\d|\b\d+%?-\d+%|\b\d-\d as\b")}


@pytest.mark.parametrize("page", ZH_PAGES + EN_PAGES, ids=page_id)
def test_numeric_ranges_use_one_dash_per_language(page):
    lang = page.parent.name
    lines = glossary.prose(page.read_text(encoding="utf-8")).split("\n")
    found = [f"line {n}: {m.group()!r}" for n, line in enumerate(lines, 1) for m in RANGE[lang].finditer(line)]
    assert not found, f"{page_id(page)}: ranges are written " + ("83%～84%" if lang == "zh" else "83%–84%") + \
        " here: " + "; ".join(found)


def normalize_called_归一化(markdown: str) -> list[str]:
    """Sentences of a Chinese page that call Normalize (mean and standard deviation) 归一化."""
    text = glossary.prose(markdown.replace("`Normalize", "NORMALIZE`"))  # keep the name, blank its arguments
    sentences = re.split(r"[。；\n]", text)
    return [re.sub(r"\s+", " ", s.strip()) for s in sentences if re.search(r"NORMALIZE|Normalize|标准差|均值", s)
            and re.sub("批归一化|未归一化", "", s).count("归一化")]


def test_normalize_check_finds_归一化():
    page = "`Normalize((0.1307,), (0.3081,))` 对输入做归一化。\nSoftmax：指数再归一化。\n批归一化的均值和方差。"
    assert normalize_called_归一化(page) == ["NORMALIZE 对输入做归一化"]


@pytest.mark.parametrize("page", ZH_PAGES, ids=page_id)
def test_normalize_is_standardization_in_chinese(page):
    """transforms.Normalize subtracts the mean and divides by the standard deviation: 标准化 (the
    glossary's standardization), never 归一化, which the pages keep for scaling to a sum of 1."""
    found = normalize_called_归一化(page.read_text(encoding="utf-8"))
    assert not found, f"{page_id(page)}: 归一化 for Normalize (write 标准化): {found}"
