"""Reductions and normalisers: sum, mean, softmax, logsumexp."""

from __future__ import annotations

import math

import numpy as np

from . import Op, ShapeMismatch, register, scalar_shape

CALL = 60


def _size(shape) -> int:
    return math.prod(shape)


register(Op(name="sum", symbol="sum", form="call", arity=1, forward=np.sum, shape=scalar_shape,
            pattern="copies",
            rule="a sum copies the upstream gradient to every entry it added up",
            vjp=lambda g, out, a, need: [np.broadcast_to(g, np.shape(a))],
            vjp_text=lambda a: ("grad * ones(a)",), precedence=CALL, latex=r"\sum {a}"))
register(Op(name="mean", symbol="mean", form="call", arity=1, forward=np.mean, shape=scalar_shape,
            pattern="copies",
            rule="a mean copies the upstream gradient to every entry, divided by the number of entries",
            vjp=lambda g, out, a, need: [np.broadcast_to(g / np.size(a), np.shape(a))],
            vjp_text=lambda a: (f"grad * ones(a) / {_size(a)}",), precedence=CALL,
            latex=r"\operatorname{{mean}}\left({a}\right)"))


def _softmax(a):
    e = np.exp(a - np.max(a))
    return e / np.sum(e)


def _vector_shape(a):
    if len(a) != 1:
        raise ShapeMismatch("softmax takes a vector")
    return a


register(Op(name="softmax", symbol="softmax", form="call", arity=1, forward=_softmax,
            shape=_vector_shape, pattern="mixes",
            rule="softmax's gradient is p * (g - dot(g, p)) with p the output: "
                 "every entry depends on every input",
            vjp=lambda g, out, a, need: [out * (g - np.dot(g, out))],
            vjp_text=lambda a: ("out * (grad - dot(grad, out))",), precedence=CALL,
            latex=r"\operatorname{{softmax}}\left({a}\right)"))


def _logsumexp(a):
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m)))


register(Op(name="logsumexp", symbol="logsumexp", form="call", arity=1, forward=_logsumexp,
            shape=scalar_shape, pattern="mixes",
            rule="logsumexp's gradient is the softmax of its input, times the upstream gradient",
            vjp=lambda g, out, a, need: [g * np.exp(a - out)],
            vjp_text=lambda a: ("grad * exp(a - out)",), precedence=CALL,
            latex=r"\log \sum e^{{{a}}}"))
