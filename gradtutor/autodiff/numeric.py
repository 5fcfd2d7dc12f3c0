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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph import Graph
from .blocks import row_blocks
from .compare import relative_error
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
    """Central differences of a graph's scalar output with respect to one node.

    The target's value is a private array that is perturbed in place and restored
    exactly after each probe: copying a 4000 x 4000 input for every probe used to
    cost more than the evaluations themselves. An input variable's own array is
    used when it is a writable float64 array (`check` draws its inputs privately);
    anything else is copied once."""

    def __init__(self, graph: Graph, values: dict[str, Any], target: int, step: float = STEP) -> None:
        self.graph = graph
        self.values = dict(values)
        self.target = target
        self.step = step
        base = forward(graph, self.values)
        self.base_signature = branch_signature(graph, base)
        name = graph.nodes[target].name
        self.is_variable = name in graph.variables and graph.variables.get(name) == target
        value = self.values[name] if self.is_variable else base.values[target]
        if not (isinstance(value, np.ndarray) and value.dtype == np.float64 and value.flags.writeable):
            value = np.array(value, dtype=float)
        elif not self.is_variable:
            value = value.copy()  # an intermediate may be a view of an input (W.T)
        if self.is_variable:
            self.values[name] = value
        self.base_value = value
        self._moved: np.ndarray | None = None  # the buffer for x + h*u, made on first use

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
        old = x[index]
        scale = max(1.0, abs(float(old)))

        def perturb(h: float) -> np.ndarray:
            x[index] = old + h
            return x

        try:
            numeric, kink = self._difference(perturb, scale)
        finally:
            x[index] = old
        return Probe(index, numeric, kink)

    def direction(self, state: dict, label: str) -> Probe:
        """The derivative along a random direction u, uniform in [-1, 1) (as in PyTorch's fast
        gradcheck; nine times cheaper to draw than normal samples), drawn again, a block of rows
        at a time, from the generator state `plan` drew it from, and never kept whole: x + h*u
        goes into one reused buffer and x - h*u is made from it, so a probe of a 128 MB input
        needs one more 128 MB, not three."""
        x = self.base_value
        if self._moved is None:
            self._moved = np.empty_like(x)
        moved = self._moved
        blocks = _direction_blocks(_at(state), x.shape)

        def perturb(h: float) -> np.ndarray:
            for rows in row_blocks(x.shape):
                if h > 0:
                    u = next(blocks)
                    np.multiply(u, h, out=u)
                    np.add(x[rows], u, out=moved[rows])
                else:  # x - (the step actually taken up): the mirror image of the up probe
                    np.subtract(moved[rows], x[rows], out=moved[rows])
                    np.subtract(x[rows], moved[rows], out=moved[rows])
            return moved

        numeric, kink = self._difference(perturb)
        return Probe(label, numeric, kink)


def _direction_blocks(rng: np.random.Generator, shape: tuple[int, ...]) -> Iterator[np.ndarray]:
    """u, a block of rows at a time."""
    for rows in row_blocks(shape):
        u = rng.random((len(range(*rows.indices(shape[0]))),) + tuple(shape[1:]))
        np.multiply(u, 2.0, out=u)
        np.subtract(u, 1.0, out=u)
        yield u


def _at(state: dict) -> np.random.Generator:
    bits = getattr(np.random, state["bit_generator"])()
    bits.state = state
    return np.random.Generator(bits)


@dataclass
class Plan:
    """What the probes should find, taken from the reference before any is made, so that the
    reference (a 128 MB claimed gradient) can go before the perturbed copy of x is made."""

    entries: list[tuple[tuple[int, ...], float]]  # (index, the reference's entry)
    directions: list[tuple[dict, float]]  # (the generator's state before u, reference . u)


def plan(reference: np.ndarray, rng: np.random.Generator, sample: int | None, directions: int) -> Plan:
    """Every entry of `reference` (or `sample` random ones) and `directions` random directions,
    with the value `reference` predicts for each; the generator moves on as if u were kept."""
    shape = reference.shape
    if sample is not None:
        flat = rng.choice(reference.size, size=sample, replace=False)
        entries = [tuple(int(i) for i in np.unravel_index(int(k), shape)) for k in flat]
    else:
        entries = [tuple(int(i) for i in idx) for idx in np.ndindex(*shape)] if shape else [()]
    planned = Plan([(idx, float(reference[idx])) for idx in entries], [])
    for _ in range(directions):
        state = rng.bit_generator.state
        blocks = zip(row_blocks(shape), _direction_blocks(rng, shape))
        planned.directions.append((state, sum(float(np.vdot(reference[rows], u)) for rows, u in blocks)))
    return planned


def probe(graph: Graph, values: dict[str, Any], node: int, planned: Plan) -> list[tuple[Probe, float]]:
    """Central differences at the planned entries of `node` and along its planned directions,
    each with the value the reference predicted."""
    differ = Differencer(graph, values, node)
    probes = [(differ.entry(idx), expected) for idx, expected in planned.entries]
    for k, (state, dot) in enumerate(planned.directions):
        probes.append((differ.direction(state, f"direction {k + 1}"), dot))
    return probes


def score(probes: list[tuple[Probe, float]]) -> tuple[float | None, np.ndarray, list[tuple[Probe, float]]]:
    """The largest relative error of the probes not at a kink, each probe's error, and those probes.
    Entries and directional derivatives live on different scales: each group is scored alone."""
    usable = [(p, ref) for p, ref in probes if not p.kink]
    errors = np.zeros(len(usable))
    if not usable:
        return None, errors, usable
    for is_entry in (True, False):
        group = [k for k, (p, _) in enumerate(usable) if isinstance(p.where, tuple) == is_entry]
        if group:
            refs = np.array([usable[k][1] for k in group])
            numeric = np.array([usable[k][0].numeric for k in group])
            errors[group] = relative_error(refs, numeric)
    return float(np.max(errors)), errors, usable
