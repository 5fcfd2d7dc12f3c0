"""The operation table: everything gradtutor knows about each operation, in one entry.

Adding an operation means adding one `Op` entry (ops/op.py says what an entry
holds) to one of the modules below; tests run over the whole table and check
that each entry's numeric rule, formula rule and central differences agree.

Elementwise operations give their *local* derivatives (d out / d input, one
per input); the engine multiplies by the upstream gradient and un-broadcasts.
Other operations give a vector-Jacobian product directly.
"""

from __future__ import annotations

from .op import Op
from .shapes import Shape, ShapeMismatch, broadcast, same_shape, scalar_shape

TABLE: dict[str, Op] = {}
FUNCTIONS: dict[str, Op] = {}  # callable by name: sin(x), max(a, b)
OVERLOADS: dict[tuple[str, int], Op] = {}  # (name, argument count) when a name has several forms
INFIX: dict[str, Op] = {}  # written with a symbol, by grammar rule name: add, mul, neg, transpose, ...


def register(op: Op, by_name: bool = True) -> Op:
    """Enter an op in the table; `by_name` False keeps a call form out of the functions students
    call by name (onehot_at is what onehot(y, n) becomes when y is a name)."""
    assert op.name not in TABLE, op.name
    TABLE[op.name] = op
    if op.form == "call" and not by_name:
        return op
    if op.form == "call":
        FUNCTIONS.setdefault(op.symbol, op)
        for count in range(op.arity + op.int_params - len(op.defaults), op.arity + op.int_params + 1):
            OVERLOADS[(op.symbol, count)] = op
    elif op.form in ("infix", "prefix", "postfix", "subscript"):
        INFIX[op.name] = op
    return op


ENTRIES = ("elementwise", "activations", "linalg", "matcalc", "merge", "reduce", "structure")


def _load() -> None:
    """Each module registers its entries; this order is the order of the README's function table."""
    import importlib

    for module in ENTRIES:
        importlib.import_module(f"{__name__}.{module}")


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
]
