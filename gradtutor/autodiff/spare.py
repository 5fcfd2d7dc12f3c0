"""Memory a pass may write into, so that `grad` and `check` take no more fresh memory than they must.

Forward: a large value nothing will read again (live.py, reads.py) may take an
elementwise step's result, as numpy's own temporaries do in `W1 @ X + b1`; the
same ufunc on the same operands gives the same bits.

Backward: a relu's gradient is the upstream gradient times a mask. Multiplied into a
new array, it cost a megabyte of fresh pages at an MLP's size, while the upstream
gradient, made by the `@` before it and held by nothing else, was about to be dropped.
numpy does the same for a temporary in `(W2.T @ dp) * mask`. Only a gradient this sweep
made, that nothing else holds (not the seed, not an input's value, not a gradient also
handed to another input, nor one kept to return) is written into.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..graph import Graph
from . import composed

IN_PLACE_MIN = 1 << 16  # smaller arrays cost little memory, and an aliasing scan would cost more than it saves

_PRODUCTS = (np.dtype(np.float64), np.dtype(np.bool_))  # a float64 gradient times these stays float64


def fits(spare: np.ndarray | None, slope: Any) -> bool:
    """May `spare * slope` be written into `spare`: the same shape, a float64 result, and the
    row-major layout a new array would have (see spare_input)?"""
    return (
        spare is not None
        and type(slope) is np.ndarray
        and slope.shape == spare.shape
        and slope.dtype in _PRODUCTS
        and spare.flags.c_contiguous
        and slope.flags.c_contiguous
    )


def unshared(part: np.ndarray, parts: list[Any], g: Any, g_free: bool, ins: list[Any], out: Any) -> bool:
    """Will nothing but its input's slot hold `part`, a large array, once node i's gradient `g` is
    dropped? (`g_free`: g is held by nothing else and is dropped.) `parts` are all that node i's
    rule handed out."""
    if not part.flags.owndata:
        return False  # a view
    if part is g:
        if not g_free:
            return False
    elif part is out or any(part is v for v in ins):
        return False
    return sum(1 for q in parts if isinstance(q, np.ndarray) and np.may_share_memory(part, q)) == 1


def writable_buffer(value: Any, shape: tuple[int, ...]) -> bool:
    """A large row-major float64 array of this shape owning its memory: dead and unshared, it
    may take a ufunc's float64 result in place of a new array."""
    return (
        isinstance(value, np.ndarray)
        and value.size >= IN_PLACE_MIN
        and value.dtype == np.float64
        and value.flags.owndata
        and value.flags.writeable
        and value.flags.c_contiguous
        and value.shape == tuple(shape)
    )


def aliased(j: int, value: np.ndarray, out: list[Any], given: Sequence[Any] = ()) -> bool:
    """Does anything else alive (an input, or another node's value) share this memory?"""
    if any(np.may_share_memory(value, other) for other in given):
        return True
    return any(k != j and isinstance(v, np.ndarray) and np.may_share_memory(value, v) for k, v in enumerate(out))


def spare_input(
    graph: Graph, i: int, shape: tuple[int, ...], dead: Iterable[tuple[int, Any]], out: list[Any], given=()
) -> np.ndarray | None:
    """The first of node i's dead inputs, (j, value), that its step may write its result into:
    the step writes into `out=` as a ufunc does (no parameters, and not a stable pair's step of
    its own), and the value a large float64 array of the result's shape that nothing else alive
    shares. Both tallies that let values go ask here.

    Every array operand must be row-major, as the buffer is. numpy lays a new result out as its
    operands are: `A.T + B.T` comes out column-major, and written into a row-major buffer (or
    the other way round) the same numbers would be summed in another order later, and the
    gradients would differ from a sweep that keeps everything in their last bits."""
    node = graph.nodes[i]
    if not node.op.in_place or node.params or composed.find(graph, i) is not None:
        return None
    if not all(type(out[j]) is not np.ndarray or out[j].flags.c_contiguous for j in node.inputs):
        return None
    for j, value in dead:
        if writable_buffer(value, shape) and not aliased(j, value, out, given):
            return value
    return None
