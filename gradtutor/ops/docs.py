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
    params = list(op.keywords) or list(inspect.signature(op.shape).parameters)[op.arity :][: op.int_params]
    required = op.int_params - len(op.defaults)
    params = params[:required] + [f"{p}={d}" for p, d in zip(params[required:], op.defaults)]
    return f"{op.symbol}({', '.join(arrays + params)})"


def function_table() -> str:
    rows = ["| function | meaning |", "|---|---|"]
    seen = set()
    for symbol in FUNCTIONS:
        for (name, _count), op in sorted(OVERLOADS.items(), key=lambda kv: kv[0][1]):
            if name == symbol and op.name not in seen:  # sum(x, axis) and sum(x, axis, keepdims): one row
                seen.add(op.name)
                rows.append(f"| `{usage(op)}` | {op.doc.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)
