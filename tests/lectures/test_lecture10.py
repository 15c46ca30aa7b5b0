"""Lecture 10: CNN basics (what each snippet computes)."""

import re
from pathlib import Path

import torch
from torch import nn

from tests.helpers import import_snippet

ROOT = Path(__file__).resolve().parents[2]
FOLDER = "snippets/lecture10_cnn_basics"
PAGE = "lecture10-cnn-basics.md"


def load(name):
    return import_snippet(FOLDER.removeprefix("snippets/"), name)


def test_convolution_by_hand(run_snippet):
    result = run_snippet(f"{FOLDER}/conv_by_hand.py")
    assert "= 211" in result.output
    assert "F.conv2d gives the same: True" in result.output
    assert "stride=2 by hand: True" in result.output
    assert "[[4 8]\n [9 8]]" in result.output  # the course's max-pooling example
    assert len(result.figures) == 1


def test_channels(run_snippet):
    result = run_snippet(f"{FOLDER}/channels.py")
    assert result.values["sum_matches"] is True
    assert "output shape: (1, 10, 98, 98)" in result.output
    assert "weight shape: (10, 5, 3, 3)" in result.output


def test_output_size_formula(run_snippet):
    result = run_snippet(f"{FOLDER}/output_size.py")
    assert result.values["all_match"] is True
    formula = load("output_size").output_size
    for n, k, p, s in [(28, 5, 0, 1), (13, 3, 1, 2), (9, 4, 0, 3)]:
        conv = nn.Conv2d(1, 1, k, padding=p, stride=s)
        assert conv(torch.zeros(1, 1, n, n)).shape[-1] == formula(n, k, p, s)


def test_models_shapes():
    models = load("models")
    for model_class, parameters in ((models.BasicCNN, 8490), (models.DeeperCNN, 106058)):
        model = model_class()
        assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
        assert sum(p.numel() for p in model.parameters()) == parameters


def test_device_demo_runs_on_cpu(run_snippet):
    result = run_snippet(f"{FOLDER}/device_demo.py")
    assert "model.to(device) moves the module itself: True" in result.output
    assert "scores on" in result.output


def test_basic_cnn_training(run_snippet):
    result = run_snippet(f"{FOLDER}/train_basic_cnn.py")
    values = result.values
    assert len(values["accuracies"]) == 10
    assert values["test_accuracy"] >= 0.975  # course: 98.69 % (9869/10000)
    assert "| basic CNN, 10 epochs | 98.69 % (9869/10000) |" in result.output
    assert len(result.figures) == 2  # curves and feature maps


def test_homework_deeper_cnn(run_snippet):
    result = run_snippet(f"{FOLDER}/homework_deeper_cnn.py")
    values = result.values
    assert values["epochs"] == 3
    assert values["basic_accuracy"] >= 0.96
    assert values["deeper_accuracy"] >= 0.95
    assert "| DeeperCNN | 106058 |" in result.output


def test_pages_share_anchors_and_snippets():
    zh = (ROOT / "docs/zh" / PAGE).read_text(encoding="utf-8")
    en = (ROOT / "docs/en" / PAGE).read_text(encoding="utf-8")
    anchors = lambda text: re.findall(r"^#{2,3} .*\{#([\w-]+)\}\s*$", text, flags=re.M)  # noqa: E731
    snippets = lambda text: re.findall(r"^::: snippet (\S+)", text, flags=re.M)  # noqa: E731
    assert anchors(zh) == anchors(en) and "gpu" in anchors(zh)
    assert snippets(zh) == snippets(en)
    for text in (zh, en):
        assert text.startswith("---\ncuda: true\n---")
        assert "{#errata}" in text and "{#homework}" in text
