"""Lecture 4 (back-propagation): what each snippet computes."""

import pytest

L04 = "snippets/lecture04_back_propagation/"


def test_stacked_linear_layers_collapse(run_snippet):
    values = run_snippet(L04 + "linear_layers_collapse.py").values
    assert values["max_difference"] < 1e-5
    assert values["nonlinear_difference"] > 0.1


def test_autograd_matches_hand_gradient_and_accumulates(run_snippet):
    result = run_snippet(L04 + "autograd_basics.py")
    values = result.values
    assert values["grad_autograd"] == values["grad_by_hand"] == -8.0
    assert values["grad_accumulated"] == -16.0
    assert values["grad_after_zero"] == 0.0
    assert values["second_backward_fails"] is True
    assert "PowBackward0" in result.output


def test_data_is_silent_and_no_grad_is_checked(run_snippet):
    values = run_snippet(L04 + "item_data_no_grad.py").values
    assert values["value"] == 4.0
    assert values["silent_wrong_grad"] == 4.0  # 2 * (3 - 1), not the correct 6
    assert values["error_caught"] is True


def test_tensor_class_versus_function(run_snippet):
    values = run_snippet(L04 + "tensor_vs_tensor.py").values
    assert values["class_dtype"] == "torch.float32"
    assert values["function_dtype"] == "torch.int64"
    assert values["copied_first"] == 1.0
    assert values["shared_first"] == 100.0


def test_training_with_autograd_learns_w_2(run_snippet):
    result = run_snippet(L04 + "backprop_training.py")
    values = result.values
    assert values["prediction_before"] == 4.0
    assert values["w_final"] == pytest.approx(2.0, abs=1e-4)
    assert values["prediction_after"] == pytest.approx(8.0, abs=1e-3)
    assert "dl/dw=-2.0000" in result.output  # first gradient, as in the course
    assert len(result.figures) == 1


def test_homework_hand_gradients_of_linear_model_with_bias(run_snippet):
    values = run_snippet(L04 + "linear_bias_gradients.py").values
    assert values["max_abs_difference"] == 0.0


def test_homework_quadratic_model(run_snippet):
    result = run_snippet(L04 + "quadratic_model.py")
    values = result.values
    assert values["by_hand"] == values["by_autograd"] == [24.0, 12.0, 6.0]
    assert values["final_loss"] < values["loss_after_100"] / 5
    assert 8.3 < values["prediction_after_100"] < 8.8
    assert abs(values["prediction_after"] - 8.0) < abs(values["prediction_after_100"] - 8.0)
    assert values["prediction_after"] == pytest.approx(8.0, abs=0.3)
    # the unique exact fit of the three points is w1 = 0, w2 = 2, b = 0
    assert 0.0 < values["w1_final"] < 0.15
    assert 1.5 < values["w2_final"] < 2.0
    assert 0.0 < values["b_final"] < 0.5
    assert len(result.figures) == 1
