"""The Jacobian of a program with a vector (or matrix) output, in either mode.

A gradient is one row of a Jacobian: the derivatives of one scalar output.
With m output entries and n input entries the Jacobian is m × n, and the two
modes build it from opposite sides:

* reverse mode seeds the output with one output entry's unit vector and sweeps
  backward once: one *row* per sweep, m sweeps in all;
* forward mode seeds one input entry with tangent 1 and sweeps forward once:
  one *column* per sweep, n sweeps in all.

So forward mode wins when m ≫ n and reverse mode when n ≫ m (the usual case
in deep learning, with one loss and millions of weights). Both report their
sweep counts, so a student can see this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..graph import Graph
from .forward import tangents
from .reverse import backward, check_names, forward, unbroadcast, vjp


class Jacobian:
    """`.value` (the output), `.blocks` (input name -> array of shape out_shape + in_shape),
    `.sweeps` and `.mode`. `.matrix(name)` is the block as the m × n matrix the lectures draw."""

    def __init__(self, value: Any, blocks: dict[str, np.ndarray], sweeps: int, mode: str) -> None:
        self.value = value
        self.blocks = blocks
        self.sweeps = sweeps
        self.mode = mode

    @property
    def outputs(self) -> int:
        return int(np.size(self.value))

    def matrix(self, name: str) -> np.ndarray:
        block = self.blocks[name]
        return block.reshape(self.outputs, -1)

    def full(self) -> np.ndarray:
        """All inputs side by side: the m × n Jacobian of the whole program."""
        return np.concatenate([self.matrix(n) for n in self.blocks], axis=1)


def jacobian(
    graph: Graph, values: Mapping[str, Any], wrt: Iterable[str] | None = None, mode: str = "reverse"
) -> Jacobian:
    """d output / d input for every input entry and output entry, by `mode` ('reverse' or 'forward')."""
    evaluation = forward(graph, values)
    names = list(graph.variables) if wrt is None else list(wrt)
    check_names(graph, names, what="--wrt")
    value = np.asarray(evaluation.value, dtype=float)
    out_shape = value.shape
    blocks = {n: np.zeros(out_shape + np.shape(values[n])) for n in names}
    targets = [graph.variables[n] for n in names]
    sweeps = 0
    if mode == "reverse":
        for idx in np.ndindex(*out_shape):
            seed = np.zeros(out_shape)
            seed[idx] = 1.0
            backward(evaluation, targets, seed=seed)
            for n, t in zip(names, targets):
                blocks[n][idx] = evaluation.gradient(t)
            sweeps += 1
    else:
        for n, t in zip(names, targets):
            in_shape = np.shape(values[n])
            for idx in np.ndindex(*in_shape):
                seed = np.zeros(in_shape)
                seed[idx] = 1.0
                tangent = tangents(evaluation, {t: seed})[graph.output]
                column = (slice(None),) * len(out_shape) + idx
                blocks[n][column] = 0.0 if tangent is None else np.broadcast_to(tangent, out_shape)
                sweeps += 1
    return Jacobian(float(value) if value.ndim == 0 else value, blocks, sweeps, mode)


def local_jacobian(node, values: list[Any], i: int, slots: list[int]) -> np.ndarray:
    """d node / d input as a matrix, one row per entry of the node: the VJP of a one-hot upstream."""
    out_shape = np.shape(values[i])
    j = node.inputs[slots[0]]
    ins = [values[k] for k in node.inputs]
    need = [k in slots for k in range(len(node.inputs))]
    rows = []
    for r in range(int(np.prod(out_shape, dtype=int))):
        onehot = np.zeros(out_shape)
        onehot.flat[r] = 1.0
        parts = vjp(node.op, onehot, values[i], ins, need, node.params)
        row = np.zeros(np.shape(values[j]))
        for k in slots:
            if parts[k] is not None:
                row = row + unbroadcast(parts[k], np.shape(values[j]))
        rows.append(np.ravel(row))
    return np.array(rows)
