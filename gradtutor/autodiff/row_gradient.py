"""A large matrix's exact gradient, made a block of rows at a time while `check` compares it.

`check` on `sum((W@x)^2)` with W 4000 x 4000 holds W and the claimed gradient, 128 MB
each; the exact gradient made whole would be a third array of that size. But a matrix
used once, in a product with a vector, gets its gradient from that product alone: the
outer product of the product's upstream gradient (a vector) and the vector. Rows i..j
of it are the op's own rule applied to rows i..j of W and of the upstream (of `x @ W`,
to entries i..j of x), so the sweep back stops at the product and each block of rows is
made when the comparison reaches it. Each entry is one multiplication, the same one the
whole product makes, so the numbers are the same bits. (With a matrix on the other side
the blocks would round differently from the whole product, and its upstream can be
larger than W: those are made whole.) A diagnosis that needs the whole gradient at once
(rare: a wrong claim that no sampled hypothesis explains) makes it whole.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..language.values import isfinite
from .node_shapes import shape_of
from .reads import reads
from .reverse import Evaluation, backward, vjp

ROWS_MIN = 1 << 20  # entries (8 MB): a smaller gradient is made whole, as for any other input


class RowGradient:
    """d output / d W for a W whose only use is one side of a matrix-vector product."""

    def __init__(self, evaluation: Evaluation, target: int, product: int) -> None:
        graph = evaluation.graph
        node = graph.nodes[product]
        self.evaluation, self.target = evaluation, target
        self.op, self.params = node.op, node.params
        self.slot = node.inputs.index(target)
        self.a, self.b = (evaluation.values[j] for j in node.inputs)
        self.upstream = evaluation.gradient(product)
        self.shape = np.shape(evaluation.values[target])
        self.ndim, self.size = len(self.shape), int(np.prod(self.shape))

    def rows(self, index: slice | np.ndarray) -> np.ndarray:
        """The gradient's rows at `index` (a slice or whole numbers), from the product's rule."""
        g, a, b = self.upstream, self.a, self.b
        with np.errstate(all="ignore"):  # as in the sweep: an overflow is found below, and named
            if self.slot == 0:  # W @ B: W's rows make the product's rows
                part = vjp(self.op, g[index], None, [a[index], b], [True, False], self.params)[0]
            else:  # A @ W: W's rows meet A's columns, and all of the upstream
                part = vjp(self.op, g, None, [a[..., index], b[index]], [False, True], self.params)[1]
        if not isfinite(part):  # overflow: the whole sweep says where, as it would have
            self.whole()
        return part

    def whole(self) -> np.ndarray:
        evaluation = self.evaluation
        grads = backward(Evaluation(evaluation.graph, evaluation.values, work=evaluation.work), [self.target])
        return np.asarray(grads[self.target], dtype=float)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.whole() if dtype is None else self.whole().astype(dtype)


def rows_of(array: Any, index: slice | np.ndarray) -> np.ndarray:
    return array.rows(index) if isinstance(array, RowGradient) else array[index]


def by_rows(evaluation: Evaluation, targets: list[int]) -> dict[int, int]:
    """The targets whose gradients can come by rows (large matrices used only in one product
    with a vector), each with that product."""
    products = {t: _product(evaluation.graph, evaluation.values, t) for t in targets}
    return {t: c for t, c in products.items() if c is not None}


def exact_gradients(evaluation: Evaluation, targets: list[int], rows: dict[int, int]) -> dict[int, Any]:
    """Each target's exact gradient: a RowGradient for those in `rows` (from `by_rows`), an array
    for the rest, from one sweep back."""
    rest = [t for t in targets if t not in rows]
    backward(evaluation, rest + sorted(set(rows.values())))
    exact: dict[int, Any] = {t: np.asarray(evaluation.gradient(t), dtype=float) for t in rest}
    exact.update({t: RowGradient(evaluation, t, c) for t, c in rows.items()})
    return exact


def _product(graph, values: list[Any], target: int) -> int | None:
    """The matrix-vector product that is the target's only use, when its gradient can be made by rows."""
    users = graph.consumers[target]
    if np.ndim(values[target]) != 2 or np.size(values[target]) < ROWS_MIN or len(users) != 1:
        return None
    node = graph.nodes[users[0]]
    if node.op.name != "matmul" or node.inputs.count(target) != 1 or users[0] == graph.output:
        return None
    other = values[node.inputs[1 - node.inputs.index(target)]]
    if np.ndim(other) != 1 or np.size(values[users[0]]) >= np.size(values[target]):
        return None  # see the module's note: a vector on the other side, and an upstream smaller than W
    shapes = tuple(shape_of(values[j]) for j in node.inputs)
    # A block of rows has no value of the product to hand the rule: it must not read one.
    return users[0] if not reads(node.op, shapes, node.params)[-1] else None
