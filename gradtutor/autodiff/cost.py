"""What evaluating a graph costs, from shapes alone: the budget's view of the engine.

The forward pass tallies each node's size *before* computing it (its shape is known
from its inputs' shapes), so `onehot(0, 300000000)` is refused instead of allocated.
The same counts, from `infer_shapes`, let check, the Hessian and forward mode
estimate a whole job before starting it (gradtutor/budget.py has the limits).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import budget
from ..graph import Graph
from .node_shapes import infer_shapes, shape_of


def scalar_work(count: int) -> int:
    """Operations to compute `count` elementwise nodes on scalars: a call's cost and one number each."""
    return count * (budget.CALL_COST + 1)


def node_work(op_name: str, in_shapes: list[tuple[int, ...]], size: int) -> int:
    """Operations to compute one node: its size (a matrix product: its multiply-adds)."""
    if op_name == "matmul" and in_shapes and in_shapes[0]:
        inner = in_shapes[0][-1]
        return budget.CALL_COST + size * inner // budget.MATMUL_SPEEDUP
    largest = max((math.prod(s) for s in in_shapes), default=0)
    return budget.CALL_COST + max(size, largest)


class Tally:
    """The running count of one forward pass: refuses a node before it is allocated."""

    __slots__ = ("graph", "elements", "work", "largest", "largest_size", "limit", "buffer")
    dropped: Any = ()  # nodes whose value a tally replaced by its shape alone (reads.py)

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.elements = 0
        self.work = 0
        self.largest = -1
        self.largest_size = 0
        self.limit = budget.limit()  # read once a pass: asked at every node, it was a tenth of a small pass
        self.buffer: Any = None  # a dead array the next node's ufunc writes into (tallies that let values go)

    def value(self, i: int, value: Any) -> None:
        self.elements += getattr(value, "size", 1)

    def node(self, i: int, shape: tuple[int, ...], ins: list[Any]) -> None:
        """Count node i (of this shape, from these input values) before it is computed."""
        size = math.prod(shape)
        graph = self.graph
        if size > self.limit:
            budget.require(
                size, f"{graph.labels[i]} = {graph.describe(i)}", source=graph.source, span=graph.nodes[i].span
            )
        self.elements += size
        if size > self.largest_size:
            self.largest, self.largest_size = i, size
        if self.elements > self.limit:
            self._over()
        op_name = graph.nodes[i].op.name
        if op_name == "matmul":
            self.work += node_work(op_name, [shape_of(v) for v in ins], size)
        else:
            largest = size
            for v in ins:
                largest = max(largest, getattr(v, "size", 1))
            self.work += budget.CALL_COST + largest

    def compute(self, i: int, op, ins: list[Any], params: tuple) -> Any:
        """Node i's value, written into `buffer` when node() found one (the same ufunc on the
        same operands: the same bits)."""
        if self.buffer is not None:
            return op.forward(*ins, out=self.buffer)
        return op.forward(*ins, *params)

    def room(self) -> int:
        """How many more numbers the budget allows."""
        return self.limit - self.elements

    def scalars(self, count: int, first: int) -> None:
        """Count `count` elementwise nodes on scalars at once, as node() would one by one (first:
        the earliest of them all); a pass of 100,000 scalar nodes spent a third of its time in node()."""
        if not count:
            return
        self.elements += count
        self.work += scalar_work(count)
        if self.largest_size < 1:
            self.largest, self.largest_size = first, 1
        if self.elements > self.limit:
            self._over()

    def _over(self) -> None:
        graph = self.graph
        what = "the program's values together"
        if self.largest >= 0:
            what += f" (the largest, {graph.labels[self.largest]} = {graph.describe(self.largest)})"
        budget.require(self.elements, what)


def plan(graph: Graph, shapes: Mapping[str, tuple[int, ...]]) -> tuple[int, int]:
    """(numbers held, operations) of one forward pass at these input shapes."""
    node_shapes = infer_shapes(graph, shapes)
    elements = work = 0
    for node, shape in zip(graph.nodes, node_shapes):
        size = math.prod(shape)
        elements += size
        if node.inputs:
            work += node_work(node.op.name, [node_shapes[j] for j in node.inputs], size)
    budget.require(elements, "the program's values together")
    return elements, work


def require_check(
    graph: Graph,
    fixed: Mapping[str, Any],
    shapes: Mapping[str, tuple[int, ...]],
    claims: Mapping[str, str],
    points: int,
) -> None:
    """`check` evaluates the program twice per numeric probe, per target, per point (check.py's
    plan: every entry up to FULL_CHECK_LIMIT, else a sample and some directions): refuse a
    check that would run for minutes before its first evaluation."""
    from . import check

    inputs = {n: np.shape(fixed[n]) if n in fixed else tuple(shapes.get(n, ())) for n in graph.variables}
    targets = [t for t in claims if t in graph.names] or list(graph.variables)
    if all(name in fixed for name in graph.variables):
        points = 1
    _, work = plan(graph, inputs)
    node_shapes = infer_shapes(graph, inputs)

    def probes(size: int) -> int:
        return check.SAMPLED_ENTRIES + check.DIRECTIONS if size > check.FULL_CHECK_LIMIT else size

    evaluations = sum(1 + 2 * probes(math.prod(node_shapes[graph.names[t]])) for t in targets)
    budget.require_work(
        points * (3 + evaluations) * work,
        f"checking at {points} point{'s' if points != 1 else ''} ({evaluations:,} evaluations each)",
        advice="use smaller shapes or fewer --points",
    )


HESSIAN_ENTRY_COST = 250_000  # symbolic differentiation, per node, per Hessian row: Python-bound


def require_hessian(graph: Graph, shapes: Mapping[str, tuple[int, ...]]) -> None:
    """The Hessian has n x n entries for n input entries, and costs a symbolic gradient and two
    numeric gradients per row: n = 20,000 is 400 million entries and hours of work."""
    n = sum(math.prod(shapes[name]) for name in graph.variables)
    budget.require(2 * n * n, f"the Hessian of {n:,} input entries ({n:,} x {n:,}, computed twice to check it)")
    _, work = plan(graph, shapes)
    budget.require_work(
        n * (6 * work + HESSIAN_ENTRY_COST * len(graph.nodes)),
        f"the Hessian of {n:,} input entries",
        advice="use fewer input entries",
    )
