"""Lecture 10: CNN basics (what each snippet computes)."""

import re
from pathlib import Path

import pytest
import torch
from torch import nn

from tests.helpers import import_snippet, page_claim

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


def test_device_demo_keeps_model_and_batch_on_the_device_it_chose(run_snippet):
    result = run_snippet(f"{FOLDER}/device_demo.py")
    printed = re.search(r"^device: (\S+)(?: \||$)", result.output, re.M)
    assert printed, "device_demo.py no longer prints the device it chose"
    chosen = printed.group(1)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert chosen.startswith(expected) and result.device.startswith(expected), (chosen, result.device)
    assert f"parameters on {chosen}" in result.output
    assert f"scores on {chosen}" in result.output
    assert "model.to(device) moves the module itself: True" in result.output


def test_basic_cnn_beats_the_fully_connected_network(run_snippet):
    """The page: about 98.7% after 10 epochs, higher than lecture 9's fully connected network."""
    claim = page_claim(PAGE, {"en": r"basic CNN reaches about ([\d.]+)%", "zh": r"训练 10 轮达到约 ([\d.]+)%"}) / 100
    result = run_snippet(f"{FOLDER}/train_basic_cnn.py")
    values = result.values
    assert len(values["accuracies"]) == 10
    assert values["test_accuracy"] == values["accuracies"][-1]
    assert values["test_accuracy"] == pytest.approx(claim, abs=0.005)  # "about": within half a point
    fully_connected = run_snippet("snippets/lecture09_softmax_classifier/train_mnist_fc.py").values
    assert values["test_accuracy"] > fully_connected["test_accuracy"]
    assert len(result.figures) == 2  # curves and feature maps


def test_homework_deeper_cnn(run_snippet):
    """The page: about 12 times the parameters and 4 times the computation; it starts more
    slowly and is no better within 3 epochs."""
    values = run_snippet(f"{FOLDER}/homework_deeper_cnn.py").values
    assert values["EPOCHS"] == 3
    parameters, macs, accuracies, _ = values["rows"]["BasicCNN"]
    deeper_parameters, deeper_macs, deeper_accuracies, _ = values["rows"]["DeeperCNN"]
    assert (parameters, deeper_parameters) == (8490, 106058)
    assert deeper_parameters / parameters == pytest.approx(12, abs=1)
    assert deeper_macs / macs == pytest.approx(4, abs=0.5)
    assert deeper_accuracies[0] < accuracies[0]
    assert deeper_accuracies[-1] <= accuracies[-1]
