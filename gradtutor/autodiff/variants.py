"""The exact gradient with one step of the chain rule done wrong: what a typical mistake gives.

`check` names a wrong claim by finding which of these it equals, the way the
walk names a wrong answer at one gate: the gradient with one branch left out
(a value used twice collects from both uses), with one local gradient
forgotten (the sigmoid, tanh or relu factor), with a gate's output used for
its local gradient (σ for σ(1 − σ)), or with a matrix product's transpose
forgotten (W for W.T). Each is one reverse sweep with one step changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..mistakes import Mistake
from .compare import close
from .reverse import Evaluation, requires_grad, unbroadcast, vjp

MAX_NODES = 200  # one sweep per variant: past this, the search costs more than it tells
OUTPUT_LOCAL = {"sigmoid": "σ(1 − σ)", "tanh": "1 − tanh²"}  # gates whose slope is written with their output

Hook = Callable[[int, list[Any], Any], list[Any]]


def _sweep(evaluation: Evaluation, target: int, hook: Hook) -> Any:
    """d output / d target with `hook(node, parts, upstream)` free to change one node's VJP parts."""
    graph, values = evaluation.graph, evaluation.values
    need = requires_grad(graph, [target])
    grads: list[Any] = [None] * len(graph.nodes)
    grads[graph.output] = np.float64(1.0)
    with np.errstate(all="ignore"):
        for i in range(len(graph.nodes) - 1, -1, -1):
            g, node = grads[i], graph.nodes[i]
            if g is None or not node.inputs or not need[i]:
                continue
            wanted = [need[j] for j in node.inputs]
            parts = vjp(node.op, g, values[i], [values[j] for j in node.inputs], wanted, node.params)
            parts = hook(i, list(parts), g)
            for j, part, w in zip(node.inputs, parts, wanted):
                if w and part is not None:
                    part = unbroadcast(part, np.shape(values[j]))
                    grads[j] = part if grads[j] is None else grads[j] + part
    return np.zeros(np.shape(values[target])) if grads[target] is None else grads[target]


def variants(evaluation: Evaluation, target: int) -> Iterator[tuple[Mistake, Any]]:
    """(mistake, the gradient a student making it would get), one step of the chain rule at a time."""
    graph, values = evaluation.graph, evaluation.values
    if len(graph.nodes) > MAX_NODES:
        return
    need = requires_grad(graph, [target])
    labels = graph.labels
    for k, users in enumerate(graph.consumers):
        users = [c for c in users if need[c]] if need[k] else []
        if len(users) < 2:
            continue
        edges = [(c, slot) for c in dict.fromkeys(users) for slot, j in enumerate(graph.nodes[c].inputs) if j == k]
        for c, slot in edges:

            def cut(i, parts, g, c=c, slot=slot):
                if i == c:
                    parts[slot] = None
                return parts

            yield (
                Mistake(
                    "missed-branch",
                    f"missed a branch: {labels[k]} feeds {len(users)} nodes and its gradient is the sum over "
                    f"all of them; this leaves out the one through {labels[c]} = {graph.describe(c)}",
                ),
                _sweep(evaluation, target, cut),
            )
    for c, node in enumerate(graph.nodes):
        if not need[c] or not node.inputs:
            continue
        op = node.op
        if op.elementwise and op.arity == 1 and not isinstance(op.local[0], int) and op.name not in ("step", "sign"):
            yield (
                Mistake(
                    "forgot-local",
                    f"forgot the local gradient of {labels[c]} = {graph.describe(c)}: "
                    f"the gradient passes a {op.name} gate multiplied by its slope",
                ),
                _sweep(evaluation, target, lambda i, parts, g, c=c: [g] if i == c else parts),
            )
            if op.name in OUTPUT_LOCAL:
                yield (
                    Mistake(
                        "output-for-local",
                        f"used {op.name}'s output where its slope {OUTPUT_LOCAL[op.name]} was meant "
                        f"(at {labels[c]} = {graph.describe(c)})",
                    ),
                    _sweep(evaluation, target, lambda i, parts, g, c=c: [g * values[c]] if i == c else parts),
                )
        if op.name == "matmul":
            a, b = (values[j] for j in node.inputs)

            def untransposed(i, parts, g, c=c, a=a, b=b):
                if i != c:
                    return parts
                try:
                    da = np.matmul(g, b) if np.ndim(b) == 2 and np.ndim(g) else None
                    db = np.matmul(a, g) if np.ndim(a) == 2 else None
                except ValueError:
                    return [None, None]
                return [
                    da if parts[0] is not None and np.shape(da) == np.shape(a) else parts[0],
                    db if parts[1] is not None and np.shape(db) == np.shape(b) else parts[1],
                ]

            names = [labels[j] for j in node.inputs]
            yield (
                Mistake(
                    "forgot-transpose",
                    f"forgot a transpose: back through {labels[c]} = {graph.describe(c)} the gradient is "
                    f"{names[0]}.T @ upstream for {names[1]} (and upstream @ {names[1]}.T for {names[0]})",
                ),
                _sweep(evaluation, target, untransposed),
            )


def chain_rule_mistakes(
    evaluation: Evaluation, node: int, exact: np.ndarray, claimed: np.ndarray, found: list[Mistake], rtol: float
) -> list[Mistake]:
    """A claim that equals the exact gradient with one step of the chain rule done wrong
    (a branch left out, a slope forgotten, W for W.T) is named by that step; a constant factor
    is only a symptom, so the step that explains it is named instead."""
    if any(m.code != "factor" for m in found):
        return found
    exact = np.asarray(exact)  # made whole if it came by rows (row_gradient.py): every variant is whole
    for mistake, wrong in variants(evaluation, node):
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == claimed.shape and not close(wrong, exact) and close(claimed, wrong, rtol=rtol):
            return [mistake]
    return found
