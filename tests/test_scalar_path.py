"""The engine's short cut for elementwise ops on float64 scalars gives what the general path gives.

forward() and backward() step scalar nodes with Python's operators and without shape
rules or un-broadcasting (autodiff/scalars.py); with its tables emptied every node takes
the general path. Values, gradients, their types, the work counted and the
errors must be identical, bit for bit, for every op the short cut serves, next to
arrays that broadcast against scalars too.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor import budget
from gradtutor.autodiff import reverse
from gradtutor.errors import DomainError, GradtutorError
from gradtutor.graph import build

F64 = np.float64
UNARY = ["neg", "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "softplus", "relu", "leaky_relu"]
UNARY += ["abs", "step", "sign"]
BINARY = ["+", "-", "*", "/", "^", "max", "min"]


def _binary(op: str, a: str, b: str) -> str:
    return f"{op}({a}, {b})" if op.isalpha() else f"({a} {op} {b})"


def _unary(name: str, a: str) -> str:
    return f"-({a})" if name == "neg" else f"{name}({a})"


def _programs() -> list[str]:
    """Each op between scalar nodes (so both its inputs arrive as np.float64), fed to the next."""
    programs = []
    for op in BINARY:
        inner = _binary(op, "sin(a) + 1.5", "cos(b) * 2")
        programs.append(f"{_binary(op, inner, 'tanh(c) + 0.5')} * {_binary(op, 'exp(c)', inner)}")
    for name in UNARY:
        inner = _unary(name, "sin(a) * b + 2" if name in ("log", "sqrt") else "sin(a) * b - 0.25")
        programs.append(f"{inner} * {_unary(name, 'cos(c) + ' + inner)} + {inner} / 3")
    programs += [
        "x = sin(a); y = x * x; y * x - x / (1 + y)",  # one node feeding several inputs of one op
        "max(sin(a), sin(a)) + min(cos(b), cos(b))",  # ties split the gradient
        "sum(v * sin(a)) + sin(a) * sum(v + cos(b))",  # scalars broadcast against a vector
        "sum(sin(v) * (sin(a) * cos(b))) * (sin(a) - cos(b))",
    ]
    return programs


def _run(program: str, values: dict, general: bool, monkeypatch) -> reverse.Evaluation:
    with monkeypatch.context() as patch:
        if general:
            patch.setattr(reverse, "STEP", {})
            patch.setattr(reverse, "VJP", {})
        graph = build(program)
        evaluation = reverse.forward(graph, values)
        reverse.backward(evaluation)
    return evaluation


def _same(x, y) -> bool:
    if x is None or y is None:
        return x is y
    return type(x) is type(y) and np.shape(x) == np.shape(y) and np.array_equal(x, y, equal_nan=True)


@pytest.mark.parametrize("program", _programs())
@pytest.mark.parametrize("point", [(0.3, -1.2, 0.7), (2.0, 0.0, -0.4)])
@pytest.mark.parametrize("given", [F64, np.asarray], ids=["float64", "0-d array"])
def test_the_scalar_path_is_the_general_path_bit_for_bit(program, point, given, monkeypatch):
    """Inputs given as 0-d arrays (as problem files and `as_array` make them) take the short cut too."""
    values = {"a": given(point[0]), "b": given(point[1]), "c": given(point[2]), "v": np.array([0.5, -1.0, 2.0])}
    graph = build(program)
    values = {name: values[name] for name in graph.variables}
    fast = _run(program, values, False, monkeypatch)
    slow = _run(program, values, True, monkeypatch)
    assert fast.work == slow.work
    assert all(_same(x, y) for x, y in zip(fast.values, slow.values))
    assert all(_same(x, y) for x, y in zip(fast.grads, slow.grads))
    assert all(type(fast.values[graph.variables[n]]) is F64 for n in "abc" if n in graph.variables)


def test_the_scalar_path_is_taken_for_scalar_nodes(monkeypatch):
    """A guard for the test above: the short cut is really used, so the comparison means something."""
    calls = []
    steps = {op: (lambda *a, s=step: calls.append(1) or s(*a)) for op, step in reverse.STEP.items()}
    monkeypatch.setattr(reverse, "STEP", steps)
    reverse.forward(build("sin(a) * cos(a) + 1"), {"a": F64(0.5)})
    assert len(calls) == 4  # sin, cos, *, +


def test_errors_on_the_scalar_path_are_the_general_ones(monkeypatch):
    program = "x = sin(a) - sin(a); cos(a) / x"
    errors = []
    for general in (False, True):
        with pytest.raises(DomainError) as info:
            _run(program, {"a": F64(0.5)}, general, monkeypatch)
        errors.append((str(info.value), info.value.span, info.value.hint))
    assert errors[0] == errors[1]
    assert "division by zero" in errors[0][0]


def test_backward_takes_the_scalar_path_too(monkeypatch):
    calls = []
    general = reverse.vjp
    monkeypatch.setattr(reverse, "vjp", lambda *args: calls.append(1) or general(*args))
    reverse.backward(reverse.forward(build("sin(a) * cos(a) + 1"), {"a": F64(0.5)}))
    assert calls == []
    monkeypatch.setattr(reverse, "VJP", {})
    reverse.backward(reverse.forward(build("sin(a) * cos(a) + 1"), {"a": F64(0.5)}))
    assert len(calls) == 4


@pytest.mark.parametrize("limit", [3, 6, 9])
def test_the_budget_refuses_the_same_node_on_the_scalar_path(limit, monkeypatch):
    """Scalar steps are tallied in batches; over the budget, the error is still the one node() gives
    at the node that crosses it, before any later node can fail in another way."""
    monkeypatch.setattr(budget, "_limit", limit)
    program = "x = sin(a) * cos(b) + tanh(a) * 2; y = x / (x - x); sum(v * y) + y"
    values = {"a": F64(0.5), "b": F64(-1.0), "v": np.array([1.0, 2.0])}
    errors = []
    for general in (False, True):
        with pytest.raises(GradtutorError) as info:
            _run(program, values, general, monkeypatch)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]
    assert errors[0][0] is budget.BudgetError
