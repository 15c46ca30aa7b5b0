"""Lecture 5 (linear regression with PyTorch): what each snippet computes."""

import pytest

L05 = "snippets/lecture05_linear_regression/"


def test_linear_regression_learns_w_2_b_0(run_snippet):
    result = run_snippet(L05 + "linear_regression.py")
    values = result.values
    assert values["w"] == pytest.approx(2.0, abs=0.005)
    assert values["b"] == pytest.approx(0.0, abs=0.01)
    assert values["y_test"] == pytest.approx(8.0, abs=0.01)
    assert values["final_loss"] < 1e-5
    # after the course's 100 epochs the fit is visibly not finished
    assert 1.6 < values["w_after_100"] < 1.9
    assert 0.3 < values["b_after_100"] < 0.8
    assert len(result.figures) == 1


def test_linear_shapes_and_mse_reduction(run_snippet):
    values = run_snippet(L05 + "linear_shapes.py").values
    assert values["output_shape"] == [4, 2]
    assert values["weight_shape"] == [2, 3]  # (out_features, in_features)
    assert values["called_equals_forward"] is True
    assert values["mse_none"] == [1.0, 4.0, 4.0]
    assert values["mse_sum"] == 9.0
    assert values["mse_mean"] == 3.0


def test_eight_optimizers_in_one_figure(run_snippet):
    result = run_snippet(L05 + "optimizers.py")
    values = result.values
    final = values["final_losses"]
    assert set(final) == {"Adagrad", "Adam", "Adamax", "ASGD", "LBFGS", "RMSprop", "Rprop", "SGD"}
    assert len(result.figures) == 1
    # what the page says about them
    assert final["LBFGS"] < 1e-6 and final["Rprop"] < 1e-6
    assert values["evaluations"]["LBFGS"] > 1000
    assert values["evaluations"]["SGD"] == 100
    assert final["ASGD"] == pytest.approx(final["SGD"], rel=1e-2)
    assert final["SGD"] < final["RMSprop"] < final["Adam"] < final["Adamax"] < final["Adagrad"]
    assert final["Adagrad"] > 10  # barely moved at lr 0.01
    assert values["ranking"][:2] == ["Rprop", "LBFGS"]
