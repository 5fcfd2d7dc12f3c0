"""The short cut forward() and backward() take for elementwise ops on float64 scalars.

In a program of scalars (a sum of 100,000 products) every step is 0-d, and numpy's
cost per call (a ufunc ~1 µs, a shape rule more) was nearly all of the time. On
np.float64 values these ops give a scalar without asking the shape rules; Python's
operators (op.scalar) give numpy's IEEE result and type; and a gradient needs no
un-broadcasting. tests/test_scalar_path.py holds the short cut to the general path,
bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..ops import TABLE

F64 = np.float64
# op -> its forward on scalars
STEP = {
    op: op.scalar or op.forward
    for op in TABLE.values()
    if op.local and not op.composed and not op.int_params and op.arity <= 2
}
PASS, FLIP = object(), object()  # local derivatives 1 and -1: the gradient as it is, or negated
# op -> its local derivatives, PASS and FLIP standing for 1 and -1 (the engine multiplies by neither)
VJP = {op: tuple(PASS if local == 1 else FLIP if local == -1 else local for local in op.local) for op in STEP}
