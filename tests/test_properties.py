"""Property: on random programs, reverse mode equals central differences.

Hypothesis writes random programs as text, typed so that shapes always fit
(matrix products, transposes, broadcasting against scalars), then compares
gradtutor's gradients with central differences computed by the test itself.
Only smooth operations are used here; the kinked ones (relu, abs, max, min)
are covered entry by entry in test_ops.py.
"""

from __future__ import annotations

import numpy as np
from conftest import numeric_gradient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradtutor
from gradtutor.autodiff.reverse import forward
from gradtutor.graph import build

SMOOTH_UNARY = [
    "sin({})",
    "cos({})",
    "tanh({})",
    "sigmoid({})",
    "exp(tanh({}))",
    "log(1 + ({})^2)",
    "sqrt(1 + ({})^2)",
    "-({})",
    "({})^2",
    "({})^3",
]
SCALAR_NAMES = ["a", "b", "c", "d"]


def scalar_expressions(depth: int):
    leaf = st.one_of(st.sampled_from(SCALAR_NAMES), st.sampled_from(["2", "0.5", "3"]))
    if depth == 0:
        return leaf
    sub = scalar_expressions(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(SMOOTH_UNARY), sub).map(lambda t: t[0].format(t[1])),
        st.tuples(sub, st.sampled_from(["+", "-", "*"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} / (1 + ({t[1]})^2))"),
    )


SHAPES = {"W": (3, 4), "V": (4, 2), "U": (3, 2), "x": (4,), "y": (3,), "z": (2,), "b": (3, 1), "s": ()}
MATRIX_UNARY = ["tanh({})", "sigmoid({})", "sin({})", "({})^2", "exp(tanh({}))"]


@st.composite
def typed(draw, shape, depth):
    """An expression of the given shape."""
    options = ["leaf"]
    if depth > 0:
        options += ["unary", "binary", "scale"]
        if shape == ():
            options += ["reduce", "dot"]
        if len(shape) == 2:
            options += ["matmul", "transpose"]
        if len(shape) == 1:
            options += ["matvec"]
    kind = draw(st.sampled_from(options))
    if kind == "leaf":
        names = [n for n, s in SHAPES.items() if s == shape]
        if names:
            return draw(st.sampled_from(names))
        if depth == 0:  # no variable has this shape: a constant matrix literal stands in
            return _literal(shape)
        kind = "unary"
    if kind == "unary":
        return draw(st.sampled_from(MATRIX_UNARY)).format(draw(typed(shape, depth - 1)))
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*"]))
        return f"({draw(typed(shape, depth - 1))} {op} {draw(typed(shape, depth - 1))})"
    if kind == "scale":
        return f"({draw(typed((), depth - 1))} * {draw(typed(shape, depth - 1))})"
    if kind == "reduce":
        inner = draw(st.sampled_from([(3, 4), (4,), (3,), (4, 2)]))
        return f"{draw(st.sampled_from(['sum', 'mean']))}({draw(typed(inner, depth - 1))})"
    if kind == "dot":
        k = draw(st.sampled_from([2, 3, 4]))
        return f"({draw(typed((k,), depth - 1))} @ {draw(typed((k,), depth - 1))})"
    if kind == "matmul":
        k = draw(st.sampled_from([2, 3, 4]))
        return f"({draw(typed((shape[0], k), depth - 1))} @ {draw(typed((k, shape[1]), depth - 1))})"
    if kind == "transpose":
        return f"({draw(typed((shape[1], shape[0]), depth - 1))}).T"
    k = draw(st.sampled_from([2, 3, 4]))
    return f"({draw(typed((shape[0], k), depth - 1))} @ {draw(typed((k,), depth - 1))})"


def _literal(shape) -> str:
    values = np.linspace(-0.9, 0.9, int(np.prod(shape))).reshape(shape)
    return np.array2string(values, separator=", ", precision=3, floatmode="fixed").replace("\n", "")


def _check(program: str, values: dict[str, np.ndarray]) -> None:
    graph = build(program)
    values = {n: v for n, v in values.items() if n in graph.variables}
    result = gradtutor.grad(graph, values)
    for name, value in values.items():

        def f(v, name=name):
            moved = dict(values)
            moved[name] = v
            return float(forward(graph, moved).value)

        expected = numeric_gradient(f, value)
        np.testing.assert_allclose(
            result.gradients[name], expected, rtol=1e-5, atol=1e-6, err_msg=f"{program}: d/d{name}"
        )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=scalar_expressions(4), seed=st.integers(0, 2**32 - 1))
def test_reverse_mode_matches_central_differences_on_scalar_programs(program, seed):
    rng = np.random.default_rng(seed)
    _check(program, {n: np.asarray(rng.uniform(-1.5, 1.5)) for n in SCALAR_NAMES})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    program=st.one_of(
        typed((), 4), typed((3, 4), 3).map(lambda e: f"sum({e})"), typed((3,), 3).map(lambda e: f"sum({e})")
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_reverse_mode_matches_central_differences_on_matrix_programs(program, seed):
    rng = np.random.default_rng(seed)
    values = {n: rng.uniform(-1, 1, size=s) * 0.8 for n, s in SHAPES.items()}
    _check(program, values)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5))
def test_shared_subexpressions_add_at_branches(seed, n):
    # q is used n times; its gradient must be the sum over the n uses
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(-1, 1))
    program = "q = sin(x)\n" + "f = " + " + ".join(f"{k + 1} * q" for k in range(n))
    result = gradtutor.grad(program, {"x": x})
    assert np.isclose(result.gradients["x"], sum(range(1, n + 1)) * np.cos(x))
