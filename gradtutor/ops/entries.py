"""The two shapes most entries take: an infix operator (a + b) and a function called by name (sin(x))."""

from __future__ import annotations

from . import Op, broadcast, register, same_shape


def infix(*, name: str, symbol: str, py: str = "", **entry) -> Op:
    """A binary operator written between its operands: a + b."""
    return register(
        Op(name=name, symbol=symbol, form="infix", arity=2, shape=broadcast, py=py or f"{{a}} {symbol} {{b}}", **entry)
    )


def function(*, name: str, arity: int = 1, **entry) -> Op:
    """A function called by name: sin(x), max(a, b)."""
    entry.setdefault("py", f"np.{name}({{a}})")
    return register(
        Op(name=name, symbol=name, form="call", arity=arity, shape=same_shape if arity == 1 else broadcast, **entry)
    )
