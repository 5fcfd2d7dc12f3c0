"""Forward mode: agrees with reverse mode, counts its sweeps, and the tangent-table walk."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import SHAPES, scalar_expressions, typed

import gradtutor
from gradtutor.autodiff.forward import forward_gradients
from gradtutor.graph import build
from gradtutor.teach.tangent_walk import build_tangent_walk


def _agree(program: str, values: dict) -> None:
    graph = build(program)
    values = {n: np.asarray(v, dtype=float) for n, v in values.items() if n in graph.variables}
    value, gradients, sweeps = forward_gradients(graph, values)
    reverse = gradtutor.grad(graph, values)
    assert np.isclose(value, reverse.value)
    assert sweeps == sum(int(np.size(v)) for v in values.values())
    for name in values:
        np.testing.assert_allclose(gradients[name], reverse.gradients[name], rtol=1e-10, atol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=scalar_expressions(4), seed=st.integers(0, 2**32 - 1))
def test_forward_and_reverse_agree_on_random_scalar_programs(program, seed):
    rng = np.random.default_rng(seed)
    _agree(program, {n: rng.uniform(-1.5, 1.5) for n in "abcd"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.one_of(typed((), 3), typed((3,), 3).map(lambda e: f"sum({e})")), seed=st.integers(0, 2**32 - 1))
def test_forward_and_reverse_agree_on_random_matrix_programs(program, seed):
    rng = np.random.default_rng(seed)
    _agree(program, {n: rng.uniform(-1, 1, size=s) * 0.8 for n, s in SHAPES.items()})


def test_both_modes_report_their_sweeps(run):
    args = ["sum((W@x)^2)", "--at", "W=[[0.1,0.5],[-0.3,0.8]]", "--at", "x=[0.2,0.4]"]
    forward = json.loads(run("grad", *args, "--mode", "forward", "--json").stdout)
    reverse = json.loads(run("grad", *args, "--mode", "reverse", "--json").stdout)
    assert forward["sweeps"] == 6 and reverse["sweeps"] == 1
    np.testing.assert_allclose(forward["gradients"]["W"], reverse["gradients"]["W"])
    table = run("grad", *args, "--mode", "forward").stdout
    assert "forward mode: 6 sweeps, one per input entry" in table


def test_the_lectures_tangent_table():
    walk = build_tangent_walk(
        build("w3 = x1 * x2\nw4 = sin(x1)\nw5 = w3 + w4"), {"x1": np.float64(1.0), "x2": np.float64(2.0)}, "x1"
    )
    rules = {q.ask: q.rule for q in walk.questions}
    assert rules == {"dw3/dx1": "x2*dx1 + x1*dx2", "dw4/dx1": "cos(x1)*dx1", "dw5/dx1": "dw3 + dw4"}
    answers = {q.ask: q.answer for q in walk.questions}
    assert answers["dw3/dx1"] == 2.0  # w2 * 1 + w1 * 0
    assert answers["dw4/dx1"] == math.cos(1.0)
    assert answers["dw5/dx1"] == 2.0 + math.cos(1.0)  # = dz/dx1 = x2 + cos(x1)


def test_forward_walk_grades_and_diagnoses(run):
    shown = json.loads(run("solve", "--mode", "forward", "--show", "--json").stdout)
    assert [q["ask"] for q in shown["questions"]] == ["dw3/dx1", "dw4/dx1", "dw5/dx1"]
    assert shown["mode"] == "forward" and shown["wrt"] == "x1"
    result = json.loads(run("solve", "--mode", "forward", "--json", input="0\nx2\ncos(x1)*dx1\ndw3 + dw4\n").stdout)
    by_ask = {q["ask"]: q for q in result["questions"]}
    assert by_ask["dw3/dx1"]["mistakes"] == ["missed-term"] and by_ask["dw3/dx1"]["correct"]
    assert result["score"] == 2.5
    wrt_x2 = json.loads(run("solve", "--mode", "forward", "--wrt", "x2", "--show", "--json").stdout)
    assert [q["answer"] for q in wrt_x2["questions"]] == [1.0, 0.0, 1.0]  # dz/dx2 = x1


def test_a_tangent_cannot_be_answered_with_its_own_name(run):
    result = json.loads(run("solve", "--mode", "forward", "--json", input="dw3\n").stdout)
    assert result["questions"][0]["attempts"] == 0  # 'dw3' is not a name the answer may use yet


def test_forward_walk_prints_the_table_and_the_sweeps(run):
    out = run("solve", "--mode", "forward", "--show").stdout
    assert "dw3 = x2*dx1 + x1*dx2" in out and "dw4 = cos(x1)*dx1" in out
    assert "1 more sweep" in out
    bad = run("solve", "sum(x)", "--at", "x=[1, 2]", "--mode", "forward")
    assert bad.exit_code == 2 and "not a scalar" in bad.stderr


# Every broadcasting pattern of a binary op: scalar with array either side, a row or a column
# stretched, a vector against a matrix. Leaves may be constants, whose tangent is always zero,
# and an input that is not being swept has a zero tangent too: the case that once kept a
# scalar's tangent a scalar.
BROADCAST_VARS = {"s": (), "t": (), "v": (3,), "M": (2, 3), "r": (1, 3), "c": (2, 1)}
BROADCAST_CONSTS = {(): "2", (3,): "[0.5, -1, 2]", (2, 3): "[[1, 0, -1], [2, 1, 0.5]]", (1, 3): "[[1, -2, 0.5]]"}
PAIRS = {
    (): [((), ())],
    (3,): [((), (3,)), ((3,), ()), ((3,), (3,))],
    (2, 3): [
        ((), (2, 3)),
        ((2, 3), ()),
        ((1, 3), (2, 3)),
        ((2, 3), (1, 3)),
        ((2, 1), (2, 3)),
        ((2, 3), (2, 1)),
        ((3,), (2, 3)),
        ((2, 3), (3,)),
        ((2, 1), (1, 3)),
        ((2, 1), (3,)),
    ],
    (1, 3): [((), (1, 3)), ((1, 3), ())],
    (2, 1): [((), (2, 1)), ((2, 1), ())],
}
BINARY = ["({a} + {b})", "({a} - {b})", "({a} * {b})", "({a} / (2 + ({b})^2))", "(1 + ({a})^2)^tanh({b})"]
BINARY += ["max({a}, {b})", "min({a}, {b})"]


@st.composite
def broadcasting(draw, shape, depth):
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        names = [n for n, s in BROADCAST_VARS.items() if s == shape]
        choices = names + ([BROADCAST_CONSTS[shape]] if shape in BROADCAST_CONSTS else [])
        if choices:
            return draw(st.sampled_from(choices))
    if draw(st.integers(0, 5)) == 0:
        return f"tanh({draw(broadcasting(shape, depth - 1))})"
    left, right = draw(st.sampled_from(PAIRS[shape]))
    template = draw(st.sampled_from(BINARY))
    return template.format(a=draw(broadcasting(left, depth - 1)), b=draw(broadcasting(right, depth - 1)))


@st.composite
def broadcasting_programs(draw):
    """A scalar program whose body broadcasts; the result reaches sum, @, indexing or logsumexp."""
    shape = draw(st.sampled_from([(2, 3), (3,), (2, 1), (1, 3)]))
    body = draw(broadcasting(shape, 3))
    if shape == (2, 3):
        return draw(
            st.sampled_from(["sum({})", "sum(({}) @ [1, 2, 3])", "({})[1, 2]", "mean(({}).T @ [1, -1])"])
        ).format(body)
    if shape == (3,):
        return draw(st.sampled_from(["sum({})", "({}) @ [1, 2, 3]", "({})[0] * s", "logsumexp({})"])).format(body)
    return f"sum({body})"


def _broadcast_agree(program: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    _agree(program, {n: rng.uniform(0.3, 1.2, size=s) * rng.choice([-1, 1], size=s) for n, s in BROADCAST_VARS.items()})


def test_the_reported_scalar_broadcasts():
    _agree("sum(v + s)", {"v": [1.0, 2.0, 3.0], "s": 1.0})  # d/ds = 3, not 1
    _agree("sum(s - M@M.T)", {"M": np.arange(6.0).reshape(2, 3) / 5, "s": 1.0})
    _agree("mean((v + s) @ M.T)", {"v": [1.0, 2.0, 3.0], "s": 1.0, "M": np.ones((2, 3))})
    _agree("S = X @ W + b; logsumexp(S[0]) - S[0, 0]", {"X": np.eye(2), "W": np.ones((2, 3)), "b": 0.5})
    assert forward_gradients(build("sum(v + s)"), {"v": np.ones(3), "s": np.float64(1)})[1]["s"] == 3.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=broadcasting_programs(), seed=st.integers(0, 2**32 - 1))
def test_forward_equals_reverse_under_every_broadcast(program, seed):
    _broadcast_agree(program, seed)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=broadcasting_programs(), seed=st.integers(0, 2**32 - 1))
def test_forward_equals_reverse_on_500_broadcasting_programs(program, seed):
    _broadcast_agree(program, seed)
