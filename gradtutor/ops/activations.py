"""Activation functions and the slopes of the kinked ones: sigmoid, softplus, relu, leaky_relu, abs, step, sign.

step(x, h) is numpy's heaviside: the value h at 0 makes the slope of max(0, m), whose tie splits evenly, one call.

sigmoid and softplus are computed in forms that neither overflow nor cancel, so
they are right to a few ulp over the whole float range; log over sigmoid has a
stable one-step form too (the `composed` field of log in elementwise.py).
"""

from __future__ import annotations

import numpy as np

from . import Op, broadcast, register
from .entries import function
from .stable import sigmoid as _sigmoid
from .stable import softplus as _softplus

function(
    name="sigmoid",
    forward=_sigmoid,
    local=(lambda a, out: out * _sigmoid(-a),),  # = (1 - out)*out, without 1 - out losing digits
    local_text=("(1 - out) * out",),
    pattern="scales",
    rule="sigmoid's local gradient is (1 - sigmoid(x)) * sigmoid(x), computed from the output alone",
    latex=r"\sigma\left({a}\right)",
    py="sigmoid({a})",
    py_helper="def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))",
    doc="1 / (1 + e^-x), elementwise",
)
function(
    name="softplus",
    forward=_softplus,
    local=(lambda a, out: _sigmoid(a),),
    local_text=("sigmoid(a)",),
    pattern="scales",
    rule="softplus's local gradient is sigmoid(x)",
    latex=r"\operatorname{{softplus}}\left({a}\right)",
    py="softplus({a})",
    py_helper="def softplus(x):\n    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))",
    doc="log(1 + e^x), computed stably; -softplus(-x) is log(sigmoid(x))",
)


def _relu(a, out=None):
    return np.maximum(a, 0.0, out=out)


function(
    name="relu",
    kink="relu'(0) = 0; the lectures' relu'(0) = 1 is the slope on the right",
    forward=_relu,
    in_place=True,
    # a mask (g * mask is the VJP) read from the value: out > 0 exactly where a > 0 (nan and -0.0
    # included), so an MLP's pre-activation may go and its relu take that memory, a fresh layer less
    local=(lambda a, out: out > 0,),
    local_reads=("out",),
    local_text=("step(a)",),
    pattern="gates",
    rule="a relu passes the upstream gradient where its input was positive and blocks it (0) elsewhere; relu'(0) = 0",
    latex=r"\operatorname{{relu}}\left({a}\right)",
    branch=np.sign,
    py="np.maximum({a}, 0.0)",
    doc="max(0, x), elementwise; relu'(0) = 0",
)
function(
    name="leaky_relu",
    forward=lambda a: np.where(np.asarray(a) > 0, a, 0.01 * np.asarray(a))[()],
    local=(lambda a, out: np.where(np.asarray(a) > 0, 1.0, 0.01)[()],),
    local_text=("0.01 + 0.99*step(a)",),
    pattern="gates",
    rule="a leaky relu passes the upstream gradient where its input was positive and 0.01 times it elsewhere "
    "(also at 0, as PyTorch does)",
    latex=r"\operatorname{{leaky\_relu}}\left({a}\right)",
    branch=np.sign,
    py="np.where({a} > 0, {a}, 0.01 * {a})",
    doc="x where x > 0, else 0.01*x: a relu whose negative side keeps a small slope",
)
function(
    name="abs",
    kink="abs'(0) = 0; the slopes on either side are -1 and 1",
    forward=np.abs,
    local=(lambda a, out: np.sign(a),),
    local_text=("sign(a)",),
    pattern="scales",
    rule="abs's local gradient is the sign of its input (and 0 at 0)",
    latex=r"\left|{a}\right|",
    branch=np.sign,
    doc="|x|, elementwise; abs'(0) = 0",
)
# step and sign appear in derivatives (relu' = step, abs' = sign); their own slope is 0.
function(
    name="step",
    forward=lambda a: (np.asarray(a) > 0).astype(float),
    local=(lambda a, out: np.zeros_like(out),),
    local_text=("0",),
    pattern="blocks",
    rule="step is flat on both sides of 0, so it passes no gradient",
    latex=r"\operatorname{{step}}\left({a}\right)",
    branch=np.sign,
    py="np.heaviside({a}, 0.0)",
    doc="1 where x > 0, else 0: the slope of relu",
)

register(
    Op(
        name="heaviside",
        symbol="step",
        form="call",
        arity=2,
        label="step",
        shape=broadcast,
        forward=np.heaviside,
        # flat in a on both sides of 0; in h only where a is exactly 0, the one place it shows
        local=(lambda a, h, out: np.zeros_like(out), lambda a, h, out: (np.asarray(a) == 0).astype(float)),
        local_text=("0", "1 - abs(sign(a))"),
        pattern="blocks",
        rule="step(a, b) is flat in a on both sides of 0, so a gets no gradient; b counts only where a is exactly 0",
        latex=r"\operatorname{{step}}\left({a}, {b}\right)",
        branch=lambda a, h: np.sign(a),
        py="np.heaviside({a}, {b})",
        doc="step(a) with the value b where a is 0 (numpy's heaviside): step(m, 0.5) is the slope of max(0, m), "
        "whose tie splits evenly",
    )
)
function(
    name="sign",
    forward=lambda a: np.sign(a).astype(float),
    local=(lambda a, out: np.zeros_like(out),),
    local_text=("0",),
    pattern="blocks",
    rule="sign is flat on both sides of 0, so it passes no gradient",
    latex=r"\operatorname{{sign}}\left({a}\right)",
    branch=np.sign,
    doc="-1, 0 or 1: the slope of abs",
)
