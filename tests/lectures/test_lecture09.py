"""Lecture 9: softmax classifier on MNIST (what each snippet computes)."""

import csv
from pathlib import Path

import pytest
import torch

from tests.helpers import import_snippet, page_claim

ROOT = Path(__file__).resolve().parents[2]
FOLDER = "snippets/lecture09_softmax_classifier"
PAGE = "lecture09-softmax-classifier.md"


def load(name):
    return import_snippet(FOLDER.removeprefix("snippets/"), name)


def test_samples_figure(run_snippet):
    result = run_snippet(f"{FOLDER}/mnist_samples.py")
    assert "training images: 60000, test images: 10000" in result.output
    assert len(result.figures) == 1


def test_normalize_uses_mean_and_standard_deviation(run_snippet):
    values = run_snippet(f"{FOLDER}/transforms_normalize.py").values
    assert values["mean"] == pytest.approx(0.1307, abs=5e-5)
    assert values["std"] == pytest.approx(0.3081, abs=5e-5)
    assert abs(values["normalized_mean"]) < 1e-3
    assert values["normalized_std"] == pytest.approx(1.0, abs=1e-3)


def test_softmax_worked_example(run_snippet):
    result = run_snippet(f"{FOLDER}/softmax_cross_entropy.py")
    assert result.values["loss_by_hand"] == pytest.approx(0.9729, abs=1e-4)
    assert result.values["loss_torch"] == pytest.approx(result.values["loss_by_hand"], abs=1e-6)
    assert result.values["ce_equals_nll"] is True


def test_homework_cross_entropy_vs_nll(run_snippet):
    values = run_snippet(f"{FOLDER}/homework_ce_vs_nll.py").values
    assert values["ce_losses"] == pytest.approx([0.4966, 1.2389], abs=1e-4)
    assert values["nll_losses"] == pytest.approx(values["ce_losses"], abs=1e-6)
    assert all(loss < 0 for loss in values["wrong"])  # softmax into NLLLoss is wrong


def test_model_shape():
    model = load("models").FullyConnectedNet()
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert sum(p.numel() for p in model.parameters()) == 575050


def test_training_levels_off_where_the_page_says(run_snippet):
    """The page: the test accuracy "levels off around 97% over the last epochs"."""
    claim = page_claim(PAGE, {"en": r"levels off around (\d+)%", "zh": r"停在 (\d+)% 左右"}) / 100
    result = run_snippet(f"{FOLDER}/train_mnist_fc.py")
    values = result.values
    assert len(values["accuracies"]) == 10  # the course's 10 epochs
    assert len(values["losses"]) == 30  # 3 logs of 300 batches per epoch
    for accuracy in values["accuracies"][-3:]:
        assert accuracy == pytest.approx(claim, abs=0.01)  # "around": within one point
    assert values["test_accuracy"] == values["accuracies"][-1]
    assert values["losses"][-1] < values["losses"][0] / 5
    assert len(result.figures) == 1


def test_otto_sample_is_deterministic_and_in_kaggle_columns(tmp_path):
    otto = load("otto")
    first = otto.make_sample(tmp_path / "a", n_train=50, n_test=20)
    second = otto.make_sample(tmp_path / "b", n_train=50, n_test=20)
    for name in ("train.csv", "test.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    with open(first / "train.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["id"] + [f"feat_{i}" for i in range(1, 94)] + ["target"]
    ids, x, y = otto.read_csv(first / "train.csv")
    assert x.shape == (50, 93) and y.shape == (50,) and int(y.max()) < 9
    ids, x, y = otto.read_csv(first / "test.csv")
    assert y is None and x.shape == (20, 93)


def test_otto_homework_learns(run_snippet):
    result = run_snippet(f"{FOLDER}/homework_otto.py")
    values = result.values
    assert "made-up sample" in result.output  # the build has no Kaggle data
    assert values["valid_accuracy"] > values["majority_share"] + 0.3
    assert 0 < values["valid_log_loss"] < 1
    assert values["submission_rows"] == 500  # make_sample's n_test


def test_softmax_into_nll_loss_is_minus_p_true_with_a_vanishing_gradient(run_snippet):
    """The page: softmax + NLLLoss computes -p_true (between -1 and 0, not a log-likelihood); it
    still raises p_true, but its gradient p(1 - p) vanishes near p_true = 0, unlike cross-entropy."""
    values = run_snippet(f"{FOLDER}/softmax_into_nll.py").values
    p_true = [0.999, 0.9, 0.5, 0.1, 0.01, 0.001]
    assert values["wrong_losses"] == pytest.approx([-p for p in p_true], abs=1e-5)
    assert values["wrong_gradients"] == pytest.approx([-p * (1 - p) for p in p_true], abs=1e-5)
    assert values["ce_gradients"] == pytest.approx([p - 1 for p in p_true], abs=1e-5)
    assert abs(values["wrong_gradients"][-1]) < 1e-3 < 0.99 < abs(values["ce_gradients"][-1])
    from_half, from_near_zero = values["p_after_100_steps"]
    assert from_half > 0.99  # the right direction: p_true rises
    assert from_near_zero < 0.01  # but from p_true = 0.001 it barely moves


def test_cross_entropy_accepts_class_probabilities(run_snippet):
    """The page: targets are class indices (N,) or float class probabilities (N, C)."""
    values = run_snippet(f"{FOLDER}/cross_entropy_targets.py").values
    assert values["loss_from_probabilities"] == pytest.approx(values["loss_from_indices"], abs=1e-6)
    assert values["loss_from_soft_targets"] == pytest.approx(values["by_hand"], abs=1e-6)
    assert values["smoothed"] == pytest.approx(values["loss_from_soft_targets"], abs=1e-6)
    assert values["loss_from_soft_targets"] != pytest.approx(values["loss_from_indices"], abs=1e-3)
