"""A large matrix's exact gradient made by rows: the same numbers as the whole sweep, the same
`check` reports, and a peak of two W-sized arrays where the whole gradient made three."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from gradtutor.autodiff import row_gradient
from gradtutor.autodiff.blocks import TILE
from gradtutor.autodiff.check import run_check
from gradtutor.autodiff.reverse import backward, forward
from gradtutor.autodiff.row_gradient import RowGradient, by_rows, exact_gradients
from gradtutor.errors import DomainError
from gradtutor.graph import build

CASES = [  # (program, shapes): W on either side of @, the other side a vector or a matrix
    ("sum((W@x)^2)", {"W": (37, 23), "x": (23,)}),
    ("sum(tanh(W@X))", {"W": (37, 23), "X": (23, 5)}),
    ("sum(sigmoid(x@W))", {"W": (37, 23), "x": (37,)}),
    ("sum((X@W)^2) + sum(X)", {"W": (37, 23), "X": (4, 37)}),
]


@pytest.fixture
def small_rows(monkeypatch):
    monkeypatch.setattr(row_gradient, "ROWS_MIN", 1)


@pytest.mark.parametrize("program, shapes", CASES)
def test_rows_are_the_rows_of_the_whole_gradient(small_rows, program, shapes):
    graph = build(program)
    rng = np.random.default_rng(0)
    values = {n: rng.standard_normal(s) for n, s in shapes.items()}
    whole = backward(forward(graph, values))[graph.variables["W"]]
    evaluation = forward(graph, values)
    targets = list(graph.variables.values())
    exact = exact_gradients(evaluation, targets, by_rows(evaluation, [graph.variables["W"]]))
    made = exact[graph.variables["W"]]
    assert isinstance(made, RowGradient) and made.shape == whole.shape
    for index in (slice(0, 5), slice(30, 37), np.array([3, 1, 36])):
        np.testing.assert_allclose(made.rows(index), whole[index], rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(np.asarray(made), whole)
    for name, node in graph.variables.items():  # the other inputs still get theirs, whole
        if name != "W":
            np.testing.assert_array_equal(exact[node], backward(forward(graph, values))[node])


def test_a_matrix_used_twice_or_outside_a_product_is_made_whole(small_rows):
    for program in ("sum(W@x) + sum(W)", "sum(W@W@x)", "sum(W*W)"):
        graph = build(program)
        W = np.ones((6, 6))
        evaluation = forward(graph, {"W": W, "x": np.ones(6)} if "x" in graph.variables else {"W": W})
        rows = by_rows(evaluation, [graph.variables["W"]])
        assert rows == {}, program
        exact = exact_gradients(evaluation, [graph.variables["W"]], rows)
        assert isinstance(exact[graph.variables["W"]], np.ndarray), program


@pytest.mark.parametrize(
    "claims",
    [
        {"W": "2*outer(W@x, x)", "x": "2*W.T@(W@x)"},
        {"W": "2*outer(x, W@x)"},  # transposed
        {"W": "3*outer(W@x, x)"},  # a factor: the chain-rule search makes it whole
        {"W": "-2*outer(W@x, x)"},
        {"W": "0*W"},
        {"W": "W"},  # nothing the samples explain
    ],
)
def test_check_reports_are_the_same_with_and_without_rows(monkeypatch, claims):
    graph = build("sum((W@x)^2)")
    shapes = {"W": (500, 500), "x": (500,)}
    monkeypatch.setattr(row_gradient, "ROWS_MIN", 1 << 40)
    whole = run_check(graph, claims, {}, shapes, points=3, seed=5).to_json()
    monkeypatch.setattr(row_gradient, "ROWS_MIN", 1)
    assert run_check(graph, claims, {}, shapes, points=3, seed=5).to_json() == whole


def test_an_overflow_in_a_block_is_reported_as_the_whole_sweep_reports_it(monkeypatch):
    graph = build("sum((W@x) * 1e300)")
    fixed = {"W": np.full((8, 8), 1e-300), "x": np.full(8, 1e100)}  # d/dW = 1e300 * x: inf
    messages = []
    for limit in (1 << 40, 1):
        monkeypatch.setattr(row_gradient, "ROWS_MIN", limit)
        with pytest.raises(DomainError) as caught:
            run_check(graph, {"W": "0*W"}, fixed, {})  # a finite claim
        messages.append(caught.value.message)
    assert messages[0] == messages[1]


def test_a_large_check_peaks_at_two_arrays_of_the_input_size():
    """W and the claim; the exact gradient comes by rows, and the probes' perturbed copy of W is
    made once the claim is let go (the whole exact gradient made this 3.2 x W)."""
    n = 1100  # 9.7 MB, over ROWS_MIN
    graph = build("sum((W@x)^2)")
    shapes = {"W": (n, n), "x": (n,)}
    size = n * n * 8
    right = {"W": "2*outer(W@x, x)", "x": "2*W.T@(W@x)"}  # (2*W.T) @ ...: a W-sized temporary
    for claims, verdict in ((right, True), ({"W": "2*outer(x, W@x)"}, False)):
        tracemalloc.start()
        try:
            report = run_check(graph, claims, {}, shapes, points=3, seed=1)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert report.passed is verdict
        # a transpose is compared a band of TILE rows at a time: those bands and their tiles on top
        assert peak < 2 * size + 3 * TILE * n * 8, f"{claims}: peak {peak / size:.2f} x W"
