"""Gradient descent on any scalar program: w := w - lr * dJ/dw, the update every lecture gives.

Backpropagation only computes gradients; learning needs an optimiser to use
them. This is the smallest one (plus heavy-ball momentum), written so a student
can watch it: each step records the loss and the gradient norm, a callback
sees every step as it happens (the live chart), and the run says when it
diverges and why.

Divergence means the loss became inf or nan, or grew for several steps in a
row past where it started. Near a minimum, plain gradient descent on a
quadratic with Hessian H is stable exactly when lr < 2 / λmax(H) (momentum β
widens this to 2(1 + β) / λmax), so where the Hessian is small enough to
compute, the run names the largest stable rate at its starting point.

The parameters in `wrt` may be weights or data: `--wrt x` optimises the
input, the lectures' "backprop to the data".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..errors import DomainError
from .reverse import backward, check_names, forward, require_scalar

GROWING_STEPS = 5  # the loss rising this many steps in a row (and above its start) is divergence
HESSIAN_MAX_ENTRIES = 40  # the symbolic Hessian is computed up to this many input entries


class Step:
    __slots__ = ("step", "loss", "grad_norm", "params")

    def __init__(self, step: int, loss: float, grad_norm: float | None, params: dict[str, Any] | None) -> None:
        self.step = step  # updates made so far
        self.loss = loss
        self.grad_norm = grad_norm  # of the gradient at this point (None after the last update)
        self.params = params  # copies of the parameters (kept when they are small)


class Run:
    """One descent: its settings, every step, and how it ended."""

    def __init__(self, lr: float, optimizer: str, momentum: float) -> None:
        self.lr = lr
        self.optimizer = optimizer
        self.momentum = momentum
        self.steps: list[Step] = []
        self.diverged: str | None = None  # why, when it did
        self.final: dict[str, Any] = {}
        self.curvature: float | None = None  # λmax of the Hessian at the start, where computed

    @property
    def losses(self) -> list[float]:
        return [s.loss for s in self.steps]

    @property
    def stable_lr(self) -> float | None:
        """The largest rate for which descent near the start does not blow up, from the curvature there."""
        if self.curvature is None or self.curvature <= 0:
            return None
        factor = 2.0 * (1.0 + self.momentum) if self.optimizer == "momentum" else 2.0
        return factor / self.curvature


def descend(
    graph,
    values: Mapping[str, Any],
    wrt: Iterable[str],
    lr: float,
    steps: int,
    optimizer: str = "sgd",
    momentum: float = 0.9,
    on_step: Callable[[Run, Step], None] | None = None,
    keep_params: bool | None = None,
) -> Run:
    """Run `steps` updates from `values` (not modified) and return the run."""
    names = list(wrt)
    check_names(graph, names, what="--wrt")
    run = Run(lr, optimizer, momentum if optimizer == "momentum" else 0.0)
    point = {n: np.array(v, dtype=float) for n, v in values.items()}
    if keep_params is None:
        keep_params = sum(point[n].size for n in names) <= 100
    targets = [graph.variables[n] for n in names]
    velocity = {n: np.zeros_like(point[n]) for n in names} if optimizer == "momentum" else {}
    step_of = {n: np.empty_like(point[n]) for n in names}  # lr * g, in the same memory every step
    for k in range(steps + 1):
        last = k == steps
        try:
            evaluation = forward(graph, point)
        except DomainError as exc:
            if k == 0:
                raise  # the starting point itself is bad: the user's input
            run.diverged = f"the loss stopped being a finite number at step {k} ({exc.message})"
            break
        if k == 0:
            require_scalar(evaluation)
        loss = float(evaluation.value)
        grads = None
        norm = None
        if not last:
            backward(evaluation, targets, release=True)
            grads = [evaluation.gradient(t) for t in targets]
            norm = math.sqrt(sum(_squares(g) for g in grads))
        step = Step(k, loss, norm, {n: point[n].copy() for n in names} if keep_params else None)
        run.steps.append(step)
        if on_step is not None:
            on_step(run, step)
        if not np.isfinite(loss) or (norm is not None and not np.isfinite(norm)):
            run.diverged = f"the {'loss' if not np.isfinite(loss) else 'gradient'} is no longer finite at step {k}"
            break
        if _growing(run.steps):
            run.diverged = f"the loss grew for {GROWING_STEPS} steps in a row, to {loss:.4g} at step {k}"
            break
        if last:
            break
        for n, g in zip(names, grads):
            if optimizer == "momentum":
                velocity[n] = momentum * velocity[n] - lr * g
                point[n] += velocity[n]
            else:
                point[n] -= np.multiply(lr, g, out=step_of[n])
    run.final = {n: point[n] for n in names}
    return run


def _squares(g: Any) -> float:
    """The sum of squares. einsum, not vdot: BLAS's dot was 15x slower on a busy machine (threads spinning)."""
    flat = np.ravel(g)
    return float(np.einsum("i,i->", flat, flat))


def _growing(steps: list[Step]) -> bool:
    """The loss rose in each of the last GROWING_STEPS steps and is above where it started (only the
    tail is read, so a long run stays linear in its length)."""
    if len(steps) <= GROWING_STEPS:
        return False
    tail = [s.loss for s in steps[-GROWING_STEPS - 1 :]]
    return all(b > a for a, b in zip(tail, tail[1:])) and tail[-1] > steps[0].loss


def curvature(graph, values: Mapping[str, Any], wrt: Iterable[str]) -> float | None:
    """λmax of the Hessian with respect to `wrt` at `values`, or None when it is too large to compute."""
    from .symbolic import hessian

    if sum(int(np.size(v)) for v in values.values()) > HESSIAN_MAX_ENTRIES:
        return None
    wanted = set(wrt)
    _, matrix = hessian(graph, values)
    keep = [
        k
        for k, (name, _) in enumerate((n, idx) for n in graph.variables for idx in np.ndindex(*np.shape(values[n])))
        if name in wanted
    ]
    sub = matrix[np.ix_(keep, keep)]
    if not np.all(np.isfinite(sub)):
        return None
    return float(np.max(np.linalg.eigvalsh((sub + sub.T) / 2)))
