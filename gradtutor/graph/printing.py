"""Formulas as text: the gradtutor language, Python with numpy (flat code), and LaTeX.

Parentheses come from the syntax table (language/syntax.py), so printed
formulas parse back to the same expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..language.numbers import format_number
from ..language.syntax import ATOM, MUL, NEG, POSTFIX, infix, operand_strictness, wrap
from .expr import Expr, postorder
from .nodes import CONST, VAR


def _scalar_const(e: Expr | None) -> bool:
    return e is not None and e.is_const and e.shape == ()


def _fraction(value: Any) -> tuple[int, int] | None:
    """1/6 rather than 0.16666666666666666: a simple fraction whose decimal runs on, exactly."""
    from fractions import Fraction

    if np.ndim(value) != 0:
        return None
    x = float(value)
    if x == int(x) or len(repr(x)) <= 8:
        return None
    frac = Fraction(x).limit_denominator(1000)
    if frac.numerator / frac.denominator != x:  # the division must give back the very same float
        return None
    return frac.numerator, frac.denominator


def _const_text(value: Any) -> str:
    frac = _fraction(value)
    return f"{frac[0]}/{frac[1]}" if frac else format_number(value)


def _precedence(e: Expr) -> int:
    if e.is_const:
        if _fraction(e.value):
            return MUL
        return NEG if np.ndim(e.value) == 0 and float(e.value) < 0 else ATOM
    return e.op.precedence


def to_text(root: Expr, names: Mapping[int, str] | None = None) -> str:
    """Plain text in the gradtutor language, with only the parentheses it needs.

    `names` maps id(expr) -> a name to print instead (shared subexpressions).
    """
    text: dict[int, str] = {}
    for e in postorder(root):
        if names and id(e) in names:
            text[id(e)] = names[id(e)]
            continue
        text[id(e)] = _format(
            e, [(text[id(a)], _precedence(a) if not (names and id(a) in names) else ATOM) for a in e.args]
        )
    return text[id(root)]


def _format(e: Expr, args: list[tuple[str, int]]) -> str:
    op = e.op
    if op is VAR:
        return e.name
    if op is CONST:
        return _const_text(e.value)
    p = op.precedence
    if op.form == "infix":
        (a, pa), (b, pb) = args
        # c*(A@B) is (c*A)@B for a scalar constant c, so 2*W.T@q needs no parentheses
        loose = op.name == "mul" and _scalar_const(e.args[0]) and e.args[1].op.name in ("mul", "div", "matmul")
        return infix(
            op.symbol,
            wrap(a, pa, p, operand_strictness(op.symbol, 0)),
            wrap(b, pb, p, operand_strictness(op.symbol, 1) and not loose),
        )
    if op.form == "prefix":
        ((a, pa),) = args
        if e.args[0].op.name in ("mul", "div", "matmul") and not a.startswith("-"):
            return f"-{a}"  # -(x/y) is (-x)/y exactly, so no parentheses are needed
        return f"-{wrap(a, pa, NEG, False)}"
    if op.form == "postfix":
        ((a, pa),) = args
        return f"{wrap(a, pa, POSTFIX, False)}.T"
    if op.form == "subscript":
        (a, pa), *index = args
        return f"{wrap(a, pa, POSTFIX, False)}[{', '.join([i for i, _ in index] or list(map(str, e.params)))}]"
    return f"{op.symbol}({', '.join([a for a, _ in args] + op.param_text(e.params))})"


def to_python(root: Expr, names: Mapping[int, str] | None = None, rename: Callable[[str], str] = lambda n: n) -> str:
    """Python with numpy, from each op's `py` template (for flat code)."""
    text: dict[int, str] = {}
    for e in postorder(root):
        if names and id(e) in names:
            text[id(e)] = rename(names[id(e)])
            continue
        args = [(text[id(a)], _precedence(a) if not (names and id(a) in names) else ATOM) for a in e.args]
        text[id(e)] = _format_python(e, args, rename)
    return text[id(root)]


def _format_python(e: Expr, args: list[tuple[str, int]], rename: Callable[[str], str]) -> str:
    op = e.op
    if op is VAR:
        return rename(e.name)
    if op is CONST:
        arr = np.asarray(e.value)
        return _const_text(arr) if arr.ndim == 0 else f"np.array({format_number(arr)})"
    p = op.precedence
    if op.form == "infix":
        (a, pa), (b, pb) = args
        loose = op.name == "mul" and e.args[1].op.name == "mul"  # a * (b * c) reads as a * b * c
        a = wrap(a, pa, p, operand_strictness(op.symbol, 0))
        b = wrap(b, pb, p, operand_strictness(op.symbol, 1) and not loose)
        return op.py.format(a=a, b=b)
    fields = {f"p{k}": q for k, q in enumerate(e.params)}
    if op.form in ("prefix", "postfix", "subscript"):
        (a, pa), *index = args
        outer = NEG if op.form == "prefix" else POSTFIX
        fields["index"] = ", ".join([i for i, _ in index] or list(map(str, e.params)))
        return op.py.format(a=wrap(a, pa, outer, False), **fields)
    names = ("a", "b")
    fields.update({n: a for n, (a, _) in zip(names, args)})
    return op.py.format(**fields)


def to_latex(root: Expr, names: Mapping[int, str] | None = None) -> str:
    text: dict[int, str] = {}
    for e in postorder(root):
        if names and id(e) in names:
            text[id(e)] = latex_name(names[id(e)])
            continue
        text[id(e)] = _format_latex(
            e, [(text[id(a)], _precedence(a) if not (names and id(a) in names) else ATOM) for a in e.args]
        )
    return text[id(root)]


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "tau", "phi", "omega"}


def latex_name(name: str) -> str:
    """w0 -> w_{0}, grad_q -> grad_{q}, alpha -> \\alpha."""
    base, _, sub = name.partition("_")
    if not sub:
        i = len(base)
        while i > 1 and base[i - 1].isdigit():
            i -= 1
        base, sub = base[:i], base[i:]
    base = f"\\{base}" if base in _GREEK else base
    return f"{base}_{{{sub}}}" if sub else base


def _format_latex(e: Expr, args: list[tuple[str, int]]) -> str:
    op = e.op
    if op is VAR:
        return latex_name(e.name)
    if op is CONST:
        arr = np.asarray(e.value)
        if arr.ndim == 0:
            frac = _fraction(arr)
            return rf"\frac{{{frac[0]}}}{{{frac[1]}}}" if frac else format_number(arr)
        rows = arr if arr.ndim == 2 else arr[:, None]
        body = r" \\ ".join(" & ".join(format_number(v) for v in row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    p = op.precedence
    wrapped = []
    for k, (a, pa) in enumerate(args):
        if op.name == "div" or op.form == "call" or op.name == "pow" and k == 1:
            wrapped.append(a)
        else:
            strict = op.form == "infix" and operand_strictness(op.symbol, k)
            needs = pa < p or (strict and pa == p)
            wrapped.append(rf"\left({a}\right)" if needs else a)
    fields = {"a": wrapped[0] if wrapped else "", "b": wrapped[1] if len(wrapped) > 1 else ""}
    if op.form == "subscript":
        fields["index"] = fields["b"] or ", ".join(map(str, e.params))
        return rf"{fields['a']}\left[{fields['index']}\right]"
    fields.update({f"p{k}": p for k, p in enumerate(e.params)})
    return op.latex.format(**fields)
