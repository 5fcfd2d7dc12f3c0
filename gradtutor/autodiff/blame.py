"""Which node to blame when a value or a gradient is not a number, and how to say so.

inf and nan spread from where they first appear to everything after; the student
needs the node where it started, with its inputs, not the output that shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import DomainError
from ..graph import Graph
from ..language.numbers import describe_shape
from ..language.values import isfinite


def raise_first_overflow(graph: Graph, out: list[Any]) -> None:
    """inf and nan spread to the output; blame the first node that produced one. From a pass that
    let values go (None: live.py, reads.py) and had no room to run again keeping them, a node whose
    input is gone may only have passed it on (a relu passes an inf), and the message says so."""
    for i, node in enumerate(graph.nodes):
        if node.inputs and out[i] is not None and not isfinite(out[i]):
            ins = [out[j] for j in node.inputs]
            problem = "the result overflowed (it is inf or nan)"
            if any(v is None for v in ins):
                problem += ", at this step or at an earlier one whose value was let go to save memory"
            raise domain_error(graph, i, problem, ins)
    raise DomainError("the output is not a finite number")


def domain_error(graph: Graph, i: int, problem: str, ins: list[Any]) -> DomainError:
    node = graph.nodes[i]
    word = "input" if len(ins) == 1 else "inputs"
    shown = "" if any(v is None for v in ins) else f" (its {word}: {', '.join(_short(v) for v in ins)})"
    return DomainError(
        f"{problem}{shown}",
        source=graph.source,
        span=node.span,
        hint=f"in node {graph.labels[i]} = {graph.describe(i)}",
    )


def _short(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    return describe_shape(arr.shape)


def check_gradients(graph: Graph, values: list[Any], grads: list[Any], targets: Iterable[int]) -> None:
    """A non-finite gradient names the node where it first appeared (e.g. sqrt at 0)."""
    if all(grads[t] is None or isfinite(grads[t]) for t in targets):
        return
    for i in range(len(graph.nodes) - 1, -1, -1):
        node = graph.nodes[i]
        if grads[i] is None or not isfinite(grads[i]):
            continue
        for j in node.inputs:
            if grads[j] is not None and not isfinite(grads[j]):
                ins = [values[k] for k in node.inputs]
                raise domain_error(
                    graph,
                    i,
                    f"the gradient through {node.op.symbol} is not finite here: "
                    f"its slope is infinite or undefined at this point",
                    ins,
                )
    raise DomainError("a gradient is not finite (inf or nan)")
