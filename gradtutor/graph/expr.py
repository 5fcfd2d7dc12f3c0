"""Symbolic expressions over the op table: formulas as data, tidied as they are built.

An `Expr` is one node of a shared (hash-consed) DAG: a symbol, a constant, or
an op applied to other Exprs. `apply` is a smart constructor: it folds
constants and drops `*1`, `+0`, `--x`, `x^1` and the like the moment a node is
made. Because children are always built (and tidied) before their parents,
nothing here needs recursion; printing and evaluation walk the DAG with an
explicit stack. The tutor uses this to show rules as a student would write
them (`dL/ds3 = (1 - L)*L`), and symbolic differentiation builds on it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from ..ops import TABLE, Op, Shape
from .build import build
from .nodes import CONST, VAR, Graph


class Expr:
    __slots__ = ("op", "args", "name", "value", "params", "shape", "__weakref__")

    def __init__(self, op: Op, args: tuple, name: str | None, value: Any, params: tuple, shape: Shape):
        self.op = op
        self.args = args
        self.name = name
        self.value = value
        self.params = params
        self.shape = shape

    @property
    def is_const(self) -> bool:
        return self.op is CONST

    def __repr__(self) -> str:
        from .printing import to_text

        return f"Expr({to_text(self)})"

    # operators, so rules read naturally: upstream * local
    def __add__(self, other):
        return apply("add", self, lift(other))

    def __radd__(self, other):
        return apply("add", lift(other), self)

    def __sub__(self, other):
        return apply("sub", self, lift(other))

    def __rsub__(self, other):
        return apply("sub", lift(other), self)

    def __mul__(self, other):
        return apply("mul", self, lift(other))

    def __rmul__(self, other):
        return apply("mul", lift(other), self)

    def __neg__(self):
        return apply("neg", self)

    def __matmul__(self, other):
        return apply("matmul", self, lift(other))


_INTERN: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _intern(op: Op, args: tuple, name: str | None, value: Any, params: tuple, shape: Shape) -> Expr:
    if value is not None:
        arr = np.asarray(value, dtype=float)
        vkey = (arr.shape, arr.tobytes())
    else:
        vkey = None
    key = (op.name, tuple(id(a) for a in args), name, vkey, params, shape)
    found = _INTERN.get(key)
    if found is not None:
        return found
    expr = Expr(op, args, name, value, params, shape)
    _INTERN[key] = expr
    return expr


def sym(name: str, shape: Shape = ()) -> Expr:
    return _intern(VAR, (), name, None, (), tuple(shape))


def const(value: Any) -> Expr:
    arr = np.asarray(value, dtype=float)
    return _intern(CONST, (), None, arr if arr.ndim else np.float64(arr), (), arr.shape)


def lift(x: Any) -> Expr:
    return x if isinstance(x, Expr) else const(x)


def zeros(shape: Shape) -> Expr:
    return const(np.zeros(shape)) if shape else const(0.0)


def apply(name: str, *args: Expr, params: tuple = ()) -> Expr:
    """Build op(args), folding constants and applying the tidy-up rule for `name`."""
    op = TABLE[name]
    shape = tuple(op.shape(*(a.shape for a in args), *params))
    # onehot(i, n) has no arguments: it stays a formula, as derivatives are written in the lectures
    if args and all(a.is_const for a in args) and op.form != "leaf":
        with np.errstate(all="ignore"):
            value = op.forward(*(a.value for a in args), *params)
        if np.all(np.isfinite(value)):
            return const(value)
    rule = _rules().get(name)
    if rule is not None:
        tidy = rule(*args, shape=shape, params=params)
        if tidy is not None and tidy.shape == shape:
            return tidy
    return _intern(op, tuple(args), None, None, tuple(params), shape)


# --- from text ------------------------------------------------------------------


@lru_cache(maxsize=512)
def _template(text: str) -> Graph:
    return build(text)


def from_graph(graph: Graph, env: Mapping[str, Expr]) -> Expr:
    """The graph's output as an Expr; its variables are looked up in `env`."""
    made: list[Expr] = []
    for node in graph.nodes:  # topological order: inputs come first
        if node.op is VAR:
            made.append(env[node.name])
        elif node.op is CONST:
            made.append(const(node.value))
        else:
            made.append(apply(node.op.name, *(made[j] for j in node.inputs), params=node.params))
    return made[graph.output]


def from_text(text: str, env: Mapping[str, Expr]) -> Expr:
    """Instantiate a formula (an op's rule, say) with its names bound to Exprs."""
    return from_graph(_template(text), env)


# --- walking the DAG without recursion -----------------------------------------------


def postorder(root: Expr) -> list[Expr]:
    """Every distinct node under `root`, children before parents."""
    order: list[Expr] = []
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        e, ready = stack.pop()
        if ready:
            order.append(e)
            continue
        if id(e) in seen:
            continue
        seen.add(id(e))
        stack.append((e, True))
        stack.extend((a, False) for a in reversed(e.args) if id(a) not in seen)
    return order


def evaluate(root: Expr, values: Mapping[str, Any]) -> Any:
    results: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        for e in postorder(root):
            if e.op is VAR:
                results[id(e)] = values[e.name]
            elif e.op is CONST:
                results[id(e)] = e.value
            else:
                results[id(e)] = e.op.forward(*(results[id(a)] for a in e.args), *e.params)
    return results[id(root)]


def symbols(root: Expr) -> list[str]:
    return [e.name for e in postorder(root) if e.op is VAR]


def bind(names: Iterable[str], shapes: Mapping[str, Shape]) -> dict[str, Expr]:
    return {n: sym(n, shapes.get(n, ())) for n in names}


def _rules() -> dict:
    """The tidy-up rules (graph/tidy.py), loaded on the first formula built."""
    global _RULES
    if _RULES is None:
        from .tidy import RULES

        _RULES = RULES
    return _RULES


_RULES: dict | None = None
