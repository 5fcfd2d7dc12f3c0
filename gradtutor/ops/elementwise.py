"""Elementwise operations: each entry gives its local derivatives.

Binary operations broadcast like numpy; the engine un-broadcasts their
gradients. A local derivative is written twice, as numpy and as a formula over
`a`, `b` (the inputs) and `out` (the node's value); the table tests keep the
two in agreement.
"""

from __future__ import annotations

import numpy as np

from . import Op, broadcast, register, same_shape

ADD, MUL, NEG, POW, POSTFIX, CALL = 10, 20, 30, 40, 50, 60


def _nonzero(what: str):
    def check(a, b):
        if np.any(np.asarray(b) == 0):
            return f"division by zero: the {what} is 0"
        return None

    return check


def _pow_domain(a, b):
    if np.ndim(b) == 0 and float(b) >= 0 and float(b) == int(b):
        return None  # a whole, non-negative power is defined everywhere
    a, b = np.asarray(a), np.asarray(b)
    if np.any((a < 0) & (b != np.round(b))):
        return "a negative number raised to a fractional power is not a real number"
    if np.any((a == 0) & (b < 0)):
        return "0 raised to a negative power divides by zero"
    return None


def _binary(name, symbol, forward, local, local_text, pattern, rule, precedence, latex, **kw):
    py = "{a} ** {b}" if name == "pow" else f"{{a}} {symbol} {{b}}"
    return register(
        Op(
            name=name,
            symbol=symbol,
            form="infix",
            arity=2,
            forward=forward,
            shape=broadcast,
            pattern=pattern,
            rule=rule,
            local=local,
            local_text=local_text,
            precedence=precedence,
            latex=latex,
            py=py,
            **kw,
        )
    )


def _function(name, forward, local, local_text, pattern, rule, latex, arity=1, **kw):
    shape = same_shape if arity == 1 else broadcast
    kw.setdefault("py", f"np.{name}({{a}})")
    return register(
        Op(
            name=name,
            symbol=name,
            form="call",
            arity=arity,
            forward=forward,
            shape=shape,
            pattern=pattern,
            rule=rule,
            local=local,
            local_text=local_text,
            precedence=CALL,
            latex=latex,
            **kw,
        )
    )


_binary(
    "add",
    "+",
    np.add,
    (1, 1),
    ("1", "1"),
    "distributes",
    "an add gate hands the upstream gradient unchanged to each of its inputs",
    ADD,
    r"{a} + {b}",
    gate=("+{c}", "+{c}"),
    with_constant=(
        "passes through",
        "adding a constant (c + x) has local gradient 1: the gradient passes through unchanged",
    ),
)
_binary(
    "sub",
    "-",
    np.subtract,
    (1, -1),
    ("1", "-1"),
    "distributes",
    "a subtract gate hands the upstream gradient to its left input and its negative to its right input",
    ADD,
    r"{a} - {b}",
    with_constant=(
        "passes through",
        "subtracting a constant has local gradient 1 (and x subtracted from a constant gets -1)",
    ),
)
_binary(
    "mul",
    "*",
    np.multiply,
    (lambda a, b, out: b, lambda a, b, out: a),
    ("b", "a"),
    "swaps",
    "a multiply gate swaps its inputs: each input's gradient is the upstream gradient times the other input's value",
    MUL,
    r"{a} \cdot {b}",
    gate=("*{c}", "*{c}"),
    with_constant=(
        "scales",
        "multiplying by a constant a has local gradient a: the gradient is scaled by the same constant",
    ),
)
_binary(
    "div",
    "/",
    np.divide,
    (lambda a, b, out: 1.0 / b, lambda a, b, out: -a / (b * b)),
    ("1 / b", "-a / b^2"),
    "scales",
    "for a / b, the numerator's local gradient is 1/b and the denominator's is -a/b^2",
    MUL,
    r"\frac{{{a}}}{{{b}}}",
    domain=_nonzero("denominator"),
    gate=("{c}/x", "/{c}"),
    with_constant=("scales", "for c / x the local gradient is -c/x^2 (1/x gives -1/x^2); for x / c it is 1/c"),
)


def _power_rule(a, b, out):
    if np.ndim(b) == 0 and b == 2:
        return 2.0 * a  # the common square, without a second power
    return b * np.power(a, b - 1)


