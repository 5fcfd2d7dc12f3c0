"""Numerics that neither overflow nor cancel, shared by the entries that need them."""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """1/(1 + e^-x) for x >= 0 and e^x/(1 + e^x) below: e never overflows, and neither form
    subtracts, so every value is right to a few ulp (0.5*(1 + tanh(x/2)) loses all digits
    for x < -40, where the 1 and the tanh cancel)."""
    if type(a) is np.float64:  # one number (most problems): the same operations, without arrays
        e = np.exp(-abs(a))
        return 1.0 / (1.0 + e) if a >= 0 else e / (1.0 + e)
    a = np.asarray(a, dtype=float)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


def softplus(a):
    """log(1 + e^x) as max(x, 0) + log1p(e^-|x|): no overflow, and full precision at both ends."""
    a = np.asarray(a, dtype=float)
    return (np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))))[()]
