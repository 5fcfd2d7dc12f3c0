"""Symbolic gradients: the lectures' formulas, parse-back on random programs, and the Hessian."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import SHAPES, scalar_expressions, typed

import gradtutor
from gradtutor.autodiff.formula import compile_formula, evaluate, program_env
from gradtutor.autodiff.reverse import forward
from gradtutor.autodiff.symbolic import symbolic_gradients
from gradtutor.graph import build


def formulas(program, shapes=None):
    result = symbolic_gradients(build(program), shapes or {})
    return {f.name: f.body for f in result.formulas}


def test_squared_norm_formulas_are_the_lectures():
    got = formulas("sum((W@x)^2)", {"W": (2, 2), "x": (2,)})
    assert got == {"W": "2*outer(W@x, x)", "x": "2*W.T@(W@x)"}
    named = formulas("q = W@x\nf = sum(q^2)", {"W": (2, 2), "x": (2,)})
    assert named == {"W": "2*outer(q, x)", "x": "2*W.T@q"}  # the lectures' 2 q x^T and 2 W^T q


def test_sigmoid_neuron_formulas_use_the_output():
    got = formulas("s0 = w0*x0\ns1 = w1*x1\ns2 = s0 + s1\ns3 = s2 + w2\nL = sigmoid(s3)")
    assert got == {
        "w0": "(1 - L)*L*x0",
        "x0": "(1 - L)*L*w0",
        "w1": "(1 - L)*L*x1",
        "x1": "(1 - L)*L*w1",
        "w2": "(1 - L)*L",
    }


def test_small_examples_read_as_written_by_hand():
    assert formulas("q = x + y\nf = q * z") == {"x": "z", "y": "z", "z": "q"}
    assert formulas("3*x^2*y") == {"x": "6*y*x", "y": "3*x^2"}  # the lectures write [6yx, 3x^2]
    assert formulas("sin(x)*x")["x"] == "sin(x) + x*cos(x)"  # the product rule


def test_formulas_evaluate_to_the_exact_gradient_at_the_lecture_point():
    program = "(x + y) * max(y, z)"
    result = symbolic_gradients(build(program), {})
    graph = build(program)
    values = {"x": np.float64(1), "y": np.float64(2), "z": np.float64(0)}
    env = program_env(graph, forward(graph, values).values)
    got = {f.name: float(evaluate(compile_formula(f.text, graph.names), env)) for f in result.formulas}
    assert got == {"x": 2.0, "y": 5.0, "z": 0.0}


def _parses_back(program: str, values: dict) -> None:
    graph = build(program)
    values = {n: v for n, v in values.items() if n in graph.variables}
    shapes = {n: np.shape(v) for n, v in values.items()}
    exact = gradtutor.grad(graph, values).gradients
    result = symbolic_gradients(graph, shapes)
    env = program_env(graph, forward(graph, values).values)
    for f in result.formulas:
        value = evaluate(compile_formula(f.text, graph.names), env)
        np.testing.assert_allclose(
            np.broadcast_to(value, np.shape(exact[f.name])),
            exact[f.name],
            rtol=1e-9,
            atol=1e-10,
            err_msg=f"{program}: d/d{f.name} = {f.text}",
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=scalar_expressions(4), seed=st.integers(0, 2**32 - 1))
def test_symbolic_formulas_parse_back_and_match_reverse_mode_on_scalar_programs(program, seed):
    rng = np.random.default_rng(seed)
    _parses_back(program, {n: np.asarray(rng.uniform(-1.5, 1.5)) for n in "abcd"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.one_of(typed((), 4), typed((3, 4), 3).map(lambda e: f"sum({e})")), seed=st.integers(0, 2**32 - 1))
def test_symbolic_formulas_parse_back_and_match_reverse_mode_on_matrix_programs(program, seed):
    rng = np.random.default_rng(seed)
    _parses_back(program, {n: rng.uniform(-1, 1, size=s) * 0.8 for n, s in SHAPES.items()})


def test_broadcast_inputs_are_summed_back_to_their_shape():
    _parses_back(
        "sum(W @ X + b) + sum(c * X)",
        {
            "W": np.ones((2, 3)),
            "X": np.arange(12.0).reshape(3, 4) / 10,
            "b": np.array([[1.0], [2.0]]),
            "c": np.float64(0.5),
        },
    )
    got = formulas("sum(W @ X + b)", {"W": (2, 3), "X": (3, 4), "b": (2, 1)})
    assert got["b"] == "sum(ones(W@X), 1, keepdims=1)"


def test_repeated_subexpressions_are_named_and_still_parse_back():
    program = "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))"
    result = symbolic_gradients(build(program), {})
    assert [name for name, _ in result.shared] == ["u1", "u2"]
    assert all(f.text.startswith("u1 = ") for f in result.formulas)
    _parses_back(program, {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0})


def test_cli_symbolic_json_and_latex(run):
    data = json.loads(
        run(
            "grad", "sum((W@x)^2)", "--at", "W=[[0.1,0.5],[-0.3,0.8]]", "--at", "x=[0.2,0.4]", "--symbolic", "--json"
        ).stdout
    )
    assert data["symbolic"] == {"W": "2*outer(W@x, x)", "x": "2*W.T@(W@x)"}
    text = run("grad", "s = w*x + b; L = sigmoid(s)", "--at", "w=1", "--at", "x=2", "--at", "b=0", "--latex").stdout
    assert r"\frac{\partial L}{\partial w} = \left(1 - L\right) \cdot L \cdot x" in text


def test_hessian_by_differentiating_the_symbolic_gradient(run):
    x, y = 0.5, -1.0
    data = json.loads(
        run("grad", "x^2*y + exp(x*y)", "--at", f"x={x}", "--at", f"y={y}", "--order", "2", "--json").stdout
    )
    e = math.exp(x * y)
    expected = [[2 * y + y * y * e, 2 * x + e * (1 + x * y)], [2 * x + e * (1 + x * y), x * x * e]]
    np.testing.assert_allclose(data["hessian"]["matrix"], expected, rtol=1e-12)
    assert data["hessian"]["entries"] == ["x", "y"]
    assert data["hessian"]["max_rel_error_vs_numeric"] < 1e-6


def test_hessian_of_a_vector_program_is_the_matrix_of_second_derivatives(run):
    W = np.array([[0.1, 0.5], [-0.3, 0.8]])
    data = json.loads(
        run(
            "grad",
            "sum((W@x)^2)",
            "--at",
            f"W={json.dumps(W.tolist())}",
            "--at",
            "x=[0.2,0.4]",
            "--wrt",
            "x",
            "--order",
            "2",
            "--json",
        ).stdout
    )
    H = np.array(data["hessian"]["matrix"])
    labels = data["hessian"]["entries"]
    xs = [labels.index("x[0]"), labels.index("x[1]")]
    np.testing.assert_allclose(H[np.ix_(xs, xs)], 2 * W.T @ W, rtol=1e-12)  # d2f/dx2 = 2 W^T W
    assert H.shape == (6, 6) and np.allclose(H, H.T)
    table = run("grad", "x^2*y", "--at", "x=1", "--at", "y=2", "--order", "2").stdout
    assert "the Hessian" in table and "agrees with central" in table


@pytest.mark.parametrize("program", ["x^3", "sin(x)*exp(y)", "sum(tanh(W@x))"])
def test_hessian_check_agrees_with_differences_of_the_gradient(program):
    from gradtutor.autodiff.hessian_check import hessian_check

    rng = np.random.default_rng(0)
    graph = build(program)
    shapes = {"W": (2, 3), "x": (3,)} if "W" in program else {}
    values = {n: rng.uniform(-1, 1, size=shapes.get(n, ())) for n in graph.variables}
    assert hessian_check(graph, values).error < 1e-5


def _formulas(program: str, shapes: dict) -> dict[str, str]:
    return {f.name: f.body for f in symbolic_gradients(build(program), shapes).formulas}


@pytest.mark.parametrize(
    "program, shapes, name, textbook",
    [
        ("logsumexp(s) - s[2]", {"s": (3,)}, "s", "softmax(s) - onehot(2, 3)"),
        ("-log(softmax(s)[2])", {"s": (3,)}, "s", "softmax(s) - onehot(2, 3)"),
        ("reg*norm(W)^2", {"W": (2, 2)}, "W", "2*reg*W"),
        ("0.5*reg*sum(W*W)", {"W": (2, 2)}, "W", "reg*W"),
        ("norm(x)^2", {"x": (2,)}, "x", "2*x"),
        ("out = X@W + b; sum(out*dout)", {"X": (2, 2), "W": (2, 3), "b": (3,), "dout": (2, 3)}, "b", "sum(dout, 0)"),
        ("log(sigmoid(x))", {}, "x", "1 - sigmoid(x)"),
        ("e = 2*x - 3*x + x*4; e^2", {}, "x", "18*x"),  # like terms collect: e = 3*x
    ],
)
def test_textbook_forms(program, shapes, name, textbook):
    assert _formulas(program, shapes)[name] == textbook


def test_textbook_svm_and_outer_forms():
    svm = symbolic_gradients(build("s = W @ x; m = max(0, s - s[2] + 1); L = sum(m) - 1"), {"W": (4, 2), "x": (2,)})
    # the margin mask (a tie at 0 counts half, as in PyTorch), then the correct class minus their count
    assert svm.as_dict() == {
        "W": "u1 = step(s - s[2] + 1, 0.5)\nu2 = u1 - sum(u1)*onehot(2, 4)\nouter(u2, x)",
        "x": "u1 = step(s - s[2] + 1, 0.5)\nu2 = u1 - sum(u1)*onehot(2, 4)\nW.T@u2",
    }
    layer = symbolic_gradients(build("s = W@x; logsumexp(s) - s[2]"), {"W": (3, 2), "x": (2,)}).as_dict()
    assert layer["W"] == "u1 = softmax(s) - onehot(2, 3)\nouter(u1, x)"  # u1 is shared with x's W.T@u1


BATCH = {"X": (4, 3), "W": (3, 5), "b": (5,), "Y": (4, 5)}  # 4 examples, 3 features, 5 classes; Y one-hot rows


def test_textbook_batch_softmax():
    """CS231n's softmax classifier: dscores = (probs - Y)/N, dW = X.T @ dscores, db = dscores summed over rows."""
    got = symbolic_gradients(build("S = X @ W + b; L = mean(logsumexp(S) - sum(S*Y, 1))"), BATCH).as_dict()
    dscores = "u1 = (softmax(S) - Y)/4\n"
    assert got == {"X": dscores + "u1@W.T", "W": dscores + "X.T@u1", "b": dscores + "sum(u1, 0)", "Y": "-S/4"}
    # Through log_softmax the rows' totals of Y stay: they are 1 only when Y's rows are one-hot.
    for loss in ("-mean(sum(log_softmax(S) * Y, 1))", "-mean(sum(log(softmax(S)) * Y, 1))"):
        got = symbolic_gradients(build(f"S = X @ W + b; L = {loss}"), BATCH).as_dict()
        assert got["W"] == "u1 = (softmax(S)*sum(Y, 1, keepdims=1) - Y)/4\nX.T@u1"


