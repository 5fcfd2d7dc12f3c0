"""Shape rules shared by many entries of the op table."""

from __future__ import annotations

import numpy as np

Shape = tuple[int, ...]


class ShapeMismatch(Exception):
    """Raised by a shape rule; the graph layer adds the source position."""


def same_shape(a: Shape) -> Shape:
    return a


def broadcast(*shapes: Shape) -> Shape:
    if len(shapes) == 2:
        return _pair(*shapes)
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ShapeMismatch("the shapes do not broadcast") from None


def _pair(a: Shape, b: Shape) -> Shape:
    """np.broadcast_shapes of two shapes in a tenth of its ~5 µs, which `W @ x + b` paid on every
    forward step."""
    if len(a) < len(b):
        a, b = b, a
    b = (1,) * (len(a) - len(b)) + tuple(b)
    out = []
    for m, n in zip(a, b):
        if m == n or n == 1:
            out.append(m)
        elif m == 1:
            out.append(n)
        else:
            raise ShapeMismatch("the shapes do not broadcast")
    return tuple(out)


def scalar_shape(*shapes: Shape) -> Shape:
    return ()