_binary(
    "pow",
    "^",
    np.power,
    (_power_rule, lambda a, b, out: np.log(a) * out),
    ("b * a^(b - 1)", "log(a) * out"),
    "power rule",
    "for a^b, the base's local gradient is b*a^(b-1) (the power rule) and the exponent's is log(a)*a^b",
    POW,
    r"{a}^{{{b}}}",
    domain=_pow_domain,
    gate=("{c}^x", "^{c}"),
)
_function(
    "max",
    np.maximum,
    (lambda a, b, out: (a >= b).astype(float), lambda a, b, out: (b > a).astype(float)),
    ("1 - step(b - a)", "step(b - a)"),
    "routes",
    "a max gate routes the whole upstream gradient to the larger input and zero to the other (on a tie, to the first)",
    r"\max\left({a}, {b}\right)",
    arity=2,
    branch=lambda a, b: np.sign(a - b),
    py="np.maximum({a}, {b})",
)
_function(
    "min",
    np.minimum,
    (lambda a, b, out: (a <= b).astype(float), lambda a, b, out: (b < a).astype(float)),
    ("1 - step(a - b)", "step(a - b)"),
    "routes",
    "a min gate routes the whole upstream gradient to the smaller input and zero to the other (on a tie, to the first)",
    r"\min\left({a}, {b}\right)",
    arity=2,
    branch=lambda a, b: np.sign(a - b),
    py="np.minimum({a}, {b})",
)

register(
    Op(
        name="neg",
        symbol="-",
        form="prefix",
        arity=1,
        forward=np.negative,
        shape=same_shape,
        pattern="flips",
        rule="a negation gate (times -1) passes the upstream gradient on with its sign flipped",
        local=(-1,),
        local_text=("-1",),
        precedence=NEG,
        latex=r"-{a}",
        py="-{a}",
    )
)


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


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


_CHAIN = "scales"
_function(
    "exp",
    np.exp,
    (lambda a, out: out,),
    ("out",),
    _CHAIN,
    "exp's local gradient is exp(x) itself: the node's own output",
    r"e^{{{a}}}",
)
_function(
    "log",
    np.log,
    (lambda a, out: 1.0 / a,),
    ("1 / a",),
    _CHAIN,
    "log's local gradient is 1/x",
    r"\log\left({a}\right)",
    domain=_positive("log"),
)
_function(
    "sqrt",
    np.sqrt,
    (lambda a, out: 0.5 / out,),
    ("1 / (2 * out)",),
    _CHAIN,
    "sqrt's local gradient is 1/(2*sqrt(x)): one over twice the output",
    r"\sqrt{{{a}}}",
    domain=_nonnegative,
)
_function(
    "sin",
    np.sin,
    (lambda a, out: np.cos(a),),
    ("cos(a)",),
    _CHAIN,
    "sin's local gradient is cos(x)",
    r"\sin\left({a}\right)",
)
_function(
    "cos",
    np.cos,
    (lambda a, out: -np.sin(a),),
    ("-sin(a)",),
    _CHAIN,
    "cos's local gradient is -sin(x)",
    r"\cos\left({a}\right)",
)
_function(
    "tan",
    np.tan,
    (lambda a, out: 1.0 + out * out,),
    ("1 + out^2",),
    _CHAIN,
    "tan's local gradient is 1 + tan(x)^2",
    r"\tan\left({a}\right)",
)
_function(
    "tanh",
    np.tanh,
    (lambda a, out: 1.0 - out * out,),
    ("1 - out^2",),
    _CHAIN,
    "tanh's local gradient is 1 - tanh(x)^2: one minus the output squared",
    r"\tanh\left({a}\right)",
)
_function(
    "sigmoid",
    _sigmoid,
    (lambda a, out: (1.0 - out) * out,),
    ("(1 - out) * out",),
    _CHAIN,
    "sigmoid's local gradient is (1 - sigmoid(x)) * sigmoid(x), computed from the output alone",
    r"\sigma\left({a}\right)",
    py="sigmoid({a})",
    py_helper="def sigmoid(x):\n    return 1 / (1 + np.exp(-x))",
)
_function(
    "relu",
    lambda a: np.maximum(a, 0.0),
    (lambda a, out: a > 0,),  # a mask; g * mask is the VJP
    ("step(a)",),
    "gates",
    "a relu passes the upstream gradient where its input was positive and blocks it (0) elsewhere; relu'(0) = 0",
    r"\operatorname{{relu}}\left({a}\right)",
    branch=np.sign,
    py="np.maximum({a}, 0.0)",
)
_function(
    "abs",
    np.abs,
    (lambda a, out: np.sign(a),),
    ("sign(a)",),
    _CHAIN,
    "abs's local gradient is the sign of its input (and 0 at 0)",
    r"\left|{a}\right|",
    branch=np.sign,
)
# step and sign appear in derivatives (relu' = step, abs' = sign); their own slope is 0.
_function(
    "step",
    lambda a: (np.asarray(a) > 0).astype(float),
    (lambda a, out: np.zeros_like(out),),
    ("0",),
    "blocks",
    "step is flat on both sides of 0, so it passes no gradient",
    r"\operatorname{{step}}\left({a}\right)",
    branch=np.sign,
    py="np.heaviside({a}, 0.0)",
    doc="1 where x > 0, else 0: the slope of relu",
)
_function(
    "sign",
    lambda a: np.sign(a).astype(float),
    (lambda a, out: np.zeros_like(out),),
    ("0",),
    "blocks",
    "sign is flat on both sides of 0, so it passes no gradient",
    r"\operatorname{{sign}}\left({a}\right)",
    branch=np.sign,
    doc="-1, 0 or 1: the slope of abs",
)