def test_textbook_batch_svm():
    program = "S = X @ W; sy = sum(S * Y, 1, keepdims=1); M = max(0, S - sy + 1) * (1 - Y); L = sum(M) / 4"
    got = symbolic_gradients(build(program), BATCH).as_dict()
    # the wrong classes' margin mask, minus its count in each row at the correct class, over N
    mask = "u1 = (1 - Y)*step(S - sy + 1, 0.5)\nu2 = sum(u1, 1, keepdims=1)\nu3 = (u1 - u2*Y)/4\n"
    assert got["W"] == mask + "X.T@u3" and got["X"] == mask + "u3@W.T"


@pytest.mark.parametrize(
    "program, shapes, name, formula",
    [
        ("x/3 - y/3", {}, "x", "1/3"),
        ("sum((x/4 - y/4)*z)", {"x": (2,), "y": (2,), "z": (2,)}, "z", "(x - y)/4"),
        ("sum((-0.5*x + 0.5*y)*z)", {"x": (2,), "y": (2,), "z": (2,)}, "z", "(y - x)/2"),
        ("sum(max(x, y))", {"x": (3,), "y": (3,)}, "y", "step(y - x, 0.5)"),
        ("sum(min(x, y))", {"x": (3,), "y": (3,)}, "x", "step(y - x, 0.5)"),
        ("sum((W.T/2).T*V)", {"W": (2, 3), "V": (2, 3)}, "V", "W/2"),
    ],
)
def test_tidy_forms_of_the_textbook_rows(program, shapes, name, formula):
    assert _formulas(program, shapes)[name] == formula


