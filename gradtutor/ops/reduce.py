"""Reductions and normalisers: sum, mean, softmax, logsumexp."""

from __future__ import annotations

import math

import numpy as np

from . import Op, ShapeMismatch, register, scalar_shape
from .patterns import TypicalMistake


def _size(shape) -> int:
    return math.prod(shape)


register(
    Op(
        name="sum",
        doc="the sum of all entries",
        symbol="sum",
        form="call",
        arity=1,
        forward=np.sum,
        shape=scalar_shape,
        pattern="distributes",
        rule="a sum is an add gate with many inputs: it hands the upstream gradient, unchanged, to every entry "
        "it added up",
        vjp=lambda g, out, a, need: [np.broadcast_to(g, np.shape(a))],
        vjp_text=lambda a: ("grad * ones(a)",),
        latex=r"\sum {a}",
        jvp=lambda t, out, a: np.sum(t[0]),
        jvp_text=lambda a: "sum(da)",
        py="np.sum({a})",
    )
)


def _sum_axis_shape(a, axis):
    if not 0 <= axis < len(a):
        raise ShapeMismatch(f"axis {axis} does not exist for {'a scalar' if not a else f'{len(a)}-D value'}")
    return a[:axis] + (1,) + a[axis + 1 :]


register(
    Op(
        name="sum_axis",
        symbol="sum",
        form="call",
        arity=1,
        int_params=1,
        forward=lambda a, axis: np.sum(a, axis=axis, keepdims=True),
        shape=_sum_axis_shape,
        pattern="distributes",
        rule="a sum along an axis is an add gate along that axis: it hands the upstream gradient, unchanged, "
        "back to every entry it added up",
        vjp=lambda g, out, a, need, axis: [np.broadcast_to(g, np.shape(a))],
        vjp_text=lambda a, axis: ("grad * ones(a)",),
        latex=r"\sum_{{\text{{axis }} {p0}}} {a}",
        jvp=lambda t, out, a, axis: np.sum(t[0], axis=axis, keepdims=True),
        jvp_text=lambda a, axis: f"sum(da, {axis})",
        py="np.sum({a}, axis={p0}, keepdims=True)",
        doc="sums along one axis and keeps it with size 1, so it still lines up with x",
    )
)
register(
    Op(
        name="mean",
        doc="the mean of all entries",
        symbol="mean",
        form="call",
        arity=1,
        forward=np.mean,
        shape=scalar_shape,
        pattern="distributes",
        rule="a mean hands every entry the upstream gradient divided by the number of entries",
        vjp=lambda g, out, a, need: [np.broadcast_to(g / np.size(a), np.shape(a))],
        vjp_text=lambda a: (f"grad * ones(a) / {_size(a)}",),
        latex=r"\operatorname{{mean}}\left({a}\right)",
        jvp=lambda t, out, a: np.mean(t[0]),
        jvp_text=lambda a: "mean(da)",
        py="np.mean({a})",
    )
)


def _softmax(a):
    e = np.exp(a - np.max(a))
    return e / np.sum(e)


def _vector_shape(a):
    if len(a) != 1:
        raise ShapeMismatch("softmax takes a vector")
    return a


def _after_cross_entropy(c) -> bool:
    """Whether the right answer is p - onehot(y): softmax followed by cross-entropy."""
    gap = np.asarray(c.out, dtype=float) - np.asarray(c.answer, dtype=float)
    return gap.ndim == 1 and np.allclose(np.sort(gap), np.eye(gap.size)[-1], atol=1e-9)


# With cross-entropy, softmax's downstream gradient is p - onehot(y): the classic slips
# subtract 1 from every entry, or forget the onehot altogether.
SOFTMAX_MISTAKES = (
    TypicalMistake(
        code="onehot",
        wrong=lambda c: [np.asarray(c.out) - 1.0] if _after_cross_entropy(c) else [],
        message="that subtracts 1 from every entry; with cross-entropy the gradient is p - onehot(y): "
        "subtract 1 only at the correct class",
    ),
    TypicalMistake(
        code="onehot",
        wrong=lambda c: [c.out] if _after_cross_entropy(c) else [],
        message="that is p alone; with cross-entropy the gradient is p - onehot(y): the correct class also loses 1",
    ),
)


register(
    Op(
        name="softmax",
        mistakes=SOFTMAX_MISTAKES,
        doc="e^x / sum(e^x), of a vector",
        symbol="softmax",
        form="call",
        arity=1,
        forward=_softmax,
        shape=_vector_shape,
        pattern="mixes",
        rule="softmax's gradient is p * (g - dot(g, p)) with p the output: every entry depends on every input",
        vjp=lambda g, out, a, need: [out * (g - np.dot(g, out))],
        vjp_text=lambda a: ("out * (grad - dot(grad, out))",),
        latex=r"\operatorname{{softmax}}\left({a}\right)",
        jvp=lambda t, out, a: out * (t[0] - np.dot(out, t[0])),
        jvp_text=lambda a: "out*(da - dot(out, da))",
        py="softmax({a})",
        py_helper="def softmax(x):\n    e = np.exp(x - np.max(x))\n    return e / np.sum(e)",
    )
)


def _logsumexp(a):
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m)))


register(
    Op(
        name="logsumexp",
        doc="log(sum(e^x)), computed stably",
        symbol="logsumexp",
        form="call",
        arity=1,
        forward=_logsumexp,
        shape=scalar_shape,
        pattern="mixes",
        rule="logsumexp's gradient is the softmax of its input, times the upstream gradient",
        vjp=lambda g, out, a, need: [g * np.exp(a - out)],
        vjp_text=lambda a: ("grad * exp(a - out)",),
        latex=r"\log \sum e^{{{a}}}",
        jvp=lambda t, out, a: np.sum(np.exp(a - out) * t[0]),
        jvp_text=lambda a: "sum(exp(a - out)*da)",
        py="logsumexp({a})",
        py_helper="def logsumexp(x):\n    m = np.max(x)\n    return m + np.log(np.sum(np.exp(x - m)))",
    )
)
