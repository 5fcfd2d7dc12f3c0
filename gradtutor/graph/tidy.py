"""Tidy-up rules for the smart constructor: what a student would simplify as they write.

Each rule sees an op's already-tidied operands and returns a simpler
equivalent Expr, or None to keep the node as it is: `x*1` is `x`, `--x` is
`x`, constants gather in front (`2*W.T@q`), transposes move inward. A rule
never changes a value; the property tests check every formula against
reverse mode.
"""

from __future__ import annotations

from collections.abc import Callable

from .expr import Expr, apply, const, zeros
from .terms import (
    common_scale,
    factors,
    half_step,
    is_number,
    is_ones,
    like_terms,
    ones_scale,
    over,
    scalar_const,
    without,
)


def _add(a, b, shape, params):
    if is_number(a, 0):
        return b
    if is_number(b, 0):
        return a
    if a.is_const and not b.is_const and b.shape == shape:
        return apply("add", b, a)  # constants last: x + 1, softmax(s) - onehot(2, 3)
    like = like_terms(a, b, 1, shape) or common_scale(a, b, 1, shape)
    if like is not None:
        return like
    if b.op.name == "neg":
        return apply("sub", a, b.args[0])
    if a.op.name == "neg":
        return apply("sub", b, a.args[0])
    if a is b:
        return apply("mul", const(2.0), a)
    return None


def _sub(a, b, shape, params):
    if is_number(b, 0):
        return a
    if is_number(a, 0):
        return apply("neg", b)
    like = like_terms(a, b, -1, shape) or common_scale(a, b, -1, shape)
    if like is not None:
        return like
    if b.op.name == "neg":
        return apply("add", a, b.args[0])
    if b.is_const and b.shape == () and float(b.value) < 0:
        return apply("add", a, const(-float(b.value)))
    return None


def _lets_divisor_out(params) -> tuple[str, ...]:
    """Where x/n lets its n out: a row total (it meets its rows again), not X.T@dscores or sum(dscores, 0)."""
    return ("sum", "mean", "dot", "sum_axis") if params[1:] == (1,) else ("sum", "mean", "dot")


def _pull_constant(name: str):
    """Linear ops: a scalar constant factor of an operand moves out front, 2*(W@x) -> W.T@(2*q) ... 2*W.T@q."""

    def rule(*args, shape, params):
        for k, arg in enumerate(args):
            if arg.op.name == "mul" and scalar_const(arg.args[0]):
                rest = list(args)
                rest[k] = arg.args[1]
                return apply("mul", arg.args[0], apply(name, *rest, params=params))
            if name in _lets_divisor_out(params) and arg.op.name == "div" and scalar_const(arg.args[1]):
                rest = list(args)  # sum(y/4, 1, keepdims=1) is sum(y, 1, keepdims=1)/4, to gather with y/4
                rest[k] = arg.args[0]
                return apply("div", apply(name, *rest, params=params), arg.args[1])
            if arg.op.name == "neg":
                rest = list(args)
                rest[k] = arg.args[0]
                return apply("neg", apply(name, *rest, params=params))
        return None

    return rule


def _mul(a, b, shape, params):
    if is_ones(a) and b.shape == shape:  # ones(x)*y is y, once y already has the shape
        return b
    if is_ones(b) and a.shape == shape:
        return a
    if a.op.name == "mul" and is_ones(a.args[1]) and a.args[1].shape == shape and b.shape == shape:
        return apply("mul", a.args[0], b)  # reg*ones(W)*W is reg*W
    if is_number(a, 0) or is_number(b, 0):
        return zeros(shape)
    if is_number(a, -1):
        return apply("neg", b)
    if is_number(b, -1):
        return apply("neg", a)
    if b.shape == () and a.shape != () or b.is_const and not a.is_const and b.shape == ():
        return apply("mul", b, a)  # scalars and constants first: 2*x, b*ones(x)
    if a.op.name == "div" and is_ones(a.args[0]) and a.args[1].is_const and b.shape == shape:
        return apply("div", b, a.args[1])  # (ones/n)*y is y/n
    if scalar_const(b.args[0] if b.op.name == "mul" and b.args else None) and not a.is_const:
        return apply("mul", b.args[0], apply("mul", a, b.args[1]))  # gather constants in front
    if a.op.name == "mul" and scalar_const(a.args[0]) and not b.is_const:
        return apply("mul", a.args[0], apply("mul", a.args[1], b))
    if a.op.name == "neg":
        return apply("neg", apply("mul", a.args[0], b))
    if b.op.name == "neg":
        return apply("neg", apply("mul", a, b.args[0]))
    if a.is_const and b.op.name == "mul" and b.args[0].is_const:
        return apply("mul", apply("mul", a, b.args[0]), b.args[1])
    if a.is_const and b.op.name == "div" and b.args[0].is_const:
        return apply("div", apply("mul", a, b.args[0]), b.args[1])
    if b.op.name == "div" and scalar_const(b.args[1]) and not a.is_const:  # p*(y/4) is p*y/4
        return apply("div", apply("mul", a, b.args[0]), b.args[1])
    if a.op.name == "div" and is_number(a.args[0], 1):  # (1/d)*b is b/d
        return apply("div", b, a.args[1])
    if b.op.name == "div" and is_number(b.args[0], 1):
        return apply("div", a, b.args[1])
    if a.is_const and a.shape == () and b.op.name == "mul" and is_ones(b.args[1]) and b.args[0].shape == shape:
        return apply("mul", a, b.args[0])
    if a is b:
        return apply("pow", a, const(2.0))
    return None


