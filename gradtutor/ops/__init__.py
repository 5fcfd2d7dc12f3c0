"""The operation table: everything gradtutor knows about each operation, in one entry.

An `Op` holds an operation's forward function, its shape rule, its backward
rule as numbers (for the engine) *and* as a formula in gradtutor's own
language (for hints, revealed answers, symbolic gradients and flat code), the
gradient-flow pattern the lectures name it by, and how it prints. Adding an
operation means adding one entry; tests run over the whole table and check
that each entry's numeric rule, formula rule and central differences agree.

Elementwise operations give their *local* derivatives (d out / d input, one
per input); the engine multiplies by the upstream gradient and un-broadcasts.
Other operations give a vector-Jacobian product directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Shape = tuple[int, ...]
Array = np.ndarray
# A local derivative: a constant (1 or -1, the engine passes the gradient through
# without multiplying) or a function of (inputs..., out).
Local = int | Callable[..., Array]


class ShapeMismatch(Exception):
    """Raised by a shape rule; the graph layer adds the source position."""


class Op:
    """One operation. (A plain slotted class: a dataclass this size costs ~2 ms to define,
    and every start-up of `gradtutor grad` pays for it.)"""

    __slots__ = (
        "name",
        "symbol",
        "form",
        "arity",
        "forward",
        "shape",
        "pattern",
        "rule",
        "local",
        "local_text",
        "vjp",
        "vjp_text",
        "precedence",
        "latex",
        "domain",
        "branch",
        "int_params",
        "doc",
        "with_constant",
        "jvp",
        "jvp_text",
        "py",
        "py_helper",
        "gate",
    )

    def __init__(
        self,
        name: str,
        symbol: str,
        form: str,
        arity: int,
        forward: Callable[..., Array],
        shape: Callable[..., Shape],
        pattern: str,
        rule: str,
        local: tuple[Local, ...] = (),
        local_text: tuple[str, ...] = (),
        vjp: Callable[..., list] | None = None,
        vjp_text: Callable[..., tuple[str, ...]] | None = None,
        precedence: int = 100,
        latex: str = "",
        domain: Callable[..., str | None] | None = None,
        branch: Callable[..., Array] | None = None,
        int_params: int = 0,
        doc: str = "",
        with_constant: tuple[str, str] | None = None,
        jvp: Callable[..., Array] | None = None,
        jvp_text: Callable[..., str] | None = None,
        py: str = "",
        py_helper: str = "",
        gate: tuple[str, str] | None = None,
    ) -> None:
        self.name = name  # unique: 'add', 'sin', 'matmul'
        self.symbol = symbol  # how it is written: '+', 'sin', '@', '.T'
        self.form = form  # 'infix' | 'prefix' | 'postfix' | 'call' | 'subscript' | 'leaf'
        self.arity = arity
        self.forward = forward
        self.shape = shape  # output shape from input shapes; raises ShapeMismatch
        self.pattern = pattern  # gradient-flow pattern: 'distributes', 'swaps', 'routes', ...
        self.rule = rule  # the backward rule in one sentence, for hints
        self.local = local  # elementwise: d out / d input_i, numerically
        self.local_text = local_text  # the same as formulas over a, b and out
        self.vjp = vjp  # other ops: (g, out, *inputs, need, *params) -> gradients
        self.vjp_text = vjp_text  # the same as formulas over a, b, out and grad
        self.precedence = precedence  # printing: higher binds tighter
        self.latex = latex
        self.domain = domain  # a message when the inputs are outside the domain
        self.branch = branch  # changes value when an input crosses a kink
        self.int_params = int_params  # trailing arguments that are whole-number constants: sum(x, 1)
        self.doc = doc
        self.with_constant = with_constant  # (pattern, rule) when one operand is a constant: x + 1, -1 * x
        self.jvp = jvp  # forward mode, other ops: (tangents, out, *inputs, *params) -> tangent
        self.jvp_text = jvp_text  # the same as a formula over a, b, out, da and db
        self.py = py  # how flat code writes it with numpy ({a}, {b}, {p0} ...)
        self.py_helper = py_helper  # a small function flat code defines when the op is used
        # how the lectures label the gate when one operand is a constant c: (c on the left, c on the right)
        self.gate = gate or ("{c}" + symbol + "x", symbol + "{c}")

    def __repr__(self) -> str:
        return f"Op({self.name})"

    def forward_text(self, shapes: Sequence[Shape], params: tuple = ()) -> str:
        """The tangent of the output (forward mode) as a formula over a, b, out, da and db."""
        if self.local_text:
            terms = [f"({t})*d{slot}" for t, slot in zip(self.local_text, "ab")]
            return " + ".join(terms)
        assert self.jvp_text is not None, self.name
        return self.jvp_text(*shapes, *params)

    def tangent(self, tangents: Sequence[Any], out: Any, inputs: Sequence[Any], params: tuple = ()) -> Any:
        """The output's tangent given the inputs' tangents (None: zero)."""
        if self.local:
            total = None
            for local, t, _k in zip(self.local, tangents, range(len(tangents))):
                if t is None:
                    continue
                part = t * local if isinstance(local, int) else t * local(*inputs, out)
                total = part if total is None else total + part
            return total
        if all(t is None for t in tangents):
            return None
        return self.jvp(list(tangents), out, *inputs, *params)

    def flow(self, constant_operand: bool = False) -> tuple[str, str]:
        """The gradient-flow pattern and rule, as the lectures tell them for this gate."""
        if constant_operand and self.with_constant:
            return self.with_constant
        return self.pattern, self.rule

    @property
    def elementwise(self) -> bool:
        return bool(self.local)

    def backward_text(self, shapes: Sequence[Shape], params: tuple = ()) -> tuple[str, ...]:
        """The VJP for each input as gradtutor formulas over a, b, out and grad."""
        if self.local_text:
            return tuple(_times_grad(t) for t in self.local_text)
        assert self.vjp_text is not None, self.name
        return self.vjp_text(*shapes, *params)


def _times_grad(local: str) -> str:
    if local == "1":
        return "grad"
    if local == "-1":
        return "-grad"
    if local == "0":
        return "0"
    return f"grad * ({local})"


TABLE: dict[str, Op] = {}
FUNCTIONS: dict[str, Op] = {}  # callable by name: sin(x), max(a, b)
OVERLOADS: dict[tuple[str, int], Op] = {}  # (name, argument count) when a name has several forms
INFIX: dict[str, Op] = {}  # by grammar rule name: add, mul, ...


def register(op: Op) -> Op:
    assert op.name not in TABLE, op.name
    TABLE[op.name] = op
    if op.form == "call":
        FUNCTIONS.setdefault(op.symbol, op)
        OVERLOADS[(op.symbol, op.arity + op.int_params)] = op
    elif op.form in ("infix", "prefix", "postfix", "subscript"):
        INFIX[op.name] = op
    return op


# --- shared shape rules ----------------------------------------------------


def same_shape(a: Shape) -> Shape:
    return a


def broadcast(*shapes: Shape) -> Shape:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ShapeMismatch("the shapes do not broadcast") from None


def scalar_shape(*shapes: Shape) -> Shape:
    return ()


def fmt_shape(shape: Shape) -> str:
    """Shapes as numpy prints them: (3,), (2, 3); 'scalar' for ()."""
    if shape == ():
        return "scalar"
    return str(tuple(shape))


def describe_shape(shape: Shape) -> str:
    """Shapes in words: 'a scalar', 'a vector of length 3', 'a 2×3 matrix'."""
    if shape == ():
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of length {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


def _load() -> None:
    # Each module registers its entries; the order here is the order of the docs.
    from . import elementwise, linalg, reduce, structure  # noqa: F401


_load()

__all__ = [
    "Op",
    "TABLE",
    "FUNCTIONS",
    "OVERLOADS",
    "INFIX",
    "ShapeMismatch",
    "Shape",
    "register",
    "broadcast",
    "same_shape",
    "scalar_shape",
    "fmt_shape",
    "describe_shape",
]
