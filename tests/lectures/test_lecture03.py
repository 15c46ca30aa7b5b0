"""Lecture 3: gradient descent, SGD, learning rates and mini-batches behave as the page says."""

import pytest

FOLDER = "snippets/lecture03_gradient_descent"


def test_gradient_descent_ends_with_w_near_2(run_snippet):
    result = run_snippet(f"{FOLDER}/gradient_descent.py")
    values = result.values
    assert values["w"] == pytest.approx(2.0, abs=1e-3)
    assert values["prediction"] == pytest.approx(8.0, abs=1e-2)
    costs = values["cost_list"]
    assert len(costs) == 100 and costs[0] == pytest.approx(14 / 3)
    assert all(later < earlier for earlier, later in zip(costs, costs[1:]))
    assert "predict (before training): x=4 -> 4.0000" in result.output
    assert len(result.figures) == 1


def test_sgd_makes_300_updates_and_reaches_w_2(run_snippet):
    values = run_snippet(f"{FOLDER}/stochastic_gradient_descent.py").values
    assert values["updates"] == 300
    assert values["w"] == pytest.approx(2.0, abs=1e-6)
    assert values["prediction"] == pytest.approx(8.0, abs=1e-5)


def test_learning_rates_converge_oscillate_or_diverge(run_snippet):
    final = run_snippet(f"{FOLDER}/learning_rates.py").values["final_costs"]
    assert final["0.05"] < final["0.2"] < final["0.01"] < 1  # fast, oscillating, slow
    assert final["0.22"] > 10  # diverged: |1 - 28/3 * 0.22| > 1


def test_mini_batches_trade_updates_for_noise(run_snippet):
    results = run_snippet(f"{FOLDER}/mini_batch.py").values["results"]
    assert [r["updates"] for r in results.values()] == [20, 160, 1280]
    batch, mini, stochastic = (results[k]["final_mse"] for k in results)
    assert mini < batch and stochastic < batch
