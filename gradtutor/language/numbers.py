"""Numbers and arrays as a student reads them: short, aligned, no -0."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def fmt_number(x: float, digits: int = 6) -> str:
    x = float(x)
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    return text


def fmt_value(value: Any, digits: int = 4) -> str:
    """Scalars to `digits` significant figures; arrays in numpy's layout, summarised when large."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return fmt_number(arr, max(digits, 6))
    arr = np.where(arr == 0, 0.0, arr)  # no -0
    return np.array2string(
        arr,
        precision=digits,
        suppress_small=True,
        threshold=64,
        edgeitems=3,
        max_line_width=72,
        separator=", ",
        formatter={"float_kind": lambda v: fmt_number(v, digits)},
    )


def fmt_shape(shape: tuple[int, ...]) -> str:
    """Shapes as numpy prints them: (3,), (2, 3); 'scalar' for ()."""
    if shape == ():
        return "scalar"
    return str(tuple(shape))


def describe_shape(shape: tuple[int, ...]) -> str:
    """Shapes in words: 'a scalar', 'a vector of length 3', 'a 2×3 matrix'."""
    if shape == ():
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of length {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


def format_number(value: Any) -> str:
    """Constants as a student would write them: 1, -1, 0.5, [[1, 2], [3, 4]]."""
    if isinstance(value, float):  # np.float64 too: every number in a program, labelled one by one
        return _format_float(float(value))
    arr = np.asarray(value)
    if arr.ndim == 0:
        return _format_float(float(arr))
    return "[" + ", ".join(format_number(v) for v in arr) + "]"


def _format_float(x: float) -> str:
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)
