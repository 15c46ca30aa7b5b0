"""Lecture 6 (logistic regression): what each snippet computes."""

import math

import pytest

L06 = "snippets/lecture06_logistic_regression/"


def test_sigmoid_curve(run_snippet):
    result = run_snippet(L06 + "sigmoid_curve.py")
    values = result.values
    assert values["sigmoid_at_0"] == 0.5
    assert values["sigmoid_at_5"] == pytest.approx(1 / (1 + math.exp(-5)), abs=1e-6)
    assert values["max_derivative"] == pytest.approx(0.25, abs=1e-6)
    assert values["derivative_matches_autograd"] is True
    assert len(result.figures) == 1


def test_binary_cross_entropy_worked_numbers(run_snippet):
    values = run_snippet(L06 + "bce_example.py").values
    assert values["by_hand"][1] == pytest.approx(-math.log(0.8), abs=1e-6)  # y = 1, p = 0.8
    assert values["by_hand"][2] == pytest.approx(-math.log(0.3), abs=1e-6)  # y = 1, p = 0.3
    assert values["max_difference"] < 1e-5
    assert values["bce_sum"] == pytest.approx(values["hand_sum"], abs=1e-5)
    assert values["bce_sum"] == pytest.approx(1.6503, abs=1e-4)
    assert values["bce_mean"] == pytest.approx(values["bce_sum"] / 3, abs=1e-6)
    assert values["bce_with_logits"] == pytest.approx(values["bce_sum"], abs=1e-4)


def test_three_sigmoids_agree(run_snippet):
    result = run_snippet(L06 + "sigmoid_three_ways.py")
    assert result.values["all_equal"] is True
    # the page says current PyTorch no longer warns about F.sigmoid
    assert result.values["functional_warns"] is False


def test_logistic_regression(run_snippet):
    result = run_snippet(L06 + "logistic_regression.py")
    values = result.values
    assert 1.0 < values["final_loss"] < 1.2  # BCE summed over 3 samples, from about 2.45
    assert "epoch    0  loss 2.4" in result.output
    assert values["w"] > 0 and values["b"] < 0
    assert 2.3 < values["boundary"] < 2.55
    assert values["train_predictions"] == [0, 0, 1]
    assert 0.8 < values["p_pass_4"] < 0.9
    assert len(result.figures) == 1


def test_homework_bce_gradient_is_prediction_minus_label(run_snippet):
    values = run_snippet(L06 + "bce_example.py").values
    assert values["gradient_difference"] < 1e-5
    assert values["grad_formula"] == pytest.approx([0.2, -0.2, -0.7], abs=1e-5)
