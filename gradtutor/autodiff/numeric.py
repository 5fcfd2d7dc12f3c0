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
from .blocks import max_abs, row_blocks
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

    def direction(self, signs: np.ndarray, label: str) -> Probe:
        """The derivative along a direction u of random signs, given as packed bits (`plan`) and
        made a block of rows at a time: x + h*u goes into one reused buffer and x - h*u is made
        from it, so a probe of a 128 MB input needs one more 128 MB, not three."""
        x = self.base_value
        if self._moved is None:
            self._moved = np.empty_like(x)
        moved = self._moved

        def perturb(h: float) -> np.ndarray:
            for rows in row_blocks(x.shape):
                if h > 0:
                    u = _signs(signs, x.shape, rows)
                    np.multiply(u, h, out=u)
                    np.add(x[rows], u, out=moved[rows])
                else:  # x - (the step actually taken up): the mirror image of the up probe
                    np.subtract(moved[rows], x[rows], out=moved[rows])
                    np.subtract(x[rows], moved[rows], out=moved[rows])
            return moved

        numeric, kink = self._difference(perturb)
        return Probe(label, numeric, kink)


def _signs(bits: np.ndarray, shape: tuple[int, ...], rows: slice) -> np.ndarray:
    """The rows' block of u: +1/2 for each 0 bit, -1/2 for each 1 bit. (Entries of 1/2 make a
    step about the size the uniform samples in [-1, 1) used before made; ±1 took twice their
    differences' error on curved functions.)"""
    per_row = int(np.prod(shape[1:], dtype=np.int64))
    start, stop, _ = rows.indices(shape[0])
    first, last = start * per_row, stop * per_row
    block = np.unpackbits(bits[first // 8 : (last + 7) // 8])[first % 8 : first % 8 + last - first]
    u = block.astype(np.float64)
    np.subtract(0.5, u, out=u)
    return u.reshape((stop - start,) + tuple(shape[1:]))


@dataclass
class Plan:
    """What the probes should find, taken from the reference before any is made, so that the
    reference (a 128 MB claimed gradient) can go before the perturbed copy of x is made."""

    entries: list[tuple[tuple[int, ...], float]]  # (index, the reference's entry)
    directions: list[tuple[np.ndarray, float]]  # (u's signs as packed bits, reference . u)
    scale: float = 0.0  # the reference's largest |entry|: sampled entries are judged on it (score)


def plan(reference: np.ndarray, rng: np.random.Generator, sample: int | None, directions: int) -> Plan:
    """Every entry of `reference` (or `sample` random ones) and `directions` random directions,
    with the value `reference` predicts for each. A direction's entries are random signs (as in
    Hutchinson's estimator): drawn as bits they cost a tenth of uniform samples, and are kept as
    bits (2 MB for a 4000 x 4000 input), so the probe needs no second draw."""
    shape = reference.shape
    if sample is not None:
        flat = rng.choice(reference.size, size=sample, replace=False)
        entries = [tuple(int(i) for i in np.unravel_index(int(k), shape)) for k in flat]
    else:
        entries = [tuple(int(i) for i in idx) for idx in np.ndindex(*shape)] if shape else [()]
    planned = Plan([(idx, float(reference[idx])) for idx in entries], [], max_abs(reference))
    for _ in range(directions):
        bits = np.frombuffer(rng.bytes((reference.size + 7) // 8), dtype=np.uint8)
        dot = sum(float(np.vdot(reference[rows], _signs(bits, shape, rows))) for rows in row_blocks(shape))
        planned.directions.append((bits, dot))
    return planned


def probe(graph: Graph, values: dict[str, Any], node: int, planned: Plan) -> list[tuple[Probe, float]]:
    """Central differences at the planned entries of `node` and along its planned directions,
    each with the value the reference predicted."""
    differ = Differencer(graph, values, node)
    probes = [(differ.entry(idx), expected) for idx, expected in planned.entries]
    for k, (signs, dot) in enumerate(planned.directions):
        probes.append((differ.direction(signs, f"direction {k + 1}"), dot))
    return probes


def score(
    probes: list[tuple[Probe, float]], scale: float = 0.0
) -> tuple[float | None, np.ndarray, list[tuple[Probe, float]]]:
    """The largest relative error of the probes not at a kink, each probe's error, and those probes.
    Entries and directional derivatives live on different scales: each group is scored alone.
    Entries are judged on the whole gradient's `scale` too (its largest |entry|): a sample of
    tiny entries would otherwise set the floor of relative_error by itself, and a difference's
    rounding would fail a right gradient."""
    usable = [(p, ref) for p, ref in probes if not p.kink]
    errors = np.zeros(len(usable))
    if not usable:
        return None, errors, usable
    for is_entry in (True, False):
        group = [k for k, (p, _) in enumerate(usable) if isinstance(p.where, tuple) == is_entry]
        if group:
            refs = np.array([usable[k][1] for k in group])
            numeric = np.array([usable[k][0].numeric for k in group])
            largest = max(float(np.abs(refs).max()), float(np.abs(numeric).max()), scale if is_entry else 0.0)
            errors[group] = relative_error(refs, numeric, floor=max(1e-8, 1e-3 * largest))
    return float(np.max(errors)), errors, usable
