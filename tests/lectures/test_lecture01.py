"""Lecture 1: the curse-of-dimensionality figures compute what the page says."""

SNIPPET = "snippets/lecture01_overview/curse_of_dimensionality.py"


def test_samples_needed_grow_as_ten_to_the_d(run_snippet):
    values = run_snippet(SNIPPET).values
    assert values["samples_needed"] == {"1": 10, "2": 100, "3": 1000, "10": 10**10}


def test_nearest_and_farthest_distances_converge(run_snippet):
    result = run_snippet(SNIPPET)
    contrast = result.values["contrast"]
    assert contrast[0] < 0.05  # in 1D the nearest point is far closer than the farthest
    assert contrast[-1] > 0.85  # in 1000D they are almost equally far
    assert contrast == sorted(contrast)
    assert len(result.figures) == 1
