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


def test_linear_takes_any_leading_dimensions(run_snippet):
    """nn.Linear maps (*, in_features) to (*, out_features); only the last dimension must match."""
    values = run_snippet(L05 + "linear_input_shapes.py").values
    assert values["output_shapes"] == {
        "1-D, one sample": [2],
        "2-D, 4 samples": [4, 2],
        "3-D, 5 x 4 samples": [5, 4, 2],
    }
    assert values["rows_match"] is True
    assert "mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)" in values["mismatch_error"]


def test_slow_direction_decides_w_after_100_epochs(run_snippet):
    """The page: the slow direction decays by only about half in 100 steps, so w after 100 epochs
    depends on the initial weights; the eigen-decomposition predicts the trained w."""
    values = run_snippet(L05 + "slow_direction.py").values
    assert values["hessian_eigenvalues"] == pytest.approx([0.7212, 33.2788], abs=1e-3)
    assert 0.4 < values["slow_factor_after_100"] < 0.6
    assert values["predicted_w_after_100"] == pytest.approx(values["w_after_100"], abs=1e-3)
    assert values["w_after_100"][0] == pytest.approx(1.75, abs=0.01)  # seed 0, as in the main snippet
    assert max(values["w_after_100"]) - min(values["w_after_100"]) > 0.2  # the seed decides
    assert max(values["w_after_100"]) > 2.0  # some initializations even overshoot


def test_step_lr_divides_the_learning_rate_by_10_every_100_epochs(run_snippet):
    values = run_snippet(L05 + "lr_scheduler.py").values
    lrs, losses = values["learning_rates"], values["losses"]
    assert len(lrs) == len(losses) == 300
    assert lrs[0] == lrs[99] == 0.05
    assert lrs[100] == pytest.approx(0.005) and lrs[199] == pytest.approx(0.005)
    assert lrs[200] == pytest.approx(0.0005) and lrs[299] == pytest.approx(0.0005)
    # the page: after each drop the loss falls more slowly (loss ratio over 50 epochs nearer 1)
    ratios = [losses[start + 50] / losses[start] for start in (49, 149, 249)]
    assert ratios[0] < ratios[1] < ratios[2] < 1, ratios
    assert values["w"] == pytest.approx(2.0, abs=0.02) and values["final_loss"] < 1e-3
