"""The results page: each lecture's headline result, read from this build's own runs.

``docs/{zh,en}/results.md`` hold the line ``::: course-results``; at build time it becomes a
table with, for each entry of :data:`HEADLINES`, the value the snippet computed in this build
(its cached :class:`engine.core.executor.Result`: ``values.json``), the value the course reported,
the device the snippet ran on and its run time (``record.json``).

Nothing here is typed by hand except :data:`HEADLINES`: which snippet, which top-level value,
and what the course reported. An entry whose snippet or value does not exist fails the build
with a message naming it (:class:`ResultsError`).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Callable

from engine.core.executor import Result, shown_safely
from engine.core.project import Project

MARKER = re.compile(r"^::: course-results\s*$", re.M)


class ResultsError(LookupError):
    """A mapped snippet or value does not exist."""


@dataclass(frozen=True)
class Headline:
    lecture: int
    snippet: str  # path relative to the repository root
    value: tuple  # keys into the snippet's top-level values, e.g. ("final_costs", "0.05")
    zh: str  # what the value is, in each language
    en: str
    # what the course reported: a number, a (low, high) range, a string, or None (nothing comparable);
    # the lecture page's "course" table states the same (tests/test_results.py)
    reported: float | str | tuple | None = None
    percent: bool = False  # a fraction shown as a percentage
    about: bool = False  # the course gives the value only roughly ("about 97%")


# Which value each lecture shows, and what the course reported for it.
HEADLINES: list[Headline] = [
    Headline(2, "snippets/lecture02_linear_model/exhaustive_search.py", ("best_w",),
             "穷举法找到的 $w$", "$w$ found by exhaustive search", 2.0),
    Headline(2, "snippets/lecture02_linear_model/cost_surface_3d.py", ("min_mse",),
             "$y = wx + b$ 的最小 MSE", "smallest MSE of $y = wx + b$", None),
    Headline(3, "snippets/lecture03_gradient_descent/gradient_descent.py", ("w",),
             "梯度下降 100 轮后的 $w$", "$w$ after 100 epochs of gradient descent", 1.9999444396553017),
    Headline(3, "snippets/lecture03_gradient_descent/gradient_descent.py", ("prediction",),
             "训练后对 $x = 4$ 的预测", "prediction for $x = 4$ after training", 7.999777758621207),
    Headline(3, "snippets/lecture03_gradient_descent/stochastic_gradient_descent.py", ("w",),
             "随机梯度下降 100 轮后的 $w$", "$w$ after 100 epochs of SGD", None),
    Headline(4, "snippets/lecture04_back_propagation/backprop_training.py", ("l",),
             "反向传播训练 100 轮后最后一个样本的损失", "loss of the last sample after 100 epochs of backpropagation",
             9.094947017729282e-13),
    Headline(4, "snippets/lecture04_back_propagation/backprop_training.py", ("prediction_after",),
             "训练后对 $x = 4$ 的预测", "prediction for $x = 4$ after training", 7.999998569488525),
    Headline(5, "snippets/lecture05_linear_regression/linear_regression.py", ("w",),
             "`nn.Linear` 训练后的 $w$", "$w$ of `nn.Linear` after training", None),
    Headline(5, "snippets/lecture05_linear_regression/linear_regression.py", ("b",),
             "`nn.Linear` 训练后的 $b$", "$b$ of `nn.Linear` after training", None),
    Headline(5, "snippets/lecture05_linear_regression/linear_regression.py", ("final_loss",),
             "最终损失", "final loss", None),
    Headline(6, "snippets/lecture06_logistic_regression/logistic_regression.py", ("final_loss",),
             "逻辑斯蒂回归的最终损失（BCE）", "final loss of logistic regression (BCE)", None),
    Headline(7, "snippets/lecture07_multiple_dimension_input/diabetes_classifier.py", ("accuracy",),
             "糖尿病数据的训练集准确率", "training accuracy on the diabetes data", None, percent=True),
    Headline(8, "snippets/lecture08_dataset_and_dataloader/titanic.py", ("val_accuracy",),
             "Titanic 验证集准确率", "Titanic validation accuracy", None, percent=True),
    Headline(9, "snippets/lecture09_softmax_classifier/train_mnist_fc.py", ("test_accuracy",),
             "全连接网络的 MNIST 测试准确率", "MNIST test accuracy, fully connected network", 0.97,
             percent=True, about=True),
    Headline(10, "snippets/lecture10_cnn_basics/train_basic_cnn.py", ("test_accuracy",),
             "基础 CNN 的 MNIST 测试准确率", "MNIST test accuracy, basic CNN", 0.9869, percent=True),
    Headline(11, "snippets/lecture11_advanced_cnn/train_inception.py", ("test_accuracy",),
             "Inception 网络的 MNIST 测试准确率", "MNIST test accuracy, Inception network", (0.98, 0.99),
             percent=True),
    Headline(11, "snippets/lecture11_advanced_cnn/train_resnet.py", ("test_accuracy",),
             "残差网络的 MNIST 测试准确率", "MNIST test accuracy, residual network", 0.9901, percent=True),
    Headline(12, "snippets/lecture12_basic_rnn/hello_embedding.py", ("prediction",),
             "“hello” 的预测（嵌入层 + RNN）", "prediction for \"hello\" (embedding + RNN)", "ohlol"),
    Headline(13, "snippets/lecture13_rnn_classifier/train.py", ("test_accuracy",),
             "名字分类的测试准确率", "test accuracy of name classification", (0.83, 0.84), percent=True),
]

LABELS = {
    "zh": {
        "header": "| 讲 | 结果（代码） | 本次构建 | 课程报告 | 设备 | 运行时间 |\n|---|---|---|---|---|---|",
        "lecture": "第 {n} 讲",
        "seconds": "{s:.1f} 秒",
        "not_run": "未运行",
        "none": "—",
        "about": "约 {}",
        "range": "{}～{}",  # 83%～84%
    },
    "en": {
        "header": (
            "| Lecture | Result (code) | This build | Course | Device | Run time |\n"
            "|---|---|---|---|---|---|"
        ),
        "lecture": "Lecture {n}",
        "seconds": "{s:.1f} s",
        "not_run": "not run",
        "none": "—",
        "about": "about {}",
        "range": "{}–{}",  # 83%–84%
    },
}


def lookup(values: dict, path: tuple, where: str):
    """``values[path[0]][path[1]]...``; a missing key raises :class:`ResultsError`."""
    current = values
    for key in path:
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            known = ", ".join(sorted(values)) if isinstance(values, dict) else "-"
            raise ResultsError(
                f"{where}: no value {'.'.join(map(str, path))} (top-level values: {known})"
            ) from None
    return current


def fmt(value, percent: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if percent:
        return f"{100 * value:.2f}%"
    if isinstance(value, int):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.4e}"
    return f"{value:.10g}" if math.isfinite(value) else str(value)


def reported_text(h: Headline, lang: str) -> str:
    """What the course reported, worded as the lecture pages word it in ``lang``."""
    labels = LABELS[lang]
    if h.reported is None:
        return labels["none"]

    def one(value) -> str:
        if h.percent and isinstance(value, float):
            return f"{round(100 * value, 2):g}%"  # as the course wrote it: 97%, 98.69%
        return fmt(value, h.percent)

    if isinstance(h.reported, tuple):
        text = labels["range"].format(*map(one, h.reported))
    else:
        text = one(h.reported)
    return labels["about"].format(text) if h.about else text


def as_text(value) -> str:
    """A value from a run as Markdown table-cell text: its HTML, Markdown and ``--8<--``
    syntax escaped, so the page shows it as it is; line breaks and control characters are
    shown as escapes (``\\n``, ``\\u2028``): a table cell is one line."""
    text = shown_safely(str(value)).replace("\n", "\\n")
    text = re.sub(r"([\\`*_{}\[\]()#+\-.!|])", r"\\\1", text)
    return html.escape(text, quote=False)


def check(headlines: list[Headline] = HEADLINES, project: Project | None = None) -> None:
    """Every mapped snippet exists (before anything runs)."""
    root = (project or Project.at()).root
    for h in headlines:
        if not (root / h.snippet).is_file():  # the project being built
            raise ResultsError(f"results mapping, lecture {h.lecture}: no snippet {h.snippet}")


def table(lang: str, run: Callable[[str], Result] | None, headlines: list[Headline] = HEADLINES,
          project: Project | None = None) -> str:
    labels = LABELS[lang]
    lines = [labels["header"]]
    check(headlines, project)
    for h in headlines:
        result = run(h.snippet) if run is not None else None
        if result is None:
            shown, device, seconds = labels["not_run"], labels["none"], labels["none"]
        else:
            shown = as_text(fmt(lookup(result.values, h.value, h.snippet), h.percent))
            device, seconds = as_text(result.device), labels["seconds"].format(s=result.seconds)
        reported = reported_text(h, lang)
        label = h.zh if lang == "zh" else h.en
        lecture = labels["lecture"].format(n=h.lecture)
        lines.append(f"| {lecture} | {label}<br>{code_path(h.snippet)} | {shown} | {reported} | {device} | {seconds} |")
    return "\n".join(lines)


def code_path(snippet: str) -> str:
    """The snippet's path under its result: folder and file name, each kept on one line."""
    folder, _, name = snippet.removeprefix("snippets/").rpartition("/")
    return f"`{folder}/`&#8203;`{name}`" if folder else f"`{name}`"


def expand(markdown: str, lang: str, run: Callable[[str], Result] | None, project: Project | None = None) -> str:
    """Replace the ``::: course-results`` line by the results table (:class:`ResultsError`
    names a mapped snippet or value that does not exist)."""
    if not MARKER.search(markdown):
        return markdown
    try:
        rendered = table(lang, run, project=project)
    except ResultsError as exc:
        raise ResultsError(f"results page: {exc}") from None
    # a wrapper for the table's styles (reader.css: fits the column, paths kept whole)
    return MARKER.sub(lambda _: f'<div class="course-results" markdown>\n\n{rendered}\n\n</div>', markdown)
