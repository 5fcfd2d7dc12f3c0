"""Jacobians of vector-output programs, in both modes, against a numeric Jacobian built here."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradtutor.autodiff.jacobian import jacobian
from gradtutor.autodiff.reverse import forward
from gradtutor.cli import main
from gradtutor.graph import build

# (program, input shapes): vector or matrix outputs built from many kinds of op
PROGRAMS = [
    ("tanh(W@x + b)", {"W": (3, 2), "x": (2,), "b": (3,)}),
    ("softmax(W@x)", {"W": (4, 3), "x": (3,)}),
    ("concat(x, y) * 2", {"x": (2,), "y": (3,)}),
    ("x[1:3] * sum(y)", {"x": (4,), "y": (2,)}),
    ("stack(dot(x, y), sum(x^2))", {"x": (3,), "y": (3,)}),
    ("inv(A + 4*eye(2)) @ x", {"A": (2, 2), "x": (2,)}),
    ("W.T @ sigmoid(W @ x)", {"W": (3, 2), "x": (2,)}),
    ("log_softmax(x) + leaky_relu(x)", {"x": (4,)}),
    ("outer(x, y)", {"x": (2,), "y": (3,)}),
    ("W[:, 0] * max(x)", {"W": (3, 2), "x": (3,)}),
]


def numeric_jacobian(graph, values, name, h=1e-6):
    """Central differences, one input entry at a time: column k is (f(x + h e_k) - f(x - h e_k)) / 2h."""
    base = np.asarray(forward(graph, values).value)
    x = values[name]
    out = np.zeros(base.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        f_up = np.asarray(forward(graph, {**values, name: up}).value)
        f_down = np.asarray(forward(graph, {**values, name: down}).value)
        out[(Ellipsis, *idx)] = (f_up - f_down) / (2 * h)
    return out


@pytest.mark.parametrize("program, shapes", PROGRAMS, ids=[p for p, _ in PROGRAMS])
def test_both_modes_agree_with_a_numeric_jacobian(program, shapes):
    rng = np.random.default_rng(len(program))
    values = {n: rng.standard_normal(s) for n, s in shapes.items()}
    graph = build(program)
    reverse = jacobian(graph, values, mode="reverse")
    forward_mode = jacobian(graph, values, mode="forward")
    m = int(np.size(reverse.value))
    n = sum(int(np.size(v)) for v in values.values())
    assert (reverse.sweeps, forward_mode.sweeps) == (m, n)
    for name in shapes:
        numeric = numeric_jacobian(graph, values, name)
        np.testing.assert_allclose(reverse.blocks[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)
        np.testing.assert_allclose(forward_mode.blocks[name], reverse.blocks[name], rtol=1e-12, atol=1e-14)
    assert reverse.full().shape == (m, n)


def test_the_lectures_jacobians_diag_w_and_identity():
    """h = relu(z), z = W@x + b: dh/dz = diag(relu'(z)), dz/dx = W, dz/db = I."""
    W = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 1.0]])
    x, b = np.array([0.4, 0.3]), np.array([0.1, -0.5, 0.2])
    graph = build("z = W@x + b; h = relu(z)")
    z = W @ x + b
    result = jacobian(graph, {"W": W, "x": x, "b": b}, mode="forward")
    np.testing.assert_array_equal(result.matrix("b"), np.diag((z > 0).astype(float)))
    np.testing.assert_allclose(result.matrix("x"), np.diag((z > 0).astype(float)) @ W)
    linear = jacobian(build("W@x + b"), {"W": W, "x": x, "b": b})
    np.testing.assert_array_equal(linear.matrix("x"), W)
    np.testing.assert_array_equal(linear.matrix("b"), np.eye(3))


def test_grad_prints_the_jacobian_for_a_vector_output(capsys):
    code = main(["grad", "x^2", "--at", "x=[1,2,3]", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["jacobian"]["x"] == [[2, 0, 0], [0, 4, 0], [0, 0, 6]]
    assert (data["mode"], data["sweeps"], data["output_shape"]) == ("reverse", 3, [3])
    code = main(["grad", "concat(x, x)", "--at", "x=[1,2]", "--mode", "forward"])
    shown = " ".join(capsys.readouterr().out.split())
    assert code == 0 and "forward mode: 2 sweeps" in shown and "reverse mode would need 4" in shown
    assert main(["grad", "x^2", "--at", "x=[1,2]", "--symbolic"]) == 2
    assert "need a scalar output" in capsys.readouterr().err


def test_solve_walks_a_vector_output_from_its_seed_gradient(capsys):
    """With --seed-grad the walk's answers are the vector-Jacobian product: seed times the numeric Jacobian."""
    from gradtutor.teach.walk import build_walk

    W, x = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 1.0]]), np.array([1.0, 0.5])
    seed = np.array([1.0, -1.0, 0.5])
    graph = build("z = W@x; h = tanh(z)")
    walk = build_walk(graph, {"W": W, "x": x}, seed=seed)
    numeric = numeric_jacobian(graph, {"W": W, "x": x}, "x")
    np.testing.assert_allclose(walk.gradient(graph.variables["x"]), seed @ numeric, rtol=1e-7)
    answers = {q.ask: q.answer for q in walk.questions}
    np.testing.assert_allclose(answers["dh/dz"], seed * (1 - np.tanh(W @ x) ** 2))
    args = ["solve", "z = W@x; h = tanh(z)", "--at", "W=[[1,2],[3,-4],[0.5,1]]", "--at", "x=[1,0.5]"]
    assert main([*args, "--seed-grad", "[1, -1, 0.5]", "--show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["questions"][-1]["ask"] == "dh/dx"
    assert main([*args, "--seed-grad", "[1, 2]", "--show"]) == 2
    assert "the output has shape (3,)" in capsys.readouterr().err
    assert main([*args, "--show"]) == 2
    assert "--seed-grad" in capsys.readouterr().err
