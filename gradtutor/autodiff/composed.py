"""Pairs of ops computed as one where the two steps would lose precision.

`log(sigmoid(x))` is binary cross-entropy and `log(softmax(s)[k])` is softmax
cross-entropy: students write them so, and both underflow in two steps
(sigmoid(-800) is 0, and log(0) refuses). The op table says which pairs have
a stable one-step form (the `composed` field of the outer op: log over
sigmoid is -softplus(-x), log over softmax is log_softmax). The graph keeps
both nodes, so the walk still asks about each gate; only the numbers come
from the stable form: the outer node's value, and the gradient handed
straight to the inner node's input.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from ..graph import Graph


class Fused:
    """outer(inner(x)[index]): the node indices involved and the op table's stable form."""

    __slots__ = ("outer", "between", "inner", "x", "index", "value", "vjp", "vjp_text")

    def __init__(self, outer: int, between: list[int], inner: int, x: int, index: tuple | None, form) -> None:
        self.outer = outer
        self.between = between  # the inner node and any index node between: their own VJPs are skipped
        self.inner = inner
        self.x = x
        self.index = index
        self.value, self.vjp, self.vjp_text = form


def find(graph: Graph, i: int) -> Fused | None:
    node = graph.nodes[i]
    if not node.op.composed:
        return None
    between = [node.inputs[0]]
    inner = graph.nodes[between[0]]
    index = None
    if inner.op.name == "subscript":
        index = inner.params
        between.append(inner.inputs[0])
        inner = graph.nodes[between[-1]]
    form = node.op.composed.get(inner.op.name)
    if form is None:
        return None
    return Fused(i, between, between[-1], inner.inputs[0], index, form)


def step_inputs(graph: Graph, i: int) -> list[int]:
    """The nodes whose values node i's step reads: its inputs, and for a stable pair the inner
    op's own input too (and any index node between), which the one-step form reads directly."""
    fused = find(graph, i)
    inputs = list(graph.nodes[i].inputs)
    return inputs if fused is None else [*inputs, *fused.between, fused.x]


_READ_BACK: WeakKeyDictionary[Graph, frozenset[int]] = WeakKeyDictionary()


def read_back(graph: Graph) -> frozenset[int]:
    """The x of every stable pair: its one-step gradient reads x's value on the way back, though
    no gate that consumes x reads it (softmax reads its own value). Made once per graph."""
    xs = _READ_BACK.get(graph)
    if xs is None:
        xs = _READ_BACK[graph] = frozenset(f.x for f in map(partial(find, graph), range(len(graph.nodes))) if f)
    return xs


def value(fused: Fused, values: list[Any]) -> Any:
    out = fused.value(values[fused.x])
    return out if fused.index is None else np.asarray(out)[fused.index]


def backward(graph: Graph, fused: Fused, g: Any, values: list[Any], grads: list[Any]) -> bool:
    """Hand d out/d x straight to x; False (nothing done) when an intermediate has other consumers,
    whose gradients must flow through it the ordinary way."""
    if any(len(graph.consumers[j]) != 1 for j in fused.between):
        return False
    full = g
    if fused.index is not None:
        full = np.zeros(np.shape(values[fused.inner]))
        full[fused.index] = g
    part = fused.vjp(full, values[fused.x])
    x = fused.x
    grads[x] = part if grads[x] is None else grads[x] + part
    return True
