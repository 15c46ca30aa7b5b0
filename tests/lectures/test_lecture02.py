"""Lecture 2: exhaustive search and the homework's cost surface find w = 2, b = 0."""

import pytest


def test_exhaustive_search_finds_w_2(run_snippet):
    result = run_snippet("snippets/lecture02_linear_model/exhaustive_search.py")
    values = result.values
    assert len(values["w_list"]) == 41
    assert values["w_list"][0] == 0.0 and values["w_list"][-1] == 4.0
    assert values["best_w"] == pytest.approx(2.0)
    assert min(values["mse_list"]) == pytest.approx(0.0)
    assert values["mse_list"][0] == pytest.approx(56 / 3)  # w = 0: (4 + 16 + 36) / 3
    assert "lowest MSE 0.0000 at w=2.0" in result.output
    assert len(result.figures) == 1


def test_cost_surface_minimum_at_w_2_b_0(run_snippet):
    result = run_snippet("snippets/lecture02_linear_model/cost_surface_3d.py")
    assert result.values["best_w"] == pytest.approx(2.0)
    assert result.values["best_b"] == pytest.approx(0.0, abs=1e-9)
    assert result.values["min_mse"] == pytest.approx(0.0, abs=1e-12)
    assert len(result.figures) == 1
