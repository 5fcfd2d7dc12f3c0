"""Evaluating a formula for its value alone: intermediates freed after their last use, and
large dead ones overwritten in place.

`check` evaluates a claimed gradient such as `2*outer(W@x, x)` at W 4000x4000. Kept
whole, that evaluation holds `outer` and `2*outer` at once, 256 MB on top of the
program's own W, and the budget (numbers held at once) refuses it. Nothing needs
the intermediates of a formula once its value is known, so this tally counts the
numbers alive at each step rather than every number ever made, does not count the
inputs (the caller already holds them), and lets an elementwise ufunc write into
a large input of its own that no later node reads. The arithmetic is the same
ufunc on the same operands, so the value is bit for bit what `forward` gives.
"""

from __future__ import annotations

import math
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from .. import budget
from ..graph import CONST, VAR, Graph
from . import composed
from .cost import Tally
from .spare import IN_PLACE_MIN, spare_input

_LAST: WeakKeyDictionary[Graph, list[int]] = WeakKeyDictionary()


def last_uses(graph: Graph) -> list[int]:
    """The last node that reads each node's value (-1: none; the output: past the end, as the
    caller reads it). A stable pair reads its inner op's input from the outer node (composed.py).
    Made once per graph: a cached formula is evaluated again for every answer."""
    last = _LAST.get(graph)
    if last is None:
        last = [-1] * len(graph.nodes)
        for i in range(len(graph.nodes)):
            for j in composed.step_inputs(graph, i):
                last[j] = max(last[j], i)
        last[graph.output] = len(graph.nodes)
        _LAST[graph] = last
    return last


_FREED: WeakKeyDictionary[Graph, list[tuple[int, ...]]] = WeakKeyDictionary()


def freed_at(graph: Graph) -> list[tuple[int, ...]]:
    """For each node, the inputs it is the last to read that the pass made (eye(n) is made, a
    name's value is given): a value-only pass lets them go there. Made once per graph, as
    last_uses is: worked out at every node of every evaluation, it was a third of the time a
    class's formula answers took."""
    freed = _FREED.get(graph)
    if freed is None:
        last, nodes = last_uses(graph), graph.nodes
        freed = [
            tuple(j for j in dict.fromkeys(node.inputs) if last[j] == i and nodes[j].op not in (VAR, CONST))
            for i, node in enumerate(nodes)
        ]
        _FREED[graph] = freed
    return freed


class LiveTally(Tally):
    """The budget's count of a value-only evaluation: numbers alive, not numbers ever made."""

    __slots__ = ("out", "freed", "given")

    def __init__(self, graph: Graph, out: list[Any]) -> None:
        super().__init__(graph)
        self.out = out
        self.freed = freed_at(graph)
        self.given: list[Any] = []  # inputs and constants: never written into

    def value(self, i: int, value: Any) -> None:
        if isinstance(value, np.ndarray):
            self.given.append(value)

    def node(self, i: int, shape: tuple[int, ...], ins: list[Any]) -> None:
        freed = self.freed[i]
        if freed and math.prod(shape) >= IN_PLACE_MIN:  # only a large result may take a dead input's memory
            dead = ((j, self.out[j]) for j in freed)
            self.buffer = spare_input(self.graph, i, shape, dead, self.out, self.given)
            if self.buffer is not None:
                self.elements -= self.buffer.size  # the result takes its place
        else:
            self.buffer = None
        super().node(i, shape, ins)

    def compute(self, i: int, op, ins: list[Any], params: tuple) -> Any:
        """Node i's value, written into a dead input's buffer when that is safe."""
        result = super().compute(i, op, ins, params)
        view = isinstance(result, np.ndarray) and result.base is not None
        if view:
            self.elements -= result.size  # a view: no new numbers
        for j in self.freed[i]:
            # numbers that live on, as the reused buffer or under a view (outer(x, x).T), stay counted
            if self.out[j] is not self.buffer and not (view and np.may_share_memory(result, self.out[j])):
                self.elements -= getattr(self.out[j], "size", 1)
            self.out[j] = None
        return result

    def _over(self) -> None:
        budget.require(self.elements, "the formula's values at once")
