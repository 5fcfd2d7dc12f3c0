"""One program of scalars at many points in one sweep: a class's variants of a problem.

A grader evaluates each problem once for every student, and on a program of scalars
the cost of a pass is nearly all per call, not per number. Stacking the points (one
entry per point) turns a few thousand small passes into one pass over short arrays:
every step of such a program is elementwise, so entry k of each node's value and
gradient is what the pass at point k alone gives (the same ufuncs and the same
products, added in the same order). Anything that goes wrong at any point (a domain
error, an overflow) answers None, and the caller evaluates each point on its own,
where the error names the point that has it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import budget
from ..errors import GradtutorError
from ..graph import CONST, VAR, Graph
from .cost import scalar_work
from .reverse import Evaluation, backward, forward
from .scalars import STEP


def stackable(graph: Graph) -> bool:
    """Is every step elementwise (the scalar short cut's ops) and every constant a number, so
    that points can share a pass? (A constant vector would be taken for the points.)"""
    cached = graph.__dict__.get("_stackable")
    if cached is None:
        cached = graph.__dict__["_stackable"] = all(
            n.op is VAR or n.op in STEP or (n.op is CONST and np.ndim(n.value) == 0) for n in graph.nodes
        )
    return cached


def evaluate_many(graph: Graph, points: Sequence[Mapping[str, Any]]) -> list[Evaluation] | None:
    """The evaluation, gradients included (every input's), at each point; None when the program
    or a point's values are not all scalars, or when anything fails at any point."""
    if not points or not stackable(graph):
        return None
    try:
        stacked = {name: np.array([p[name] for p in points], dtype=np.float64) for name in graph.variables}
    except (KeyError, ValueError, TypeError):
        return None
    if any(v.shape != (len(points),) for v in stacked.values()):
        return None
    try:
        with budget.scope():  # metered as the one pass it is; each point's use is charged as its own (exercise.py)
            evaluation = forward(graph, stacked)
            backward(evaluation)
    except GradtutorError:
        return None
    work = scalar_work(sum(n.op is not VAR and n.op is not CONST for n in graph.nodes))  # what each point's pass counts
    values, grads = evaluation.values, evaluation.grads
    return [Evaluation(graph, _entry(values, k), _entry(grads, k), work=work) for k in range(len(points))]


def _entry(column: list[Any], k: int) -> list[Any]:
    """Point k's value of every node: entry k of a stacked one (a numpy float, as a pass on
    scalars makes); a value that no input reaches (a constant's) is the same at every point."""
    return [v[k] if type(v) is np.ndarray and v.ndim == 1 else v for v in column]