def _div(a, b, shape, params):
    if is_number(b, 1):
        return a
    half = half_step(a, b)
    if half is not None:
        return half
    if a.op.name == "mul" and not b.is_const:
        # 2*norm(x)*x/norm(x) is 2*x: the quotient's limit where norm(x) is 0, and the engine's slope there
        chain = factors(a)
        for k, f in enumerate(chain):
            if f is b:
                cancelled = without(chain, k, shape)
                if cancelled is not None:
                    return cancelled
    if a is b and not a.is_const:
        return apply("ones", a) if a.shape else const(1.0)
    if is_number(a, 0):
        return zeros(shape)
    if a.op.name == "neg":
        return apply("neg", apply("div", a.args[0], b))
    if a.is_const and a.shape == () and float(a.value) < 0:  # -1/x is -(1/x): signs float outward
        return apply("neg", apply("div", const(-float(a.value)), b))
    if a.op.name == "mul" and scalar_const(a.args[0]) and scalar_const(b):
        return apply("mul", const(float(a.args[0].value) / float(b.value)), a.args[1])
    if a.op.name == "mul" and is_ones(a.args[0]) and a.args[1].shape == shape:
        return apply("div", a.args[1], b)
    return None


def _neg(a, shape, params):
    if a.op.name == "neg":
        return a.args[0]
    if a.op.name == "sub":
        return apply("sub", a.args[1], a.args[0])
    if a.op.name == "mul" and a.args[0].is_const:
        return apply("mul", apply("neg", a.args[0]), a.args[1])
    return None


def _pow(a, b, shape, params):
    if is_number(b, 1):
        return a
    if is_number(b, 0) and a.shape == ():
        return const(1.0)
    return None


def _transpose(a, shape, params):
    if len(a.shape) <= 1:
        return a
    if a.op.name == "transpose":
        return a.args[0]
    if a.op.name == "matmul":  # (A B)^T = B^T A^T: transposes pushed inward
        return apply("matmul", apply("transpose", a.args[1]), apply("transpose", a.args[0]))
    if a.op.name in ("mul", "div") and a.args[0].shape == ():
        return apply(a.op.name, a.args[0], apply("transpose", a.args[1]))
    if a.op.name in ("mul", "div") and a.args[1].shape == ():  # (p.T/4).T is p/4
        return apply(a.op.name, apply("transpose", a.args[0]), a.args[1])
    if a.op.name == "neg":
        return apply("neg", apply("transpose", a.args[0]))
    return None


def _reduction(name: str):
    """sum and mean of a scalar are the scalar; a constant factor moves out in front."""

    def rule(a, shape, params):
        if a.shape == ():
            return a
        if name == "sum" and a.op.name == "onehot":
            return const(1.0)
        if name == "sum" and a.op.name == "mul" and a.args[0].shape == () and a.args[1].op.name == "onehot":
            return a.args[0]  # sum(c*onehot(i, n)) is c
        return _pull_constant(name)(a, shape=shape, params=params)

    return rule


def _ones(a, shape, params):
    """ones(x + b) is ones(x): walk down to the simplest operand that has the same shape."""
    if a.shape == ():
        return const(1.0)
    simplest = a
    while simplest.args and simplest.op.elementwise:
        same = [x for x in simplest.args if x.shape == simplest.shape]
        if not same:
            break
        simplest = same[0]
    return apply("ones", simplest) if simplest is not a else None


def _sign(a, shape, params):
    """sign(-x) is -sign(x): max(0, m)'s slope (1 - sign(0 - m))/2 then reads (1 + sign(m))/2, that is step(m, 0.5)."""
    return apply("neg", apply("sign", a.args[0])) if a.op.name == "neg" else None


def _outer(a, b, shape, params):
    """outer(ones(v)/4, ones(S[0])) is ones(S)/4: a row sum's gradient copied along every row."""
    left, right = ones_scale(a), ones_scale(b)
    if left and right and right[0] == 1:
        row = right[1].args[0]
        if row.op.name == "subscript" and row.params == (0,) and row.args[0].shape == shape:
            return over(left[0], apply("ones", row.args[0])) if left[0] != 1 else apply("ones", row.args[0])
    return _pull_constant("outer")(a, b, shape=shape, params=params)


RULES: dict[str, Callable[..., Expr | None]] = {
    "sign": _sign,
    "add": _add,
    "sub": _sub,
    "mul": _mul,
    "div": _div,
    "neg": _neg,
    "pow": _pow,
    "transpose": _transpose,
    "sum": _reduction("sum"),
    "mean": _reduction("mean"),
    "ones": _ones,
    "matmul": _pull_constant("matmul"),
    "outer": _outer,
    "dot": _pull_constant("dot"),
    "sum_axis": _pull_constant("sum_axis"),
}
