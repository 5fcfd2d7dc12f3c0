"""Shape rules shared by many entries of the op table."""

from __future__ import annotations

import numpy as np

Shape = tuple[int, ...]


class ShapeMismatch(Exception):
    """Raised by a shape rule; the graph layer adds the source position."""


def same_shape(a: Shape) -> Shape:
    return a


def broadcast(*shapes: Shape) -> Shape:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ShapeMismatch("the shapes do not broadcast") from None


def scalar_shape(*shapes: Shape) -> Shape:
    return ()
