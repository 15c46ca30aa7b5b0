"""Lecture 11: advanced CNNs (what each snippet computes)."""

import re

import pytest
import torch

from tests.helpers import import_snippet, page_claim

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
    pixel = re.search(r"weights \(0.5, -1, 2\): (\S+) = 0.5\*1 - 1\*2 \+ 2\*3", result.output)
    assert pixel and float(pixel.group(1)) == 0.5 * 1 - 1 * 2 + 2 * 3


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


@pytest.mark.parametrize("snippet, threshold", [("train_inception", 0.98), ("train_resnet", 0.985)])
def test_training_comes_close_to_the_course(run_snippet, snippet, threshold):
    """Course: Inception 98-99 %, residual network 99.01 % (9901/10000)."""
    result = run_snippet(f"{FOLDER}/{snippet}.py")
    values = result.values
    assert len(values["accuracies"]) == 10
    assert values["test_accuracy"] == values["accuracies"][-1] >= threshold
    assert values["best_accuracy"] == max(values["accuracies"])
    assert len(result.figures) == 1


def test_homework_residual_variants(run_snippet):
    """The page: all three pass 98 % within 3 epochs and differ by a few tenths of a percent."""
    claim = page_claim(PAGE, {"en": r"all three pass (\d+)%", "zh": r"三者 3 轮内都到了 (\d+)% 以上"}) / 100
    values = run_snippet(f"{FOLDER}/homework_resnet_variants.py").values
    assert values["EPOCHS"] == 3
    final = values["final_accuracies"]
    assert set(final) == {"ResNet", "PreActResNet", "SmallDenseNet"}
    for name, accuracy in final.items():
        assert accuracy >= claim, name
    assert max(final.values()) - min(final.values()) < 0.01
