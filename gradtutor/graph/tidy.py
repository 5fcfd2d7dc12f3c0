"""Tidy-up rules for the smart constructor: what a student would simplify as they write.

Each rule sees an op's already-tidied operands and returns a simpler
equivalent Expr, or None to keep the node as it is: `x*1` is `x`, `--x` is
`x`, constants gather in front (`2*W.T@q`), transposes move inward. A rule
never changes a value; the property tests check every formula against
reverse mode.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .expr import Expr, apply, const, zeros


def _is(e: Expr, number: float) -> bool:
    return e.is_const and bool(np.all(np.asarray(e.value) == number))


def _coefficient(e: Expr) -> tuple[float, Expr]:
    """c*x as (c, x); -x as (-1, x); anything else as (1, itself): for collecting like terms."""
    if e.op.name == "mul" and _scalar_const(e.args[0]):
        return float(e.args[0].value), e.args[1]
    if e.op.name == "neg":
        c, x = _coefficient(e.args[0])
        return -c, x
    return 1.0, e


def _like_terms(a, b, sign, shape):
    """2*x + 3*x is 5*x and 2*x - x is x: terms with the same symbolic part gather."""
    (ca, xa), (cb, xb) = _coefficient(a), _coefficient(b)
    if xa is not xb or xa.is_const or xa.shape != shape:
        return None
    return apply("mul", const(ca + sign * cb), xa)


def _add(a, b, shape, params):
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    if a.is_const and not b.is_const and b.shape == shape:
        return apply("add", b, a)  # constants last: x + 1, softmax(s) - onehot(2, 3)
    like = _like_terms(a, b, 1, shape)
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
    if _is(b, 0):
        return a
    if _is(a, 0):
        return apply("neg", b)
    like = _like_terms(a, b, -1, shape)
    if like is not None:
        return like
    if b.op.name == "neg":
        return apply("add", a, b.args[0])
    if b.is_const and b.shape == () and float(b.value) < 0:
        return apply("add", a, const(-float(b.value)))
    return None


def _is_ones(e: Expr) -> bool:
    return e.op.name == "ones" or _is(e, 1)


def _scalar_const(e: Expr | None) -> bool:
    return e is not None and e.is_const and e.shape == ()


def _pull_constant(name: str):
    """Linear ops: a scalar constant factor of an operand moves out front, 2*(W@x) -> W.T@(2*q) ... 2*W.T@q."""

    def rule(*args, shape, params):
        for k, arg in enumerate(args):
            if arg.op.name == "mul" and _scalar_const(arg.args[0]):
                rest = list(args)
                rest[k] = arg.args[1]
                return apply("mul", arg.args[0], apply(name, *rest, params=params))
            if arg.op.name == "neg":
                rest = list(args)
                rest[k] = arg.args[0]
                return apply("neg", apply(name, *rest, params=params))
        return None

    return rule


def _factors(e: Expr) -> list[Expr]:
    """The factors of a product chain a*b*c (left to right)."""
    out: list[Expr] = []
    stack = [e]
    while stack:
        x = stack.pop()
        if x.op.name == "mul":
            stack.extend((x.args[1], x.args[0]))
        else:
            out.append(x)
    return out


def _product(factors: list[Expr]) -> Expr:
    result = factors[0]
    for f in factors[1:]:
        result = apply("mul", result, f)
    return result


def _without(factors: list[Expr], k: int, shape) -> Expr | None:
    """The product with factor k left out, if anything is left and it keeps the shape."""
    rest = factors[:k] + factors[k + 1 :]
    if not rest:
        return None
    product = _product(rest)
    return product if product.shape == shape else None


def _mul(a, b, shape, params):
    if _is_ones(a) and b.shape == shape:  # ones(x)*y is y, once y already has the shape
        return b
    if _is_ones(b) and a.shape == shape:
        return a
    if a.op.name == "mul" and _is_ones(a.args[1]) and a.args[1].shape == shape and b.shape == shape:
        return apply("mul", a.args[0], b)  # reg*ones(W)*W is reg*W
    if _is(a, 0) or _is(b, 0):
        return zeros(shape)
    if _is(a, -1):
        return apply("neg", b)
    if _is(b, -1):
        return apply("neg", a)
    if b.shape == () and a.shape != () or b.is_const and not a.is_const and b.shape == ():
        return apply("mul", b, a)  # scalars and constants first: 2*x, b*ones(x)
    if a.op.name == "div" and _is_ones(a.args[0]) and a.args[1].is_const and b.shape == shape:
        return apply("div", b, a.args[1])  # (ones/n)*y is y/n
    if _scalar_const(b.args[0] if b.op.name == "mul" and b.args else None) and not a.is_const:
        return apply("mul", b.args[0], apply("mul", a, b.args[1]))  # gather constants in front
    if a.op.name == "mul" and _scalar_const(a.args[0]) and not b.is_const:
        return apply("mul", a.args[0], apply("mul", a.args[1], b))
    if a.op.name == "neg":
        return apply("neg", apply("mul", a.args[0], b))
    if b.op.name == "neg":
        return apply("neg", apply("mul", a, b.args[0]))
    if a.is_const and b.op.name == "mul" and b.args[0].is_const:
        return apply("mul", apply("mul", a, b.args[0]), b.args[1])
    if a.is_const and b.op.name == "div" and b.args[0].is_const:
        return apply("div", apply("mul", a, b.args[0]), b.args[1])
    if a.op.name == "div" and _is(a.args[0], 1):  # (1/d)*b is b/d
        return apply("div", b, a.args[1])
    if b.op.name == "div" and _is(b.args[0], 1):
        return apply("div", a, b.args[1])
    if a.is_const and a.shape == () and b.op.name == "mul" and _is_ones(b.args[1]) and b.args[0].shape == shape:
        return apply("mul", a, b.args[0])
    if a is b:
        return apply("pow", a, const(2.0))
    return None


def _div(a, b, shape, params):
    if _is(b, 1):
        return a
    if a.op.name == "mul" and not b.is_const:
        # 2*norm(x)*x/norm(x) is 2*x: the quotient's limit where norm(x) is 0, and the engine's slope there
        factors = _factors(a)
        for k, f in enumerate(factors):
            if f is b:
                cancelled = _without(factors, k, shape)
                if cancelled is not None:
                    return cancelled
    if a is b and not a.is_const:
        return apply("ones", a) if a.shape else const(1.0)
    if _is(a, 0):
        return zeros(shape)
    if a.op.name == "neg":
        return apply("neg", apply("div", a.args[0], b))
    if a.is_const and a.shape == () and float(a.value) < 0:  # -1/x is -(1/x): signs float outward
        return apply("neg", apply("div", const(-float(a.value)), b))
    if a.op.name == "mul" and _scalar_const(a.args[0]) and _scalar_const(b):
        return apply("mul", const(float(a.args[0].value) / float(b.value)), a.args[1])
    if a.op.name == "mul" and _is_ones(a.args[0]) and a.args[1].shape == shape:
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
    if _is(b, 1):
        return a
    if _is(b, 0) and a.shape == ():
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
    """sign(-x) is -sign(x): max(0, m)'s slope (1 - sign(0 - m))/2 then reads (1 + sign(m))/2."""
    return apply("neg", apply("sign", a.args[0])) if a.op.name == "neg" else None


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
    "outer": _pull_constant("outer"),
    "dot": _pull_constant("dot"),
    "sum_axis": _pull_constant("sum_axis"),
}