# At the origin and at kinks the simplifier's cancellations (norm(x)*x/norm(x) -> x) must still agree
# with the engine's conventions there (the slope of norm at 0 is 0, ties split).
@pytest.mark.parametrize(
    "program, values",
    [
        ("norm(x)^2", {"x": np.zeros(3)}),
        ("reg*norm(W)^2 + sum(W)", {"W": np.zeros((2, 2)), "reg": np.float64(0.3)}),
        ("0.5*reg*sum(W*W)", {"W": np.zeros((2, 2)), "reg": np.float64(0.0)}),
        ("sum(max(x, y)*x) + sum(relu(x))", {"x": np.array([0.0, 1.0, -1.0]), "y": np.array([0.0, 1.0, 2.0])}),
        ("s = W@x; m = max(0, s - s[1] + 1); sum(m)", {"W": np.array([[1.0, 0.0], [0.0, 0.0]]), "x": np.ones(2)}),
        ("logsumexp(s) - s[2] + sum(abs(s))", {"s": np.zeros(3)}),
        ("log(sigmoid(x)) + log(softmax(s)[1])", {"x": np.float64(0.0), "s": np.zeros(3)}),
        # the textbook SVM with a margin exactly 0 (class 0): step(m, 0.5) keeps max's even split there
        (
            "s = W @ x; m = max(0, s - s[2] + 1); L = sum(m) - 1",
            {"W": np.array([[0, 1], [2, 0], [1, 0], [0.5, 0]]), "x": np.array([1.0, 0])},
        ),
        (
            "sum(max(x, y)*x) + sum(min(x, y)*y) - sum(max(0, x - y))",
            {"x": np.array([0.0, 1.0, -1.0]), "y": np.array([0.0, 1.0, 2.0])},
        ),
        ("S = X @ W + b; L = mean(logsumexp(S) - sum(S*Y, 1))", {n: np.zeros(s) for n, s in BATCH.items()}),
        (
            "S = X @ W + b; L = -mean(sum(log_softmax(S) * Y, 1))",
            {"X": np.ones((4, 3)), "W": np.zeros((3, 5)), "b": np.zeros(5), "Y": np.arange(20.0).reshape(4, 5) / 7},
        ),
        (
            "S = X @ W; sy = sum(S * Y, 1, keepdims=1); M = max(0, S - sy + 1) * (1 - Y); L = sum(M) / 3",
            {"X": np.eye(3), "W": np.array([[0.0, 1, -1], [1, 0, 2], [0, 0, 0]]), "Y": np.eye(3)},
        ),
        (
            "x/3 - y/3 + sum(z/4 - w/4)",
            {"x": np.float64(0.7), "y": np.float64(-0.2), "z": np.zeros(2), "w": np.ones(2)},
        ),
    ],
)
def test_simplified_formulas_keep_their_value_at_the_origin_and_at_kinks(program, values):
    _parses_back(program, values)
