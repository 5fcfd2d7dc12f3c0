"""Elementwise operations: each entry gives its local derivatives.

Binary operations broadcast like numpy; the engine un-broadcasts their
gradients. A local derivative is written twice, as numpy and as a formula over
`a`, `b` (the inputs) and `out` (the node's value); the table tests keep the
two in agreement.
"""

from __future__ import annotations

import operator

import numpy as np

from . import TABLE, Op, register, same_shape
from .entries import function, infix
from .stable import sigmoid, softplus


def _nonzero(what: str):
    def check(a, b):
        if np.any(np.asarray(b) == 0):
            return f"division by zero: the {what} is 0"
        return None

    return check


def _pow_domain(a, b):
    if np.ndim(b) == 0 and float(b) >= 0 and float(b).is_integer():
        return None  # a whole, non-negative power is defined everywhere
    a, b = np.asarray(a), np.asarray(b)
    if np.any((a < 0) & (b != np.round(b))):
        return "a negative number raised to a fractional power is not a real number"
    if np.any((a == 0) & (b < 0)):
        return "0 raised to a negative power divides by zero"
    return None


infix(
    name="add",
    symbol="+",
    title="add",
    forward=np.add,
    scalar=operator.add,
    local=(1, 1),
    local_text=("1", "1"),
    pattern="distributes",
    rule="an add gate hands the upstream gradient unchanged to each of its inputs",
    latex=r"{a} + {b}",
    gate=("+{c}", "+{c}"),
    with_constant=(
        "passes through",
        "adding a constant (c + x) has local gradient 1: the gradient passes through unchanged",
    ),
)
infix(
    name="sub",
    symbol="-",
    title="subtract",
    forward=np.subtract,
    scalar=operator.sub,
    local=(1, -1),
    local_text=("1", "-1"),
    pattern="distributes",
    rule="a subtract gate hands the upstream gradient to its left input and its negative to its right input",
    latex=r"{a} - {b}",
    with_constant=(
        "passes through",
        "subtracting a constant has local gradient 1 (and x subtracted from a constant gets -1)",
    ),
)
infix(
    name="mul",
    symbol="*",
    title="multiply",
    forward=np.multiply,
    scalar=operator.mul,
    local=(lambda a, b, out: b, lambda a, b, out: a),
    local_text=("b", "a"),
    pattern="swaps",
    rule="a multiply gate swaps its inputs: each input's gradient is the upstream gradient times the other "
    "input's value",
    latex=r"{a} \cdot {b}",
    gate=("*{c}", "*{c}"),
    with_constant=(
        "scales",
        "multiplying by a constant a has local gradient a: the gradient is scaled by the same constant",
    ),
)
infix(
    name="div",
    symbol="/",
    title="divide",
    forward=np.divide,
    scalar=operator.truediv,
    local=(lambda a, b, out: 1.0 / b, lambda a, b, out: -a / (b * b)),
    local_text=("1 / b", "-a / b^2"),
    pattern="scales",
    rule="for a / b, the numerator's local gradient is 1/b and the denominator's is -a/b^2",
    latex=r"\frac{{{a}}}{{{b}}}",
    domain=_nonzero("denominator"),
    gate=("{c}/x", "/{c}"),
    with_constant=("scales", "for c / x the local gradient is -c/x^2 (1/x gives -1/x^2); for x / c it is 1/c"),
)


