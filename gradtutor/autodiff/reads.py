"""What each backward rule reads, so that `grad`'s forward pass can let go of the rest early.

backward() drops each value once the sweep has passed its node, but many are dead long
before: `W1 @ X + b1` hands its gradient on unchanged and `@` reads its inputs, not its
own value, so nothing reads `W1 @ X` once the sum is made. Held until the sweep came
back to it, it cost a megabyte at an MLP's size, in fresh pages on every call.

The op table says what a rule reads. An elementwise op whose local derivatives are the
constants 1 and -1 (+, -, negation) reads nothing: the engine passes the gradient on or
negates it. Other elementwise ops read their inputs and their value unless the table
says less (`local_reads`: relu's mask is out > 0 and tanh's slope 1 - out^2, so
`relu(W1 @ X + b1)` is written over the sum it is made from; sigmoid's formula uses
`out` alone, but its numbers need `a`, to keep their digits). Any other op reads the
names its VJP formulas use. tests/test_ops.py runs every numeric rule with what it does
not read replaced by nan, bit for bit.

A dropped value keeps its shape, which the un-broadcast reads, as a broadcast nan: a rule
that read it anyway would give a nan gradient, and `grad` sweeps again with every value
kept rather than return it. An elementwise step writes its result into a large dead
input, as in live.py; the same ufunc on the same operands gives the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from ..graph import Graph, build
from ..ops import Op
from . import composed
from .cost import Tally
from .live import last_uses
from .node_shapes import shape_of
from .spare import IN_PLACE_MIN, spare_input

Shapes = tuple[tuple[int, ...], ...]


def reads(op: Op, shapes: Shapes, params: tuple = ()) -> tuple[bool, ...]:
    """Does op's backward rule read each input's value, and then its own (a shape is not a read)?"""
    if op.local:
        if all(local == 1 or local == -1 for local in op.local):
            return (False,) * (len(shapes) + 1)
        if op.local_reads is None:
            return (True,) * (len(shapes) + 1)
        return tuple(slot in op.local_reads for slot in ("a", "b")[: len(shapes)]) + ("out" in op.local_reads,)
    return _formula_reads(op, shapes, params)


@lru_cache(maxsize=4096)
def _formula_reads(op: Op, shapes: Shapes, params: tuple) -> tuple[bool, ...]:
    used: set[str] = set()
    for text in op.backward_text(shapes, params):
        used.update(build(text).variables)
    return tuple(slot in used for slot in ("a", "b")[: len(shapes)]) + ("out" in used,)


@lru_cache(maxsize=256)
def shape_only(shape: tuple[int, ...]) -> np.ndarray:
    """What a dropped value leaves behind: its shape, and nan for anything that reads it anyway
    (read-only, so one serves every drop of a shape)."""
    return np.broadcast_to(np.float64(np.nan), shape)


# graph -> the inputs' shapes -> what each node's step drops (None: not worked out yet)
_PLANS: WeakKeyDictionary[Graph, dict[Shapes, list[list[int] | None]]] = WeakKeyDictionary()
PLANS_PER_GRAPH = 16  # a graph called at ever new shapes starts over rather than grow


class DropTally(Tally):
    """The ordinary count (every number made: the sweep back holds them or their shapes),
    dropping each large value once nothing will read it, into which an elementwise ufunc
    may write its result."""

    __slots__ = ("out", "plan", "dead", "dropped")

    def __init__(self, graph: Graph, out: list[Any], values: Mapping[str, Any]) -> None:
        super().__init__(graph)
        self.out = out
        self.plan = _plan(graph, values)
        self.dead: list[int] = []
        self.dropped: list[int] = []  # nodes whose value is now its shape alone (blame.py skips them)

    def node(self, i: int, shape: tuple[int, ...], ins: list[Any]) -> None:
        super().node(i, shape, ins)
        node = self.graph.nodes[i]
        dead = self.plan[i]
        if dead is None:
            dead = self.plan[i] = [
                j
                for j, value in dict(zip(node.inputs, ins)).items()
                if type(value) is np.ndarray and value.size >= IN_PLACE_MIN and self._unread_after(j, i)
            ]
        self.dead = dead
        self.buffer = spare_input(self.graph, i, shape, ((j, self.out[j]) for j in dead), self.out) if dead else None

    def compute(self, i: int, op: Op, ins: list[Any], params: tuple) -> Any:
        result = super().compute(i, op, ins, params)
        for j in self.dead:
            self.out[j] = shape_only(shape_of(self.out[j]))
        self.dropped += self.dead
        return result

    def _unread_after(self, j: int, i: int) -> bool:
        """Will nothing read node j's value once node i is computed?"""
        graph = self.graph
        if not graph.nodes[j].inputs or last_uses(graph)[j] != i:
            return False  # an input (the caller's), or read later: by a node, a stable pair or the caller
        if self._reads(j)[-1] or j in composed.read_back(graph):
            return False
        for c in graph.consumers[j]:
            rule = self._reads(c)
            if any(rule[k] for k, x in enumerate(graph.nodes[c].inputs) if x == j):
                return False
        return True

    def _reads(self, i: int) -> tuple[bool, ...]:
        node = self.graph.nodes[i]
        return reads(node.op, tuple(shape_of(self.out[k]) for k in node.inputs), node.params)


def _plan(graph: Graph, values: Mapping[str, Any]) -> list[list[int] | None]:
    """What each step drops depends on the graph and the inputs' shapes, not on their values:
    worked out on a graph's first pass at these shapes, it is looked up after (the working
    out was most of the Python time a large step took)."""
    plans = _PLANS.setdefault(graph, {})
    key = tuple(shape_of(values[name]) for name in graph.variables)
    plan = plans.get(key)
    if plan is None:
        if len(plans) >= PLANS_PER_GRAPH:
            plans.clear()
        plan = plans[key] = [None] * len(graph.nodes)
    return plan
