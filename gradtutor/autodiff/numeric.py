"""Numeric gradients by central differences, and how to tell when they cannot be trusted.

f'(x) ~ (f(x + h) - f(x - h)) / 2h costs two evaluations per entry, so large
inputs are checked on a random sample of entries plus random directions u,
comparing g.u with (f(x + hu) - f(x - hu)) / 2h (PyTorch's "fast gradcheck").

Near a kink (a relu or abs input close to 0, a max whose inputs are close) the
two evaluations can land on different sides; the difference then measures a
jump, not a slope. Every op with a kink exposes a `branch` signature; if the
signature at x + h or x - h differs from the one at x, the estimate is
reported as "at a kink" instead of as an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph import Graph
from .reverse import Evaluation, forward

STEP = 1e-5


@dataclass
class Probe:
    """One numeric estimate: an entry's partial derivative or a directional derivative."""

    where: tuple[int, ...] | str  # the entry's index, or "direction k"
    numeric: float
    kink: bool


def branch_signature(graph: Graph, evaluation: Evaluation) -> list[tuple[int, Any]]:
    out = []
    for i, node in enumerate(graph.nodes):
        if node.op.branch is not None:
            ins = [evaluation.values[j] for j in node.inputs]
            out.append((i, node.op.branch(*ins)))
    return out


def on_kink(signature: list[tuple[int, Any]]) -> list[int]:
    """Nodes sitting exactly on a kink (a relu input of exactly 0, a max tie)."""
    return [i for i, sig in signature if np.any(np.asarray(sig) == 0)]


def _same_side(a: list[tuple[int, Any]], b: list[tuple[int, Any]]) -> bool:
    return all(np.array_equal(sa, sb) for (_, sa), (_, sb) in zip(a, b))


class Differencer:
    """Central differences of a graph's scalar output with respect to one node."""

    def __init__(self, graph: Graph, values: dict[str, Any], target: int, step: float = STEP) -> None:
        self.graph = graph
        self.values = dict(values)
        self.target = target
        self.step = step
        base = forward(graph, self.values)
        self.base_value = np.array(base.values[target], dtype=float)  # a private, writable copy
        self.base_signature = branch_signature(graph, base)
        self.is_variable = (
            graph.nodes[target].name in graph.variables and graph.variables.get(graph.nodes[target].name) == target
        )

    def _evaluate(self, value: np.ndarray) -> tuple[float, list]:
        if self.is_variable:
            values = dict(self.values)
            values[self.graph.nodes[self.target].name] = value
            ev = forward(self.graph, values)
        else:
            ev = forward(self.graph, self.values, overrides={self.target: value})
        return float(ev.value), branch_signature(self.graph, ev)

    def _difference(self, perturb: Callable[[float], np.ndarray], scale: float = 1.0) -> tuple[float, bool]:
        h = self.step * scale
        up, sig_up = self._evaluate(perturb(h))
        down, sig_down = self._evaluate(perturb(-h))
        kink = not (_same_side(sig_up, self.base_signature) and _same_side(sig_down, self.base_signature))
        return (up - down) / (2 * h), kink

    def entry(self, index: tuple[int, ...]) -> Probe:
        x = self.base_value
        scale = max(1.0, abs(float(x[index]))) if x.ndim else max(1.0, abs(float(x)))

        def perturb(h: float) -> np.ndarray:
            moved = x.copy()
            moved[index] += h
            return moved

        numeric, kink = self._difference(perturb, scale)
        return Probe(index, numeric, kink)

    def direction(self, u: np.ndarray, label: str) -> Probe:
        x = self.base_value
        numeric, kink = self._difference(lambda h: x + h * u)
        return Probe(label, numeric, kink)
