"""Every entry of the op table, checked three ways on a catalogue of shapes.

For each op: its numeric vector-Jacobian product against central differences
of <g, f(x)>, and its backward rule written as a gradtutor formula against the
numeric one. The catalogue includes broadcasting shapes such as (2, 3) with (1, 3).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradtutor.autodiff.formula import compile_formula, evaluate
from gradtutor.autodiff.reads import reads
from gradtutor.autodiff.reverse import unbroadcast, vjp
from gradtutor.ops import TABLE, ShapeMismatch, broadcast

ELEMENTWISE_BINARY = [((), ()), ((3,), (3,)), ((2, 3), (1, 3)), ((2, 3), ()), ((4,), (2, 1))]
UNARY = [(), (3,), (2, 3)]

# op name -> list of (input shapes, params)
CATALOGUE: dict[str, list[tuple[tuple, tuple]]] = {
    **{
        name: [(shapes, ()) for shapes in ELEMENTWISE_BINARY]
        for name in ("add", "sub", "mul", "div", "pow", "max", "min", "heaviside")
    },
    **{
        name: [((shape,), ()) for shape in UNARY]
        for name in (
            "neg",
            "exp",
            "log",
            "sqrt",
            "sin",
            "cos",
            "tan",
            "tanh",
            "sigmoid",
            "softplus",
            "relu",
            "leaky_relu",
            "abs",
            "step",
            "sign",
            "sum",
            "mean",
            "norm",
            "ones",
            "max_all",
            "min_all",
        )
    },
    **{name: [(((3, 3),), ())] for name in ("trace", "det", "inv", "logdet")},
    "eye": [((), (3,))],
    "diag": [(((3,),), ())],
    "concat": [(((3,), (2,)), (0,)), (((2, 3), (1, 3)), (0,)), (((2, 3), (2, 2)), (1,)), (((2, 1), (2, 2)), (-1,))],
    "stack": [(((), ()), ()), (((3,), (3,)), ())],
    "slice": [
        (((4,),), ("1:3",)),
        (((4,),), (":-1",)),
        (((2, 3),), (":", 0)),
        (((2, 3),), (1, "1:")),
        (((3, 3),), ("1:", ":2")),
        (((3, 2),), ("0:2",)),
    ],
    "matmul": [(((3,), (3,)), ()), (((2, 3), (3,)), ()), (((3,), (3, 2)), ()), (((2, 3), (3, 4)), ())],
    "dot": [(((3,), (3,)), ())],
    "outer": [(((3,), (2,)), ())],
    "softmax": [(((4,),), ()), (((2, 3),), ())],
    "log_softmax": [(((4,),), ()), (((2, 3),), ())],
    "logsumexp": [(((4,),), ()), (((2, 3),), ())],
    "transpose": [(((3,),), ()), (((2, 3),), ())],
    "subscript": [(((4,),), (1,)), (((2, 3),), (1, 2)), (((2, 3),), (-1,)), (((3,),), (-1,))],
    "onehot": [((), (1, 3))],
    "sum_axis": [
        (((2, 3),), (0, 0)),
        (((2, 3),), (1, 0)),
        (((3,),), (0, 0)),
        (((2, 3),), (1, 1)),
        (((2, 3),), (0, 1)),
        (((2, 3),), (-1, 0)),
    ],
}
CATALOGUE["take"] = [(((4,), ()), ()), (((2, 3), ()), ())]  # s[y], W[i]: the index is an input
CATALOGUE["onehot_at"] = [(((),), (3,))]  # onehot(y, 3)
INDEX_INPUT = {"take": 1, "onehot_at": 0}  # which input is an index: it holds a whole number
POSITIVE = {"log", "sqrt", "pow", "div"}  # keep inputs inside the domain
KINKED = {"relu", "leaky_relu", "abs", "step", "heaviside", "sign", "max", "min", "max_all", "min_all"}
SQUARE = {"trace", "det", "inv", "logdet"}  # well-conditioned, with a positive determinant


def test_catalogue_covers_every_operation():
    assert set(CATALOGUE) == {name for name, op in TABLE.items() if op.form != "leaf"}


def test_every_operation_says_how_gradients_flow_and_how_it_prints():
    for op in TABLE.values():
        assert op.pattern and op.rule, op.name
        if op.form != "leaf":
            assert op.latex, op.name
        if op.elementwise:
            assert len(op.local) == len(op.local_text) == op.arity, op.name


def _inputs(name, shapes, rng):
    ins = []
    for k, shape in enumerate(shapes):
        x = rng.standard_normal(shape)
        if name in POSITIVE:
            x = np.abs(x) + 0.5
        if name in ("tan",):
            x = np.clip(x, -1, 1)
        if name in KINKED:
            x = x + np.sign(x) * 0.5 + (0.25 * k)  # away from 0 and away from ties
        if INDEX_INPUT.get(name) == k:
            x = np.float64(1.0)
        if name in SQUARE:
            x = x @ x.T + 3 * np.eye(len(x))
        ins.append(np.asarray(x, dtype=float))
    return ins


def _evaluated(name, shapes, params, seed):
    """The op, inputs inside its domain, its output, and the generator for further draws."""
    op = TABLE[name]
    rng = np.random.default_rng(seed)
    ins = _inputs(name, shapes, rng)
    return op, ins, np.asarray(op.forward(*ins, *params), dtype=float), rng


def _cases():
    for name, entries in CATALOGUE.items():
        for shapes, params in entries:
            yield pytest.param(name, shapes, params, id=f"{name}-{shapes}-{params}")


@pytest.mark.parametrize("name, shapes, params", list(_cases()))
def test_vjp_matches_central_differences(name, shapes, params):
    op, ins, out, rng = _evaluated(name, shapes, params, seed=0)
    assert out.shape == op.shape(*shapes, *params)
    if op.arity == 0:
        return
    g = rng.standard_normal(out.shape)
    parts = vjp(op, g, out, ins, [True] * op.arity, params)
    h = 1e-6
    for k, part in enumerate(parts):
        numeric_zero = part is None
        part = np.zeros(shapes[k]) if part is None else unbroadcast(np.asarray(part, dtype=float), shapes[k])
        assert np.shape(part) == shapes[k]
        u = rng.standard_normal(shapes[k])

        def f(t):
            moved = list(ins)
            moved[k] = ins[k] + t * u
            return float(np.sum(g * op.forward(*moved, *params)))

        numeric = (f(h) - f(-h)) / (2 * h)
        assert np.vdot(part, u) == pytest.approx(numeric, rel=1e-5, abs=1e-7), (name, k, numeric_zero)


@pytest.mark.parametrize("name, shapes, params", list(_cases()))
def test_formula_rule_matches_numeric_rule(name, shapes, params):
    op, ins, out, rng = _evaluated(name, shapes, params, seed=1)
    if op.arity == 0:
        return
    g = rng.standard_normal(out.shape)
    parts = vjp(op, g, out, ins, [True] * op.arity, params)
    env = {"a": ins[0], "out": out, "grad": g}
    if op.arity == 2:
        env["b"] = ins[1]
    for k, text in enumerate(op.backward_text(shapes, params)):
        value = evaluate(compile_formula(text, env), env)
        expected = np.zeros(shapes[k]) if parts[k] is None else unbroadcast(parts[k], shapes[k])
        got = unbroadcast(
            np.broadcast_to(value, np.broadcast_shapes(np.shape(value), np.shape(expected)))
            if np.ndim(value) < len(shapes[k])
            else value,
            shapes[k],
        )
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, err_msg=f"{name} input {k}: {text}")


@pytest.mark.parametrize("name, shapes, params", list(_cases()))
def test_a_backward_rule_reads_only_what_the_table_says_it_reads(name, shapes, params):
    """grad drops during the forward pass what no backward rule reads (autodiff/reads.py): handed
    nan for every value it is said not to read, the numeric rule gives the same bits, for each
    choice of the inputs whose gradients are wanted."""
    op, ins, out, rng = _evaluated(name, shapes, params, seed=4)
    if op.arity == 0:
        return
    g = rng.standard_normal(out.shape)
    said = reads(op, tuple(shapes), params)
    blind_ins = [x if read else np.full(np.shape(x), np.nan) for x, read in zip(ins, said)]
    blind_out = out if said[-1] else np.full(out.shape, np.nan)
    for need in itertools.product([True, False], repeat=op.arity):
        if not any(need):
            continue
        with np.errstate(all="ignore"):
            seen = vjp(op, g, out, ins, list(need), params)
            blind = vjp(op, g, blind_out, blind_ins, list(need), params)
        for k, (a, b) in enumerate(zip(seen, blind)):
            assert (a is None) == (b is None), (name, k)
            if a is not None:
                assert np.shape(a) == np.shape(b) and np.array_equal(a, b), (name, need, k)


def test_what_the_engine_counts_on_not_being_read():
    """The test above holds each rule to reads(); this holds reads() to what lets an MLP's forward
    pass drop W1 @ X and write relu over W1 @ X + b1: + reads nothing, @ does not read its own
    value, relu reads its value alone, and sigmoid keeps everything (its formula uses out alone;
    its numbers read a too)."""
    matrix = ((2, 3), (2, 3))
    assert reads(TABLE["add"], matrix) == reads(TABLE["sub"], matrix) == (False, False, False)
    assert reads(TABLE["neg"], matrix[:1]) == (False, False)
    assert reads(TABLE["matmul"], ((2, 3), (3, 4))) == (True, True, False)
    assert reads(TABLE["sigmoid"], matrix[:1]) == (True, True)
    for name in ("relu", "tanh", "exp"):  # relu's mask is out > 0, tanh's slope 1 - out^2: each writes over its input
        assert reads(TABLE[name], matrix[:1]) == (False, True)
    assert reads(TABLE["softmax"], matrix[:1]) == (False, True)


def test_local_derivative_formulas_match_numeric_locals():
    rng = np.random.default_rng(2)
    for op in TABLE.values():
        if not op.elementwise:
            continue
        ins = _inputs(op.name, [(3,)] * op.arity, rng)
        out = op.forward(*ins)
        env = {"a": ins[0], "out": out}
        if op.arity == 2:
            env["b"] = ins[1]
        for local, text in zip(op.local, op.local_text):
            numeric = np.broadcast_to(local if isinstance(local, int) else local(*ins, out), (3,))
            formula = np.broadcast_to(evaluate(compile_formula(text, env), env), (3,))
            np.testing.assert_allclose(formula, numeric, rtol=1e-12, err_msg=f"{op.name}: {text}")


@pytest.mark.parametrize(
    "program, x, expected",
    [
        ("relu(x)", 0.0, 0.0),  # relu'(0) = 0, as in PyTorch
        ("abs(x)", 0.0, 0.0),  # abs'(0) = 0
        ("max(x, 1)", 1.0, 0.5),  # a tie splits the gradient evenly, as in PyTorch
        ("max(1, x)", 1.0, 0.5),
        ("min(x, 1)", 1.0, 0.5),
        ("max(x, x)", 1.0, 1.0),  # both halves reach x
        ("max(x, 2)", 1.0, 0.0),
        ("norm(x)", 0.0, 0.0),
    ],
)
def test_conventions_at_non_differentiable_points(program, x, expected):
    import gradtutor

    assert gradtutor.grad(program, {"x": x}).gradients["x"] == expected


@pytest.mark.parametrize("name, shapes, params", list(_cases()))
def test_jvp_matches_central_differences_and_its_formula(name, shapes, params):
    """Forward mode: J·t against a difference along t, and the tangent formula against J·t."""
    op, ins, out, rng = _evaluated(name, shapes, params, seed=3)
    if op.arity == 0:
        return
    tangents = [rng.standard_normal(s) for s in shapes]
    got = op.tangent(tangents, out, ins, params)
    got = np.zeros(out.shape) if got is None else np.broadcast_to(got, out.shape)
    h = 1e-6
    moved_up = [x + h * t for x, t in zip(ins, tangents)]
    moved_down = [x - h * t for x, t in zip(ins, tangents)]
    numeric = (np.asarray(op.forward(*moved_up, *params)) - np.asarray(op.forward(*moved_down, *params))) / (2 * h)
    np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-7, err_msg=name)
    env = {"a": ins[0], "out": out, "da": tangents[0]}
    if op.arity == 2:
        env.update(b=ins[1], db=tangents[1])
    text = op.forward_text(shapes, params)
    formula = np.broadcast_to(evaluate(compile_formula(text, env), env), out.shape)
    np.testing.assert_allclose(formula, got, rtol=1e-10, atol=1e-12, err_msg=f"{name}: {text}")


def test_ties_split_like_pytorch():
    """(x+y)*max(y,z) at (1,2,2): torch.autograd gives dy = 3.5, dz = 1.5 (q*0.5 each, plus max's 2)."""
    import gradtutor

    result = gradtutor.grad("(x+y)*max(y,z)", {"x": 1.0, "y": 2.0, "z": 2.0})
    assert result.gradients == {"x": 2.0, "y": 3.5, "z": 1.5}
    svm = gradtutor.grad("sum(max(0, W@x - 1))", {"W": [[1.0, 0.0], [0.0, 2.0]], "x": [1.0, 1.0]})
    np.testing.assert_array_equal(svm.gradients["W"], [[0.5, 0.5], [1.0, 1.0]])  # margin exactly 0 in row 0


def test_a_power_with_base_zero_has_the_limit_slope():
    """d/dy x^y = log(x)*x^y tends to 0 as x -> 0+ (for y > 0); PyTorch gives (0, 0) at x=0, y=2."""
    import gradtutor

    assert gradtutor.grad("x^y", {"x": 0.0, "y": 2.0}).gradients == {"x": 0.0, "y": 0.0}
    assert gradtutor.grad("x^y", {"x": 2.0, "y": 3.0}).gradients["y"] == pytest.approx(8 * np.log(2))


@given(st.lists(st.integers(0, 3), max_size=3), st.lists(st.integers(0, 3), max_size=3))
def test_the_broadcast_rule_is_numpys(a, b):
    """The rule computes two shapes in Python (numpy's costs ~5 µs a node); it must agree with
    np.broadcast_shapes everywhere, sizes 0 and 1 included, refusals too."""
    try:
        expected = tuple(np.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        with pytest.raises(ShapeMismatch):
            broadcast(tuple(a), tuple(b))
    else:
        assert broadcast(tuple(a), tuple(b)) == expected
