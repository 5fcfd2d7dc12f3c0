"""Forward mode: agrees with reverse mode, counts its sweeps, and the tangent-table walk."""

from __future__ import annotations

import json
import math

import numpy as np
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
