"""Shared fixtures: a private GRADTUTOR_HOME, a CLI runner, and the lectures' worked examples."""

from __future__ import annotations

import os
import sys
import tempfile

import numpy as np
import pytest

# One private home for the whole session, set before gradtutor is imported, so the
# cached parser and any progress database never touch the user's real folders.
os.environ.setdefault("GRADTUTOR_HOME", tempfile.mkdtemp(prefix="gradtutor-tests-"))
os.environ.setdefault("NO_COLOR", "1")

from click.testing import CliRunner  # noqa: E402

from gradtutor.cli import cli  # noqa: E402

GRADTUTOR = [sys.executable, "-m", "gradtutor"]
# The lectures' sigmoid neuron: its values as --at options
NEURON_AT = ["--at", "w0=2", "--at", "x0=-1", "--at", "w1=-3", "--at", "x1=-2", "--at", "w2=-3"]


class Runner(CliRunner):
    """Invoke the real CLI in-process; exceptions are not swallowed."""

    def __call__(self, *args: str, input: str | None = None):
        return self.invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def run():
    return Runner()


@pytest.fixture(autouse=True)
def _budget_restored():
    """A command's --max-elements stays set in the process after an in-process run: each test
    starts from the budget it found, so no test's limit leaks into the next."""
    from gradtutor import budget

    limit = budget.limit()
    yield
    budget.set_limit(limit)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh GRADTUTOR_HOME for tests that write progress."""
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    return tmp_path


def numeric_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences written out independently of gradtutor's own numeric module."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        g[idx] = (f(up) - f(down)) / (2 * h)
    return g
