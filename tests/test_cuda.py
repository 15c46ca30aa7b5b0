"""GPU checks for lectures 9-11: the models really run on the GPU and agree with the CPU.

Run on a GPU machine with ``REQUIRE_CUDA=1 pytest -m cuda tests/test_cuda.py``. Without a GPU
every test is skipped (a failure under ``REQUIRE_CUDA=1``, see ``cuda_device`` in conftest.py).
Nothing here needs the MNIST files: the batches are random but fixed by a seed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from torch import nn

from tests.helpers import import_snippet

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.cuda


load = import_snippet


LECTURE09 = load("lecture09_softmax_classifier", "models")
OTTO = load("lecture09_softmax_classifier", "otto")
LECTURE10 = load("lecture10_cnn_basics", "models")
LECTURE11 = load("lecture11_advanced_cnn", "models")

# (name, model factory, input shape of one sample)
MODELS = [
    ("FullyConnectedNet", LECTURE09.FullyConnectedNet, (1, 28, 28)),
    ("OttoNet", OTTO.OttoNet, (93,)),
    ("BasicCNN", LECTURE10.BasicCNN, (1, 28, 28)),
    ("DeeperCNN", LECTURE10.DeeperCNN, (1, 28, 28)),
    ("InceptionNet", LECTURE11.InceptionNet, (1, 28, 28)),
    ("ResNet", LECTURE11.ResNet, (1, 28, 28)),
    ("PreActResNet", LECTURE11.PreActResNet, (1, 28, 28)),
    ("SmallDenseNet", LECTURE11.SmallDenseNet, (1, 28, 28)),
]
IDS = [name for name, _, _ in MODELS]
TOLERANCE = dict(rtol=1e-3, atol=1e-4)  # float32 on CPU vs cuDNN: different summation orders


@pytest.fixture
def exact_float32():
    """Compare in true float32: no TF32 shortcuts in cuDNN convolutions or matmuls."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def fixed_batch(shape, n=16, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn((n, *shape), generator=generator)
    y = torch.randint(0, 10, (n,), generator=generator)
    return x, y


def test_cuda_device_works(cuda_device):
    x = torch.ones(3, device=cuda_device)
    assert x.is_cuda and x.device.type == "cuda"
    assert (x * 2).sum().item() == 6.0


@pytest.mark.parametrize("name, factory, shape", MODELS, ids=IDS)
def test_forward_matches_cpu(cuda_device, exact_float32, name, factory, shape):
    torch.manual_seed(0)
    cpu_model = factory().eval()
    gpu_model = copy.deepcopy(cpu_model).to(cuda_device)
    assert all(p.is_cuda for p in gpu_model.parameters())
    assert all(b.is_cuda for b in gpu_model.buffers())
    assert all(not p.is_cuda for p in cpu_model.parameters())

    x, _ = fixed_batch(shape)
    with torch.no_grad():
        expected = cpu_model(x)
        x_gpu = x.to(cuda_device)
        assert x_gpu.is_cuda and not x.is_cuda  # .to() returns a copy, the original stays
        got = gpu_model(x_gpu)
    assert got.is_cuda and got.shape == expected.shape
    torch.testing.assert_close(got.cpu(), expected, **TOLERANCE)


@pytest.mark.parametrize("name, factory, shape", MODELS, ids=IDS)
def test_one_training_step_matches_cpu(cuda_device, exact_float32, name, factory, shape):
    torch.manual_seed(0)
    cpu_model = factory()  # train mode: BatchNorm uses batch statistics
    gpu_model = copy.deepcopy(cpu_model).to(cuda_device)
    criterion = nn.CrossEntropyLoss()
    x, y = fixed_batch(shape, n=32, seed=1)
    if name == "OttoNet":
        y = y % 9
    losses = []
    for model, device in ((cpu_model, torch.device("cpu")), (gpu_model, cuda_device)):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)  # the course's
        inputs, target = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), target)
        loss.backward()
        optimizer.step()
        assert loss.device.type == device.type
        losses.append(loss.item())
    assert losses[1] == pytest.approx(losses[0], rel=1e-3, abs=1e-4)
    for (key, p_cpu), p_gpu in zip(cpu_model.state_dict().items(), gpu_model.state_dict().values()):
        assert p_gpu.is_cuda, key
        if p_cpu.is_floating_point():
            torch.testing.assert_close(p_gpu.cpu(), p_cpu, rtol=1e-4, atol=1e-5, msg=key)
        else:
            assert torch.equal(p_gpu.cpu(), p_cpu), key


def test_default_settings_stay_close(cuda_device):
    """With PyTorch's default settings (TF32 allowed for cuDNN) the GPU still agrees loosely."""
    torch.manual_seed(0)
    cpu_model = LECTURE11.InceptionNet().eval()
    gpu_model = copy.deepcopy(cpu_model).to(cuda_device)
    x, _ = fixed_batch((1, 28, 28))
    with torch.no_grad():
        expected, got = cpu_model(x), gpu_model(x.to(cuda_device)).cpu()
    torch.testing.assert_close(got, expected, rtol=1e-2, atol=1e-2)
    assert torch.equal(got.argmax(dim=1), expected.argmax(dim=1))


def test_device_demo_snippet_runs_on_the_gpu(cuda_device, run_snippet):
    """The lecture 10 GPU snippet, run by the build engine, picks the GPU by itself."""
    result = run_snippet("snippets/lecture10_cnn_basics/device_demo.py")
    assert result.record["device"].startswith("cuda"), result.record
    # "cuda" is the current CUDA device, cuda:0 unless the program changed it
    assert "device: cuda | a tensor created on it is on cuda:0" in result.output
    assert "parameters on cuda:0" in result.output
    assert "scores on cuda:0" in result.output
