"""Lecture 7 (multi-dimensional input): what each snippet computes."""

import math

import pytest

L07 = "snippets/lecture07_multiple_dimension_input/"


def test_diabetes_network_training_accuracy(run_snippet):
    result = run_snippet(L07 + "diabetes_classifier.py")
    values = result.values
    assert values["data_shape"] == [759, 9]
    assert values["positive_fraction"] == pytest.approx(0.6535, abs=1e-4)
    # the course's 100 epochs: the network still answers 1 for everyone
    assert values["accuracy_at_100"] == pytest.approx(values["positive_fraction"], abs=1e-6)
    # trained long enough, it beats the majority baseline by about 11 points
    assert 0.75 <= values["train_accuracy"] <= 0.79
    assert values["final_loss"] < 0.5 < values["loss_at_100"]
    # at 100 epochs the loss sits at the best a constant answer can do: the label entropy
    p = values["positive_fraction"]
    entropy = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    assert values["loss_at_100"] == pytest.approx(entropy, abs=0.002)
    # the plateau ends between epochs 6000 and 8000
    losses = dict(zip(values["logged_epochs"], values["losses"]))
    assert losses[6000] > 0.6 and losses[8000] < 0.5
    assert len(result.figures) == 1


def test_homework_activation_functions(run_snippet):
    result = run_snippet(L07 + "activations.py")
    values = result.values
    accuracy = values["final_accuracy"]
    assert set(accuracy) == {"Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softplus"}
    assert accuracy["Sigmoid"] == pytest.approx(0.6535, abs=1e-3)  # still on the plateau
    for name in ("Tanh", "ReLU", "LeakyReLU"):
        assert 0.78 <= accuracy[name] < 0.80, name
    for name in ("ELU", "Softplus"):
        assert 0.76 <= accuracy[name] < 0.78, name
    # curves are logged every 10 epochs: index 99 is epoch 990
    for name in ("Tanh", "ReLU", "LeakyReLU", "ELU"):
        assert values["curves"][name][99] < 0.5, name
    assert values["curves"]["Sigmoid"][-1] > 0.64
    assert values["bce_rejects_relu"] is True
    assert len(result.figures) == 1
