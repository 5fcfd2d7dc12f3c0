"""Reductions and normalisers: sum, mean, softmax, log_softmax, logsumexp, max(x), min(x).

The normalisers work on a vector, or on a matrix row by row (the last axis, as
PyTorch's usual dim=-1): a batch of score vectors, one per row.
"""

from __future__ import annotations

import math

import numpy as np

from . import TABLE, Op, ShapeMismatch, register, scalar_shape
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


def _sum_axis_shape(a, axis, keepdims):
    if not -len(a) <= axis < len(a):
        raise ShapeMismatch(f"axis {axis} does not exist for {'a scalar' if not a else f'{len(a)}-D value'}")
    axis %= len(a)
    return a[:axis] + ((1,) if keepdims else ()) + a[axis + 1 :]


def _sum_axis_vjp(g, out, a, need, axis, keepdims):
    if not keepdims:
        g = np.expand_dims(g, axis)
    return [np.broadcast_to(g, np.shape(a))]


def _sum_axis_text(a, axis, keepdims):
    axis %= len(a)
    if keepdims or axis == 0 or len(a) == 1:  # the summed gradient lines up with `a` by broadcasting
        return ("grad * ones(a)",)
    return ("outer(grad, ones(a[0]))",)  # rows: each row's gradient copied along it


register(
    Op(
        name="sum_axis",
        symbol="sum",
        form="call",
        arity=1,
        int_params=2,
        keywords=("axis", "keepdims"),
        defaults=(0,),
        forward=lambda a, axis, keepdims: np.sum(a, axis=axis, keepdims=bool(keepdims)),
        shape=_sum_axis_shape,
        pattern="distributes",
        rule="a sum along an axis is an add gate along that axis: it hands the upstream gradient, unchanged, "
        "back to every entry it added up",
        vjp=_sum_axis_vjp,
        vjp_text=_sum_axis_text,
        latex=r"\sum_{{\text{{axis }} {p0}}} {a}",
        jvp=lambda t, out, a, axis, keepdims: np.sum(t[0], axis=axis, keepdims=bool(keepdims)),
        jvp_text=lambda a, axis, keepdims: "sum(da, " + ", ".join(TABLE["sum_axis"].param_text((axis, keepdims))) + ")",
        py="np.sum({a}, axis={p0}, keepdims={p1})",
        doc="sums along one axis and drops it, as numpy does; keepdims=1 keeps it with size 1",
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


def _rows(a):
    """Row-wise statistics broadcast back against `a` (the last axis, PyTorch's dim=-1)."""
    return np.max(a, axis=-1, keepdims=True)


def _softmax(a):
    e = np.exp(a - _rows(a))
    return e / np.sum(e, axis=-1, keepdims=True)


def _log_softmax(a):
    """x - max - log1p(sum of the other exponentials): at the largest entry the result is tiny, and
    log(1 + small) would round the small part away."""
    a = np.asarray(a, dtype=float)
    shifted = a - _rows(a)
    e = np.exp(shifted)
    np.put_along_axis(e, np.argmax(a, axis=-1)[..., None], 0.0, axis=-1)
    return shifted - np.log1p(np.sum(e, axis=-1, keepdims=True))


def log_softmax_vjp(g, a):
    return g - _softmax(a) * np.sum(g, axis=-1, keepdims=True)


def _logsumexp(a):
    m = _rows(a)
    return (m + np.log(np.sum(np.exp(a - m), axis=-1, keepdims=True)))[..., 0]


def _rowwise_shape(name, reduces):
    def shape(a):
        if len(a) not in (1, 2):
            raise ShapeMismatch(f"{name} takes a vector, or a matrix (row by row)")
        return a[:-1] if reduces else a

    return shape


def _by_rank(vector: str, matrix: str):
    """A formula for a vector input and one for a matrix input (row by row)."""
    return lambda a: (vector if len(a) == 1 else matrix,)


def _softmax_vjp(g, out, a, need):
    return [out * (g - np.sum(g * out, axis=-1, keepdims=True))]


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
        doc="e^x / sum(e^x), of a vector; of a matrix, row by row",
        symbol="softmax",
        form="call",
        arity=1,
        forward=_softmax,
        shape=_rowwise_shape("softmax", reduces=False),
        pattern="mixes",
        rule="softmax's gradient is p * (g - dot(g, p)) with p the output: every entry depends on every input",
        vjp=_softmax_vjp,
        vjp_text=_by_rank("out * (grad - dot(grad, out))", "out * (grad - sum(grad*out, 1, keepdims=1))"),
        latex=r"\operatorname{{softmax}}\left({a}\right)",
        jvp=lambda t, out, a: out * (t[0] - np.sum(out * t[0], axis=-1, keepdims=True)),
        jvp_text=lambda a: "out*(da - dot(out, da))" if len(a) == 1 else "out*(da - sum(out*da, 1, keepdims=1))",
        py="softmax({a})",
        py_helper="def softmax(x):\n    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n"
        "    return e / np.sum(e, axis=-1, keepdims=True)",
    )
)
register(
    Op(
        name="log_softmax",
        doc="log(softmax(x)), computed stably; of a matrix, row by row",
        symbol="log_softmax",
        form="call",
        arity=1,
        forward=_log_softmax,
        shape=_rowwise_shape("log_softmax", reduces=False),
        pattern="mixes",
        rule="log_softmax's gradient is g - softmax(x) * sum(g): the upstream gradient minus the "
        "probabilities times its total",
        vjp=lambda g, out, a, need: [log_softmax_vjp(g, a)],
        vjp_text=_by_rank("grad - sum(grad)*softmax(a)", "grad - softmax(a)*sum(grad, 1, keepdims=1)"),
        latex=r"\log\operatorname{{softmax}}\left({a}\right)",
        jvp=lambda t, out, a: t[0] - np.sum(np.exp(out) * t[0], axis=-1, keepdims=True),
        jvp_text=lambda a: "da - dot(softmax(a), da)" if len(a) == 1 else "da - sum(softmax(a)*da, 1, keepdims=1)",
        py="log_softmax({a})",
        py_helper="def log_softmax(x):\n    s = x - np.max(x, axis=-1, keepdims=True)\n"
        "    return s - np.log(np.sum(np.exp(s), axis=-1, keepdims=True))",
    )
)


