"""Numbers and arrays as a student reads them: short, aligned, no -0."""

from __future__ import annotations

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
