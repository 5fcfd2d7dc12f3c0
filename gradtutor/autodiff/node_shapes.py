"""Every node's shape from its inputs' shapes: checked as the forward pass computes, or
inferred ahead without values (flat code, and the budget's estimate of a job)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..graph import CONST, VAR, Graph
from ..language.numbers import fmt_shape
from ..ops import Op, ShapeMismatch
from ..ops.shapes import broadcast, same_shape, scalar_shape


def shape_of(value: Any) -> tuple[int, ...]:
    """np.shape, without numpy's dispatch (two Python calls deep, ~40 times a gradient): the
    engine's values are arrays and numpy scalars, which carry their shape."""
    shape = getattr(value, "shape", None)
    return np.shape(value) if shape is None else shape


def infer_shapes(graph: Graph, shapes: Mapping[str, tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Every node's shape from the inputs' shapes, without values (for code written ahead)."""
    out: list[tuple[int, ...]] = []
    for i, node in enumerate(graph.nodes):
        if node.op is VAR:
            out.append(tuple(shapes.get(node.name, ())))
        elif node.op is CONST:
            out.append(np.shape(node.value))
        else:
            out.append(_shape_of(graph, i, node.op, [out[j] for j in node.inputs]))
    return out


def check_shapes(graph: Graph, i: int, op: Op, ins: list[Any]) -> tuple[int, ...]:
    """The node's shape, or a ShapeError if the op cannot take these inputs. The common rules
    are decided here without calling them: a call costs more than the comparison (numpy's
    broadcast_shapes was ~10 µs, most of a scalar node's forward step)."""
    rule = op.shape
    if rule is same_shape:
        return shape_of(ins[0])
    if rule is scalar_shape:
        return ()
    shapes = [shape_of(v) for v in ins]
    if rule is broadcast and shapes.count(shapes[0]) == len(shapes):
        return shapes[0]  # equal shapes always broadcast
    return _shape_of(graph, i, op, shapes)


def _shape_of(graph: Graph, i: int, op: Op, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    try:
        return tuple(op.shape(*shapes, *graph.nodes[i].params))
    except ShapeMismatch as exc:
        if len(shapes) == 2:
            shown = f"{fmt_shape(shapes[0])} and {fmt_shape(shapes[1])}"
        else:
            shown = ", ".join(fmt_shape(s) for s in shapes) or "no inputs"
        name = f"'{op.symbol}'" if op.form != "call" else f"{op.symbol}()"
        raise ShapeError(
            f"{name} cannot combine shapes {shown}: {exc}", source=graph.source, span=graph.nodes[i].span
        ) from None