def _exponent_rule(a, out):
    """log(a)*a^b, with its limit 0 where a^b is 0 (0^2): log(0) = -inf times 0 would be nan."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(out) == 0, 0.0, np.log(a) * out)[()]


def _tie_split(win, lose):
    """1 where `win` is larger, 0 where smaller, and 1/2 on a tie: PyTorch's split of a max or min tie,
    which is also the average of the two one-sided derivatives."""
    return 0.5 * (1.0 + np.sign(np.subtract(win, lose)))


def _power_rule(a, b, out):
    if np.ndim(b) == 0 and b == 2:
        return 2.0 * a  # the common square, without a second power
    return b * np.power(a, b - 1)


infix(
    name="pow",
    symbol="^",
    title="power",
    forward=np.power,
    py="{a} ** {b}",
    local=(_power_rule, lambda a, b, out: _exponent_rule(a, out)),
    local_text=("b * a^(b - 1)", "log(a) * out"),
    pattern="power rule",
    rule="for a^b, the base's local gradient is b*a^(b-1) (the power rule) and the exponent's is log(a)*a^b",
    latex=r"{a}^{{{b}}}",
    domain=_pow_domain,
    gate=("{c}^x", "^{c}"),
)
function(
    name="max",
    kink="on a tie max splits the gradient evenly; all of it to either input is a one-sided slope",
    arity=2,
    forward=np.maximum,
    py="np.maximum({a}, {b})",
    local=(lambda a, b, out: _tie_split(a, b), lambda a, b, out: _tie_split(b, a)),
    local_text=("(1 + sign(a - b))/2", "(1 - sign(a - b))/2"),
    pattern="routes",
    rule="a max gate routes the whole upstream gradient to the larger input and zero to the other "
    "(on a tie, half to each, as PyTorch does)",
    latex=r"\max\left({a}, {b}\right)",
    branch=lambda a, b: np.sign(a - b),
    doc="elementwise maximum; a tie splits the gradient evenly",
)
function(
    name="min",
    kink="on a tie min splits the gradient evenly; all of it to either input is a one-sided slope",
    arity=2,
    forward=np.minimum,
    py="np.minimum({a}, {b})",
    local=(lambda a, b, out: _tie_split(b, a), lambda a, b, out: _tie_split(a, b)),
    local_text=("(1 - sign(a - b))/2", "(1 + sign(a - b))/2"),
    pattern="routes",
    rule="a min gate routes the whole upstream gradient to the smaller input and zero to the other "
    "(on a tie, half to each, as PyTorch does)",
    latex=r"\min\left({a}, {b}\right)",
    branch=lambda a, b: np.sign(a - b),
    doc="elementwise minimum; a tie splits the gradient evenly",
)

register(
    Op(
        name="neg",
        symbol="-",
        form="prefix",
        arity=1,
        forward=np.negative,
        scalar=operator.neg,
        shape=same_shape,
        label="*-1",
        title="negation",
        local=(-1,),
        local_text=("-1",),
        pattern="flips",
        rule="a negation gate (times -1) passes the upstream gradient on with its sign flipped",
        latex=r"-{a}",
        py="-{a}",
    )
)


def _reduce():
    from . import reduce

    return reduce


def _positive(what):
    def check(a):
        if np.any(np.asarray(a) <= 0):
            return f"{what} needs a positive input"
        return None

    return check


def _nonnegative(a):
    if np.any(np.asarray(a) < 0):
        return "sqrt needs a non-negative input"
    return None


function(
    name="exp",
    forward=np.exp,
    local=(lambda a, out: out,),
    local_reads=("out",),
    local_text=("out",),
    pattern="scales",
    rule="exp's local gradient is exp(x) itself: the node's own output",
    latex=r"e^{{{a}}}",
    doc="e^x, elementwise",
)
function(
    name="log",
    forward=np.log,
    local=(lambda a, out: 1.0 / a,),
    local_text=("1 / a",),
    pattern="scales",
    rule="log's local gradient is 1/x",
    latex=r"\log\left({a}\right)",
    domain=_positive("log"),
    composed={  # inner op -> (value from x, VJP from (g, x), the VJP as a formula over x and grad)
        "sigmoid": (
            lambda x: -softplus(-x),
            lambda g, x: g * sigmoid(-x),
            lambda x: "grad * (1 - sigmoid(x))",
        ),
        "softmax": (
            lambda x: _reduce()._log_softmax(x),
            lambda g, x: _reduce().log_softmax_vjp(g, x),
            lambda x: TABLE["log_softmax"].vjp_text(x)[0].replace("(a)", "(x)"),
        ),
    },
    doc="the natural logarithm, elementwise",
)
function(
    name="sqrt",
    forward=np.sqrt,
    local=(lambda a, out: 0.5 / out,),
    local_reads=("out",),
    local_text=("1 / (2 * out)",),
    pattern="scales",
    rule="sqrt's local gradient is 1/(2*sqrt(x)): one over twice the output",
    latex=r"\sqrt{{{a}}}",
    domain=_nonnegative,
    doc="the square root, elementwise",
)
function(
    name="sin",
    forward=np.sin,
    local=(lambda a, out: np.cos(a),),
    local_text=("cos(a)",),
    pattern="scales",
    rule="sin's local gradient is cos(x)",
    latex=r"\sin\left({a}\right)",
    doc="sine, elementwise",
)
function(
    name="cos",
    forward=np.cos,
    local=(lambda a, out: -np.sin(a),),
    local_text=("-sin(a)",),
    pattern="scales",
    rule="cos's local gradient is -sin(x)",
    latex=r"\cos\left({a}\right)",
    doc="cosine, elementwise",
)
function(
    name="tan",
    forward=np.tan,
    local=(lambda a, out: 1.0 + out * out,),
    local_reads=("out",),
    local_text=("1 + out^2",),
    pattern="scales",
    rule="tan's local gradient is 1 + tan(x)^2",
    latex=r"\tan\left({a}\right)",
    doc="tangent, elementwise",
)
function(
    name="tanh",
    forward=np.tanh,
    local=(lambda a, out: 1.0 - out * out,),
    local_reads=("out",),
    local_text=("1 - out^2",),
    pattern="scales",
    rule="tanh's local gradient is 1 - tanh(x)^2: one minus the output squared",
    latex=r"\tanh\left({a}\right)",
    doc="hyperbolic tangent, elementwise",
)
