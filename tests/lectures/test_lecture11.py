"""Lecture 11: advanced CNNs (what each snippet computes)."""

import re
from pathlib import Path

import pytest
import torch

from tests.helpers import import_snippet

ROOT = Path(__file__).resolve().parents[2]
FOLDER = "snippets/lecture11_advanced_cnn"
PAGE = "lecture11-advanced-cnn.md"


def load(name):
    return import_snippet(FOLDER.removeprefix("snippets/"), name)


def test_one_by_one_convolution_counts(run_snippet):
    result = run_snippet(f"{FOLDER}/one_by_one_conv.py")
    assert result.values["direct_by_hand"] == 5 * 5 * 28 * 28 * 192 * 32 == 120_422_400
    assert result.values["bottleneck_by_hand"] == 12_443_648
    assert "PyTorch counts 120,422,400" in result.output
    assert "PyTorch counts 12,443,648" in result.output
    assert "= 0.5*1 - 1*2 + 2*3" in result.output and "4.5" in result.output


def test_flatten_sizes_from_a_dummy_forward_pass(run_snippet):
    result = run_snippet(f"{FOLDER}/flatten_size.py")
    assert result.values["inception_flat"] == 1408
    assert result.values["resnet_flat"] == 512
    assert "1x512 and 1000x10" in result.output


def test_vanishing_gradients(run_snippet):
    result = run_snippet(f"{FOLDER}/vanishing_gradients.py")
    assert result.values["plain_ratio"] < 1e-6  # the plain stack's gradient vanishes
    assert 0.5 < result.values["residual_ratio"] < 2  # shortcuts keep it
    assert len(result.figures) == 1


def test_models():
    models = load("models")
    x = torch.zeros(2, 1, 28, 28)
    assert models.InceptionA(10)(torch.zeros(2, 10, 12, 12)).shape == (2, 88, 12, 12)
    assert models.ResidualBlock(16)(torch.zeros(2, 16, 12, 12)).shape == (2, 16, 12, 12)
    assert models.DenseBlock(16).out_channels == 40
    expected_in = {"InceptionNet": 1408, "ResNet": 512, "PreActResNet": 512, "SmallDenseNet": 896}
    for name, in_features in expected_in.items():
        model = getattr(models, name)()
        assert model.fc.in_features == in_features, name
        assert model(x).shape == (2, 10), name
        assert model.training  # flat_size leaves the mode as it was


def test_flat_size_leaves_batchnorm_statistics_alone():
    model = load("models").PreActResNet()
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            assert module.num_batches_tracked.item() == 0
            assert torch.equal(module.running_mean, torch.zeros_like(module.running_mean))


def test_inception_training(run_snippet):
    result = run_snippet(f"{FOLDER}/train_inception.py")
    values = result.values
    assert len(values["accuracies"]) == 10
    assert values["test_accuracy"] >= 0.98  # course: 98-99 %
    assert "| Inception network, 10 epochs | 98-99 % |" in result.output
    assert "in_features=1408" in result.output
    assert len(result.figures) == 1


def test_resnet_training(run_snippet):
    result = run_snippet(f"{FOLDER}/train_resnet.py")
    values = result.values
    assert len(values["accuracies"]) == 10
    assert values["test_accuracy"] >= 0.985  # course: 99.01 % (9901/10000)
    assert "| residual network, 10 epochs | 99.01 % (9901/10000) |" in result.output
    assert "in_features=512" in result.output


def test_homework_residual_variants(run_snippet):
    result = run_snippet(f"{FOLDER}/homework_resnet_variants.py")
    values = result.values
    assert values["epochs"] == 3
    assert set(values["final_accuracies"]) == {"ResNet", "PreActResNet", "SmallDenseNet"}
    for name, accuracy in values["final_accuracies"].items():
        assert accuracy >= 0.97, name
    for name in ("ResNet", "PreActResNet", "SmallDenseNet"):
        assert f"| {name} |" in result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page(lang):
    text = (ROOT / "docs" / lang / PAGE).read_text(encoding="utf-8")
    assert text.startswith("---\ncuda: true\n---")
    assert "{#errata}" in text and "{#homework}" in text and "{#results}" in text


def test_pages_share_anchors_and_snippets():
    zh = (ROOT / "docs/zh" / PAGE).read_text(encoding="utf-8")
    en = (ROOT / "docs/en" / PAGE).read_text(encoding="utf-8")
    anchors = lambda text: re.findall(r"^#{2,3} .*\{#([\w-]+)\}\s*$", text, flags=re.M)  # noqa: E731
    snippets = lambda text: re.findall(r"^::: snippet (\S+)", text, flags=re.M)  # noqa: E731
    assert anchors(zh) == anchors(en) and len(anchors(zh)) >= 10
    assert snippets(zh) == snippets(en)