def _logsumexp_vjp(g, out, a, need):
    """g * softmax(a), as the formula says: exp(a - out) would lose the digits of out that
    round away when |a| is large (2e-7 of the gradient at 1e10)."""
    return [np.expand_dims(g, -1) * _softmax(a)]


register(
    Op(
        name="logsumexp",
        doc="log(sum(e^x)), computed stably; of a matrix, one per row",
        symbol="logsumexp",
        form="call",
        arity=1,
        forward=_logsumexp,
        shape=_rowwise_shape("logsumexp", reduces=True),
        pattern="mixes",
        rule="logsumexp's gradient is the softmax of its input, times the upstream gradient",
        vjp=_logsumexp_vjp,
        vjp_text=_by_rank("grad * softmax(a)", "(grad * softmax(a).T).T"),
        latex=r"\log \sum e^{{{a}}}",
        jvp=lambda t, out, a: np.sum(_softmax(a) * t[0], axis=-1),
        jvp_text=lambda a: "dot(softmax(a), da)" if len(a) == 1 else "sum(softmax(a)*da, 1)",
        py="logsumexp({a})",
        py_helper="def logsumexp(x):\n    m = np.max(x, axis=-1, keepdims=True)\n"
        "    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]",
    )
)


def _extreme(name: str, pick, gap: str):
    """max(x) or min(x) over all entries: the gradient goes to the winning entry; entries tied for the
    win share it evenly (PyTorch's rule for a full reduction). `gap` is out - a for max (and a - out
    for min): 0 exactly at the winners, so 1 - sign(gap) marks them."""

    def winners(a, out):
        return (np.asarray(a) == out).astype(float)

    def vjp(g, out, a, need):
        mask = winners(a, out)
        return [g * mask / np.sum(mask)]

    def jvp(t, out, a):
        mask = winners(a, out)
        return np.sum(mask * t[0]) / np.sum(mask)

    mark = f"(1 - sign({gap}))"
    every = TypicalMistake(
        code="route",
        wrong=lambda c: [np.broadcast_to(c.scale, np.shape(c.own))] if np.ndim(c.own) else [],
        message=f"{name}(x) routes the gradient to the {'largest' if name == 'max' else 'smallest'} entry "
        "only; every other entry gets 0 (a sum would hand it to all of them)",
    )
    register(
        Op(
            name=f"{name}_all",
            symbol=name,
            form="call",
            arity=1,
            forward=pick,
            shape=scalar_shape,
            branch=lambda a: np.argmax(a) if name == "max" else np.argmin(a),
            pattern="routes",
            rule=f"{name}(x) routes the whole upstream gradient to the {'largest' if name == 'max' else 'smallest'} "
            "entry and 0 to the others (entries tied for it share it evenly)",
            mistakes=(every,),
            vjp=vjp,
            vjp_text=lambda a: (f"grad * {mark} / sum({mark})",),
            jvp=jvp,
            jvp_text=lambda a: f"sum({mark}*da) / sum({mark})",
            latex=rf"\{name}\left({{a}}\right)",
            py=f"np.{name}({{a}})",
            doc=f"the {'largest' if name == 'max' else 'smallest'} entry; its gradient goes to that entry "
            "(ties share it evenly)",
        )
    )


_extreme("max", np.max, "out - a")
_extreme("min", np.min, "a - out")
