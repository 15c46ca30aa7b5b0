"""The one shape of the training scripts (CONTRIBUTING.md, "A training script").

A training script is a snippet of lectures 9-13 that trains a model: it steps an optimizer built
over a model's ``.parameters()`` (from a ``DataLoader``, or from one fixed batch as lecture 12's
hello -> ohlol scripts do; lecture 9's ``softmax_into_nll.py`` steps raw logits, not a model). Like
pytorch/examples' ``mnist/main.py`` it has ``train(model, device, loader, optimizer, epoch)`` for
one epoch, ``test(model, device, loader)`` for the evaluation, and a ``main()`` called under
``if __name__ == "__main__":``; no other name does their job, and the optimizer steps in
``train`` only, so the loop is on the page that shows the script.
"""

from __future__ import annotations

import ast

import pytest

from engine.core import executor, pages, times
from engine.core.project import Project

SIGNATURES = {
    "train": ["model", "device", "loader", "optimizer", "epoch"],
    "test": ["model", "device", "loader"],
    "main": None,  # any parameters (a data folder, for instance)
}
INDEPENDENT = {"random.Random", "np.random.default_rng", "np.random.Generator", "np.random.RandomState"}
OTHER_NAMES = {"fit", "evaluate", "accuracy", "train_epoch", "train_one_epoch", "validate"}
LECTURES = tuple(f"snippets/lecture{n:02d}_" for n in range(9, 14))


def parse(snippet: str) -> ast.Module:
    return ast.parse((executor.ENGINE_HOME / snippet).read_text(encoding="utf-8"), filename=snippet)


def is_training_script(snippet: str) -> bool:
    text = (executor.ENGINE_HOME / snippet).read_text(encoding="utf-8")
    return snippet.startswith(LECTURES) and ".parameters()" in text and ".step()" in text


TRAINING = [s for s in Project.at().all_snippets() if is_training_script(s)]
LECTURE_MODULES = [s for s in Project.at().all_snippets() if s.startswith(LECTURES)]


def functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def calls_step(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "step"
               for n in ast.walk(node))


def test_the_training_scripts_are_found():
    found = {s.removeprefix("snippets/") for s in TRAINING}
    assert found >= {
        "lecture09_softmax_classifier/train_mnist_fc.py", "lecture09_softmax_classifier/homework_otto.py",
        "lecture10_cnn_basics/train_basic_cnn.py", "lecture10_cnn_basics/homework_deeper_cnn.py",
        "lecture11_advanced_cnn/train_inception.py", "lecture11_advanced_cnn/train_resnet.py",
        "lecture11_advanced_cnn/homework_resnet_variants.py",
        "lecture12_basic_rnn/hello_rnncell.py", "lecture12_basic_rnn/hello_rnn.py",
        "lecture12_basic_rnn/hello_embedding.py", "lecture12_basic_rnn/homework_lstm.py",
        "lecture12_basic_rnn/homework_gru.py",
        "lecture13_rnn_classifier/train.py", "lecture13_rnn_classifier/homework_sentiment.py",
    }


@pytest.mark.parametrize("snippet", TRAINING)
def test_training_script_has_the_shape(snippet):
    tree = parse(snippet)
    defined = functions(tree)
    for name, parameters in SIGNATURES.items():
        assert name in defined, f"{snippet}: no top-level {name}()"
        if parameters is not None:
            found = [a.arg for a in defined[name].args.args]
            assert found == parameters, f"{snippet}: {name}{tuple(found)}, expected {name}{tuple(parameters)}"
    guard = [node for node in tree.body
             if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"]
    assert guard, f"{snippet}: no `if __name__ == \"__main__\":` block"
    called = {n.func.id for n in ast.walk(guard[-1]) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "main" in called, f"{snippet}: the __main__ block does not call main()"
    stepping = [getattr(node, "name", f"line {node.lineno}") for node in tree.body if calls_step(node)]
    assert stepping == ["train"], f"{snippet}: optimizer steps in {stepping}, expected in train() only"


@pytest.mark.parametrize("snippet", LECTURE_MODULES)
def test_no_other_name_for_the_same_job(snippet):
    found = sorted(OTHER_NAMES & set(functions(parse(snippet))))
    assert not found, f"{snippet}: defines {found}; use train() and test() (CONTRIBUTING.md)"


def test_same_name_same_signature_across_lectures():
    seen: dict[str, tuple[list[str], str]] = {}
    for snippet in LECTURE_MODULES:
        for name, node in functions(parse(snippet)).items():
            if name not in SIGNATURES or SIGNATURES[name] is None:
                continue
            parameters = [a.arg for a in node.args.args]
            first = seen.setdefault(name, (parameters, snippet))
            assert first[0] == parameters, f"{name}() differs: {first[1]} {first[0]} vs {snippet} {parameters}"


@pytest.mark.parametrize("snippet", Project.at().all_snippets())
def test_no_unused_generator_is_seeded(snippet):
    """``random.seed`` and ``np.random.seed`` only where that generator is used."""
    tree = parse(snippet)
    attributes = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    for generator in ("random", "np.random"):
        seeded = f"{generator}.seed" in attributes
        used = [a for a in attributes if a.startswith(generator + ".") and a != f"{generator}.seed"
                and a not in INDEPENDENT]
        assert not seeded or used, f"{snippet}: seeds {generator} but never draws from it"


def loader_keywords(tree: ast.Module) -> set[str]:
    """Keywords given to a DataLoader, directly or through a dict updated or passed as **options."""
    found = {k.arg for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).endswith("DataLoader")
             for k in n.keywords if k.arg}
    for n in ast.walk(tree):  # loader_options = {...} / loader_options.update(...)
        if isinstance(n, ast.Dict):
            found |= {k.value for k in n.keys if isinstance(k, ast.Constant)}
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "update":
            found |= {k.arg for k in n.keywords if k.arg}
    return found


LONG_CUDA_TRAININGS = sorted(
    s for s in TRAINING
    if s in pages.cuda_snippets() and times.load().get(s, 0) >= 60 and "DataLoader(" in (
        executor.ENGINE_HOME / s).read_text(encoding="utf-8"))


def test_the_long_cuda_trainings_are_found():
    assert {s.removeprefix("snippets/") for s in LONG_CUDA_TRAININGS} >= {
        "lecture09_softmax_classifier/train_mnist_fc.py", "lecture11_advanced_cnn/train_inception.py",
        "lecture13_rnn_classifier/train.py",
    }


@pytest.mark.parametrize("snippet", LONG_CUDA_TRAININGS)
def test_a_long_cuda_training_loads_with_workers_and_pinned_memory(snippet):
    """Lecture 9's loader on a GPU: worker processes, pinned memory, workers kept across epochs."""
    text = (executor.ENGINE_HOME / snippet).read_text(encoding="utf-8")
    missing = {"num_workers", "pin_memory", "persistent_workers"} - loader_keywords(parse(snippet))
    assert not missing, f"{snippet}: its DataLoader has no {sorted(missing)} on the GPU"
    assert "torch.cuda.is_available()" in text, f"{snippet}: the loader options do not depend on the GPU"
