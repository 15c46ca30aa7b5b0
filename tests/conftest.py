"""Shared fixtures: snippets run through the build engine, so tests and the
site share one execution (``.cache/snippets``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import executor  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "cuda: checks that need a GPU; skipped without one, failing instead when REQUIRE_CUDA=1",
    )


@pytest.fixture(scope="session")
def run_snippet():
    """``run_snippet("snippets/...py")`` -> :class:`engine.executor.Result` (cached)."""
    return executor.run


@pytest.fixture(scope="session")
def cuda_device():
    """The CUDA device, or skip (fail under REQUIRE_CUDA=1) when there is none."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    if os.environ.get("REQUIRE_CUDA") == "1":
        pytest.fail("REQUIRE_CUDA=1 but torch.cuda.is_available() is False: no GPU was found")
    pytest.skip("no GPU here (set REQUIRE_CUDA=1 to make this a failure)")
