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

CASES = [  # (program, shapes): W on either side of a product with a vector
    ("sum((W@x)^2)", {"W": (37, 23), "x": (23,)}),
    ("sum(tanh(W@x)) + sum(x)", {"W": (37, 23), "x": (23,)}),
    ("sum(sigmoid(x@W))", {"W": (37, 23), "x": (37,)}),
    ("sum((x@W)^2)", {"W": (23, 37), "x": (23,)}),
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
    for index in (slice(0, 5), slice(20, 23), np.array([3, 1, 22])):  # each entry is one product: the same bits
        np.testing.assert_array_equal(made.rows(index), whole[index])
    np.testing.assert_array_equal(np.asarray(made), whole)
    for name, node in graph.variables.items():  # the other inputs still get theirs, whole
        if name != "W":
            np.testing.assert_array_equal(exact[node], backward(forward(graph, values))[node])


def test_a_matrix_used_twice_outside_a_product_or_with_a_matrix_is_made_whole(small_rows):
    """A matrix on the other side would round differently by blocks; a product larger than W
    would hold more than W's gradient does."""
    shapes = {"W": (6, 6), "x": (6,), "X": (6, 3), "v": (1,)}
    for program in ("sum(W@x) + sum(W)", "sum(W@W@x)", "sum(W*W)", "sum(W@X)", "sum(X.T@W)", "sum(v@U)"):
        graph = build(program.replace("U", "W"))
        if program.endswith("v@U)"):
            shapes["W"] = (1, 40)  # x @ W with one row: the product has as many entries as W
        evaluation = forward(graph, {n: np.ones(shapes[n]) for n in graph.variables})
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
        {"W": "outer(W, x)"},  # cannot be evaluated
    ],
)
@pytest.mark.parametrize("program", ["sum((W@x)^2)", "sum((x@W)^2)"])
def test_check_reports_are_the_same_with_and_without_rows(monkeypatch, claims, program):
    graph = build(program)
    shapes = {"W": (500, 500), "x": (500,)}
    if program.startswith("sum((x@W"):
        claims = {
            k: v.replace("outer(W@x, x)", "outer(x, x@W)").replace("outer(x, W@x)", "outer(x@W, x)")
            for k, v in claims.items()
        }
        claims.pop("x", None)
    monkeypatch.setattr(row_gradient, "ROWS_MIN", 1 << 40)
    whole = run_check(graph, claims, {}, shapes, points=3, seed=5).to_json()
    monkeypatch.setattr(row_gradient, "ROWS_MIN", 1)
    assert run_check(graph, claims, {}, shapes, points=3, seed=5).to_json() == whole


@pytest.mark.parametrize("claim", ["0*W", "outer(W, x)"])  # a finite claim, and one that cannot be evaluated
def test_an_overflow_in_a_block_is_reported_as_the_whole_sweep_reports_it(monkeypatch, claim):
    graph = build("sum((W@x) * 1e300)")
    fixed = {"W": np.full((8, 8), 1e-300), "x": np.full(8, 1e100)}  # d/dW = 1e300 * x: inf
    messages = []
    for limit in (1 << 40, 1):
        monkeypatch.setattr(row_gradient, "ROWS_MIN", limit)
        with pytest.raises(DomainError) as caught:
            run_check(graph, {"W": claim}, fixed, {})
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
