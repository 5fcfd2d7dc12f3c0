"""The README's table of functions, written from the op table so that it cannot go stale.

tests/test_docs.py compares it with the README and prints this table when they differ.
"""

from __future__ import annotations

import inspect

from . import FUNCTIONS, OVERLOADS


def usage(op) -> str:
    """How a call is written: 'sin(x)', 'max(a, b)', 'sum(x, axis)', 'onehot(i, n)'."""
    pair = ["a", "b"] if op.elementwise else ["u", "v"]
    arrays = ["x"] if op.arity == 1 else pair[: op.arity]
    params = list(inspect.signature(op.shape).parameters)[op.arity :][: op.int_params]
    return f"{op.symbol}({', '.join(arrays + params)})"


def function_table() -> str:
    rows = ["| function | meaning |", "|---|---|"]
    for symbol in FUNCTIONS:
        for (name, _count), op in sorted(OVERLOADS.items(), key=lambda kv: kv[0][1]):
            if name == symbol:
                rows.append(f"| `{usage(op)}` | {op.doc.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)
