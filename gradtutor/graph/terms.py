"""Terms and factors, for the tidy-up rules (graph/tidy.py): what a constant scales, which terms are alike.

A product is read as its list of factors, a term as a constant times the rest
(2*x, x/4, -x), so rules can gather like terms, let a shared factor out, and
cancel a factor against a divisor. Nothing here changes a value.
"""

from __future__ import annotations

import numpy as np

from .expr import Expr, apply, const


def is_number(e: Expr, number: float) -> bool:
    return e.is_const and bool(np.all(np.asarray(e.value) == number))


def coefficient(e: Expr) -> tuple[float, Expr]:
    """c*x as (c, x); -x as (-1, x); anything else as (1, itself): for collecting like terms."""
    if e.op.name == "mul" and scalar_const(e.args[0]):
        return float(e.args[0].value), e.args[1]
    if e.op.name == "neg":
        c, x = coefficient(e.args[0])
        return -c, x
    return 1.0, e


def scale(e: Expr) -> tuple[float, Expr]:
    """c*x and x/c as (c, x) and (1/c, x), for a scalar constant c; -x as (-1, x)."""
    if e.op.name == "div" and scalar_const(e.args[1]) and float(e.args[1].value) != 0:
        c, x = scale(e.args[0])
        return c / float(e.args[1].value), x
    return coefficient(e)


def over(c: float, x: Expr) -> Expr:
    """c*x, written x/n when c is 1/n: the lectures' (p - y)/N."""
    if c < 0:
        return apply("neg", over(-c, x))
    n = round(1 / c) if c else 0
    if n >= 2 and 1 / n == c:
        return apply("div", x, const(n))
    return apply("mul", const(c), x)


def common_scale(a, b, sign, shape):
    """a/4 - b/4 is (a - b)/4, and -0.5*a + 0.5*b is (b - a)/2: a shared constant factor comes out."""
    (ca, xa), (cb, xb) = scale(a), scale(b)
    cb *= sign
    if abs(ca) != abs(cb) or abs(ca) == 1 or xa.is_const or xb.is_const:
        return None
    if ca > 0 or cb < 0:  # k*(xa ± xb), or -k*(xa + xb)
        inner = apply("add" if ca == cb else "sub", xa, xb)
        c = ca
    else:  # -k*xa + k*xb is k*(xb - xa)
        inner, c = apply("sub", xb, xa), cb
    return over(c, inner) if inner.shape == shape else None


def like_terms(a, b, sign, shape):
    """2*x + 3*x is 5*x and 2*x - x is x: terms with the same symbolic part gather."""
    (ca, xa), (cb, xb) = coefficient(a), coefficient(b)
    if xa is not xb or xa.is_const or xa.shape != shape:
        return None
    return apply("mul", const(ca + sign * cb), xa)


def is_ones(e: Expr) -> bool:
    return e.op.name == "ones" or is_number(e, 1)


def scalar_const(e: Expr | None) -> bool:
    return e is not None and e.is_const and e.shape == ()


def factors(e: Expr) -> list[Expr]:
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


def product(chain: list[Expr]) -> Expr:
    result = chain[0]
    for f in chain[1:]:
        result = apply("mul", result, f)
    return result


def without(chain: list[Expr], k: int, shape) -> Expr | None:
    """The product with factor k left out, if anything is left and it keeps the shape."""
    rest = chain[:k] + chain[k + 1 :]
    if not rest:
        return None
    rebuilt = product(rest)
    return rebuilt if rebuilt.shape == shape else None


def half_step(a, b) -> Expr | None:
    """(1 + sign(m))/2 is step(m, 0.5): max(0, m)'s slope, its tie split evenly, as one mask."""
    if not is_number(b, 2) or a.op.name not in ("add", "sub"):
        return None
    x, y = a.args
    if a.op.name == "add" and is_number(x, 1) and y.op.name == "sign":
        x, y = y, x
    if is_number(y, 1) and x.op.name == "sign":
        return apply("heaviside", x.args[0], const(0.5))
    if a.op.name == "sub" and is_number(x, 1) and y.op.name == "sign":  # (1 - sign(m))/2 is step(-m, 0.5)
        return apply("heaviside", apply("neg", y.args[0]), const(0.5))
    return None


def ones_scale(e: Expr) -> tuple[float, Expr] | None:
    c, x = scale(e)
    return (c, x) if x.op.name == "ones" else None
