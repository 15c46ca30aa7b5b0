"""Lecture 12: basic RNN (what each snippet computes)."""

import math
from pathlib import Path

import pytest
import torch

from tests.helpers import LANGUAGES, import_snippet, page_claim, read_page

ROOT = Path(__file__).resolve().parents[2]
FOLDER = "snippets/lecture12_basic_rnn"
PAGE = "lecture12-basic-rnn.md"


def load(name):
    return import_snippet(FOLDER.removeprefix("snippets/"), name)


def test_cell_formula_matches_rnncell(run_snippet):
    result = run_snippet(f"{FOLDER}/rnn_cell_formula.py")
    assert result.values["max_difference"] < 1e-6
    assert "weight_ih  (2, 4)" in result.output and "weight_hh  (2, 2)" in result.output


def test_weight_count_formula(run_snippet):
    result = run_snippet(f"{FOLDER}/weight_count.py")
    assert result.values["all_match"] is True
    assert len(result.values["checks"]) == 6
    for _, formula, real in result.values["checks"]:
        assert formula == real
    # the formula also holds for sizes the page does not print
    module = load("weight_count")
    rnn = torch.nn.RNN(7, 5, num_layers=3, bidirectional=True)
    assert module.rnn_weights(7, 5, 3, True) == sum(p.numel() for p in rnn.parameters())


def test_rnncell_shapes(run_snippet):
    result = run_snippet(f"{FOLDER}/rnncell_shapes.py")
    assert result.values["hidden_shape"] == [1, 2]
    assert result.output.count("input (1, 4)  -> hidden (1, 2)") == 3


def test_rnn_shapes(run_snippet):
    result = run_snippet(f"{FOLDER}/rnn_shapes.py")
    values = result.values
    assert values["output_shape"] == [3, 1, 2]
    assert values["hidden_shape"] == [1, 1, 2]
    assert values["output_shape_batch_first"] == [5, 3, 2]
    assert values["hidden_shape_batch_first"] == [3, 5, 2]  # batch_first leaves hidden alone
    assert "output[-1] == hidden[-1]: True" in result.output


@pytest.mark.parametrize(
    "snippet", ["hello_rnncell", "hello_rnn", "hello_embedding", "homework_lstm", "homework_gru"]
)
def test_hello_learns_ohlol(run_snippet, snippet):
    result = run_snippet(f"{FOLDER}/{snippet}.py")
    predictions = result.values["predictions"]
    assert len(predictions) == 15  # 15 epochs, one printed prediction each
    assert result.values["prediction"] == "ohlol"
    assert predictions[-1] == "ohlol"
    assert "epoch 15/15  predicted ohlol" in result.output
    losses = result.values["losses"]
    assert len(losses) == 15 and result.values["final_loss"] == losses[-1]
    assert losses[-1] < losses[0]


# With the tanh'd hidden state as class scores, each score lies in (-1, 1): the right class gets at
# most e / (e + 3 / e), a cross-entropy of at least log(1 + 3 / e**2) per step.
TANH_BOUND = math.log(1 + 3 * math.exp(-2))


def test_hidden_state_as_scores_cannot_go_below_the_bound(run_snippet):
    stated = page_claim(PAGE, {"zh": r"交叉熵不低于 ([\d.]+)",
                               "en": r"a cross-entropy of at least ([\d.]+) per step"})
    assert stated == round(TANH_BOUND, 2)
    # hello_rnncell sums the 5 steps' losses, hello_rnn averages them
    assert run_snippet(f"{FOLDER}/hello_rnncell.py").values["final_loss"] >= 5 * TANH_BOUND
    assert run_snippet(f"{FOLDER}/hello_rnn.py").values["final_loss"] >= TANH_BOUND


def test_linear_layer_goes_below_the_stated_loss(run_snippet):
    stated = page_claim(PAGE, {"zh": r"写法三最后的损失低于 ([\d.]+)",
                               "en": r"version 3 ends with a loss below ([\d.]+)"})
    assert run_snippet(f"{FOLDER}/hello_embedding.py").values["final_loss"] < stated


def test_parameter_counts(run_snippet):
    assert run_snippet(f"{FOLDER}/hello_embedding.py").values["parameter_count"] == 380
    assert run_snippet(f"{FOLDER}/homework_lstm.py").values["recurrent_parameters"] == 4 * 304
    assert run_snippet(f"{FOLDER}/homework_gru.py").values["recurrent_parameters"] == 3 * 304


def test_embedding_is_a_lookup(run_snippet):
    result = run_snippet(f"{FOLDER}/onehot_vs_embedding.py")
    assert result.values["lookup_equals_matmul"] is True


def test_page_draws_the_unrolled_rnn():
    for lang in LANGUAGES:
        assert "```mermaid" in read_page(lang, PAGE), lang
