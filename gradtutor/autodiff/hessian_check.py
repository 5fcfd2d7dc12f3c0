"""The Hessian two ways, for `grad --hessian`: symbolically, and by differencing the exact gradient."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph import Graph
from .compare import relative_error


@dataclass
class HessianCheck:
    labels: list[str]
    matrix: np.ndarray  # from the symbolic gradient, differentiated again
    numeric: np.ndarray  # central differences of the reverse-mode gradient
    error: float


def hessian_check(graph: Graph, values: Mapping[str, Any], step: float = 1e-5) -> HessianCheck:
    """Each way checks the other: the symbolic second derivative can be wrong where the
    reverse-mode gradient is right, and differencing that gradient needs no second rule."""
    from .reverse import grad
    from .symbolic import hessian

    values = {n: np.asarray(v, dtype=float) for n, v in values.items()}
    labels, matrix = hessian(graph, values)

    def flat_gradient(vals: dict[str, np.ndarray]) -> np.ndarray:
        g = grad(graph, vals).gradients
        return np.concatenate([np.ravel(np.asarray(g[n], dtype=float)) for n in graph.variables])

    columns = []
    for name in graph.variables:
        for idx in np.ndindex(*values[name].shape):
            up = {k: v.copy() for k, v in values.items()}
            down = {k: v.copy() for k, v in values.items()}
            up[name][idx] += step
            down[name][idx] -= step
            columns.append((flat_gradient(up) - flat_gradient(down)) / (2 * step))
    numeric = np.array(columns).T
    error = float(np.max(relative_error(matrix, numeric), initial=0.0))
    return HessianCheck(labels, matrix, numeric, error)
