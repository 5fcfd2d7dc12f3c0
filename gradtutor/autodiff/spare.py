"""Gradients the sweep back may write into, so that `grad` takes no more fresh memory than it must.

A relu's gradient is the upstream gradient times a mask. Multiplied into a new array, it
cost a megabyte of fresh pages at an MLP's size, while the upstream gradient, made by the
`@` before it and held by nothing else, was about to be dropped. numpy does the same for
a temporary in `(W2.T @ dp) * mask`. Only a gradient this sweep made, that nothing else
holds (not the seed, not an input's value, not a gradient also handed to another input,
nor one kept to return) is written into; the same ufunc on the same operands gives the
same bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_PRODUCTS = (np.dtype(np.float64), np.dtype(np.bool_))  # a float64 gradient times these stays float64


def fits(spare: np.ndarray | None, slope: Any) -> bool:
    """May `spare * slope` be written into `spare`: the same shape, and a float64 result?"""
    return spare is not None and type(slope) is np.ndarray and slope.shape == spare.shape and slope.dtype in _PRODUCTS


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
