"""Forward accumulation: derivatives carried forward as tangents, one sweep per input entry.

Seeding an input entry with tangent 1 (every other input with 0) and pushing
tangents through the graph in topological order, each op applying its
Jacobian-vector product, gives the derivative of the output with respect to
that one entry. A gradient needs one sweep per input entry; reverse mode
gets every entry from a single backward sweep. That difference is the point
the lectures make, so both modes report their sweeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .. import budget
from ..graph import Graph
from .reverse import Evaluation, check_names, forward, require_scalar


def tangents(evaluation: Evaluation, seeds: Mapping[int, Any], upto: int | None = None) -> list[Any]:
    """Every node's tangent up to node `upto` (all by default): None where it does not depend
    on the seeded nodes, and for nodes before the first seed or after `upto`, which are not
    visited (a Jacobian between two nodes needs only the nodes between them)."""
    graph = evaluation.graph
    values = evaluation.values
    budget.charge(evaluation.work)
    nodes = graph.nodes
    out: list[Any] = [None] * len(nodes)
    last = len(nodes) - 1 if upto is None else upto
    with np.errstate(all="ignore"):
        for i in range(min(seeds, default=last + 1), last + 1):
            node = nodes[i]
            if i in seeds:
                out[i] = seeds[i]
                continue
            moved = [out[j] for j in node.inputs]
            if any(t is not None for t in moved):
                out[i] = node.op.tangent(moved, values[i], [values[j] for j in node.inputs], node.params)
    return out


def forward_gradients(
    graph: Graph, values: Mapping[str, Any], wrt: Iterable[str] | None = None
) -> tuple[Any, dict[str, Any], int]:
    """(value, gradients, sweeps): the gradient by forward accumulation."""
    evaluation = forward(graph, values)
    require_scalar(evaluation)
    names = list(graph.variables) if wrt is None else list(wrt)
    check_names(graph, names, what="--wrt")
    entries = sum(int(np.size(values[n])) for n in names)
    budget.require_work(
        entries * evaluation.work,
        f"forward mode's {entries:,} sweeps (one per input entry)",
        advice="reverse mode gets every entry in one sweep (leave out --mode forward)",
    )
    gradients: dict[str, Any] = {}
    sweeps = 0
    for name in names:
        node = graph.variables[name]
        shape = np.shape(values[name])
        grad = np.zeros(shape)
        for idx in np.ndindex(*shape):
            seed = np.zeros(shape)
            seed[idx] = 1.0
            tangent = tangents(evaluation, {node: seed})[graph.output]
            grad[idx] = 0.0 if tangent is None else float(tangent)
            sweeps += 1
        gradients[name] = float(grad) if grad.ndim == 0 else grad
    return evaluation.value, gradients, sweeps
