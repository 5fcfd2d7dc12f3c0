"""Symbolic expressions over the op table: formulas as data, tidied as they are built.

An `Expr` is one node of a shared (hash-consed) DAG: a symbol, a constant, or
an op applied to other Exprs. `apply` is a smart constructor: it folds
constants and drops `*1`, `+0`, `--x`, `x^1` and the like the moment a node is
made. Because children are always built (and tidied) before their parents,
nothing here needs recursion; printing and evaluation walk the DAG with an
explicit stack. The tutor uses this to show rules as a student would write
them (`dL/ds3 = (1 - L)*L`), and symbolic differentiation builds on it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from ..ops import TABLE, Op, Shape
from .build import CONST, VAR, Graph, build, format_number

ADD, MUL, NEG, POW, POSTFIX, CALL, ATOM = 10, 20, 30, 40, 50, 60, 100


class Expr:
    __slots__ = ("op", "args", "name", "value", "params", "shape", "__weakref__")

    def __init__(self, op: Op, args: tuple, name: str | None, value: Any, params: tuple, shape: Shape):
        self.op = op
        self.args = args
        self.name = name
        self.value = value
        self.params = params
        self.shape = shape

    @property
    def is_const(self) -> bool:
        return self.op is CONST

    def __repr__(self) -> str:
        return f"Expr({to_text(self)})"

    # operators, so rules read naturally: upstream * local
    def __add__(self, other):
        return apply("add", self, lift(other))

    def __radd__(self, other):
        return apply("add", lift(other), self)

    def __sub__(self, other):
        return apply("sub", self, lift(other))

    def __rsub__(self, other):
        return apply("sub", lift(other), self)

    def __mul__(self, other):
        return apply("mul", self, lift(other))

    def __rmul__(self, other):
        return apply("mul", lift(other), self)

    def __neg__(self):
        return apply("neg", self)

    def __matmul__(self, other):
        return apply("matmul", self, lift(other))


_INTERN: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _intern(op: Op, args: tuple, name: str | None, value: Any, params: tuple, shape: Shape) -> Expr:
    if value is not None:
        arr = np.asarray(value, dtype=float)
        vkey = (arr.shape, arr.tobytes())
    else:
        vkey = None
    key = (op.name, tuple(id(a) for a in args), name, vkey, params, shape)
    found = _INTERN.get(key)
    if found is not None:
        return found
    expr = Expr(op, args, name, value, params, shape)
    _INTERN[key] = expr
    return expr


def sym(name: str, shape: Shape = ()) -> Expr:
    return _intern(VAR, (), name, None, (), tuple(shape))


def const(value: Any) -> Expr:
    arr = np.asarray(value, dtype=float)
    return _intern(CONST, (), None, arr if arr.ndim else np.float64(arr), (), arr.shape)


def lift(x: Any) -> Expr:
    return x if isinstance(x, Expr) else const(x)


def zeros(shape: Shape) -> Expr:
    return const(np.zeros(shape)) if shape else const(0.0)


def _is(e: Expr, number: float) -> bool:
    return e.is_const and bool(np.all(np.asarray(e.value) == number))


# --- the smart constructor -----------------------------------------------------


def apply(name: str, *args: Expr, params: tuple = ()) -> Expr:
    """Build op(args), folding constants and applying the tidy-up rule for `name`."""
    op = TABLE[name]
    shape = tuple(op.shape(*(a.shape for a in args), *params))
    if all(a.is_const for a in args) and op.form != "leaf":
        with np.errstate(all="ignore"):
            value = op.forward(*(a.value for a in args), *params)
        if np.all(np.isfinite(value)):
            return const(value)
    rule = _RULES.get(name)
    if rule is not None:
        tidy = rule(*args, shape=shape, params=params)
        if tidy is not None and tidy.shape == shape:
            return tidy
    return _intern(op, tuple(args), None, None, tuple(params), shape)


def _add(a, b, shape, params):
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
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


def _mul(a, b, shape, params):
    if _is_ones(a) and b.shape == shape:  # ones(x)*y is y, once y already has the shape
        return b
    if _is_ones(b) and a.shape == shape:
        return a
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
        return a if a.shape == () else _pull_constant(name)(a, shape=shape, params=params)

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


_RULES: dict[str, Callable[..., Expr | None]] = {
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


# --- from text ------------------------------------------------------------------


@lru_cache(maxsize=512)
def _template(text: str) -> Graph:
    return build(text)


def from_graph(graph: Graph, env: Mapping[str, Expr]) -> Expr:
    """The graph's output as an Expr; its variables are looked up in `env`."""
    made: list[Expr] = []
    for node in graph.nodes:  # topological order: inputs come first
        if node.op is VAR:
            made.append(env[node.name])
        elif node.op is CONST:
            made.append(const(node.value))
        else:
            made.append(apply(node.op.name, *(made[j] for j in node.inputs), params=node.params))
    return made[graph.output]


def from_text(text: str, env: Mapping[str, Expr]) -> Expr:
    """Instantiate a formula (an op's rule, say) with its names bound to Exprs."""
    return from_graph(_template(text), env)


# --- walking the DAG without recursion -----------------------------------------------


def postorder(root: Expr) -> list[Expr]:
    """Every distinct node under `root`, children before parents."""
    order: list[Expr] = []
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        e, ready = stack.pop()
        if ready:
            order.append(e)
            continue
        if id(e) in seen:
            continue
        seen.add(id(e))
        stack.append((e, True))
        stack.extend((a, False) for a in reversed(e.args) if id(a) not in seen)
    return order


def evaluate(root: Expr, values: Mapping[str, Any]) -> Any:
    results: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        for e in postorder(root):
            if e.op is VAR:
                results[id(e)] = values[e.name]
            elif e.op is CONST:
                results[id(e)] = e.value
            else:
                results[id(e)] = e.op.forward(*(results[id(a)] for a in e.args), *e.params)
    return results[id(root)]


def symbols(root: Expr) -> list[str]:
    return [e.name for e in postorder(root) if e.op is VAR]


# --- printing -------------------------------------------------------------------------


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


def _wrap(text: str, inner: int, outer: int, strict: bool) -> str:
    return f"({text})" if inner < outer or (strict and inner == outer) else text


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
        if op.name == "pow":
            return f"{_wrap(a, pa, POW, True)}^{_wrap(b, pb, POW, False)}"
        sep = f" {op.symbol} " if op.name in ("add", "sub") else op.symbol
        # c*(A@B) is (c*A)@B for a scalar constant c, so 2*W.T@q needs no parentheses
        loose = op.name == "mul" and _scalar_const(e.args[0]) and e.args[1].op.name in ("mul", "div", "matmul")
        return f"{_wrap(a, pa, p, False)}{sep}{_wrap(b, pb, p, not loose)}"
    if op.form == "prefix":
        ((a, pa),) = args
        if e.args[0].op.name in ("mul", "div", "matmul") and not a.startswith("-"):
            return f"-{a}"  # -(x/y) is (-x)/y exactly, so no parentheses are needed
        return f"-{_wrap(a, pa, NEG, False)}"
    if op.form == "postfix":
        ((a, pa),) = args
        return f"{_wrap(a, pa, POSTFIX, False)}.T"
    if op.form == "subscript":
        ((a, pa),) = args
        return f"{_wrap(a, pa, POSTFIX, False)}[{', '.join(map(str, e.params))}]"
    return f"{op.symbol}({', '.join([a for a, _ in args] + [str(q) for q in e.params])})"


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
        if op.name == "pow":
            a, b = _wrap(a, pa, POW, True), _wrap(b, pb, POW, False)
        else:
            a = _wrap(a, pa, p, False)
            loose = op.name == "mul" and e.args[1].op.name == "mul"  # a * (b * c) reads as a * b * c
            b = _wrap(b, pb, p, not loose)
        return op.py.format(a=a, b=b)
    fields = {f"p{k}": q for k, q in enumerate(e.params)}
    if op.form in ("prefix", "postfix", "subscript"):
        ((a, pa),) = args
        outer = NEG if op.form == "prefix" else POSTFIX
        fields["index"] = ", ".join(map(str, e.params))
        return op.py.format(a=_wrap(a, pa, outer, False), **fields)
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
            strict = (k == 1 and op.form == "infix") or (op.name == "pow" and k == 0)
            needs = pa < p or (strict and pa == p)
            wrapped.append(rf"\left({a}\right)" if needs else a)
    fields = {"a": wrapped[0] if wrapped else "", "b": wrapped[1] if len(wrapped) > 1 else ""}
    if op.form == "subscript":
        fields["index"] = ", ".join(map(str, e.params))
        return rf"{fields['a']}\left[{fields['index']}\right]"
    fields.update({f"p{k}": p for k, p in enumerate(e.params)})
    return op.latex.format(**fields)


def bind(names: Iterable[str], shapes: Mapping[str, Shape]) -> dict[str, Expr]:
    return {n: sym(n, shapes.get(n, ())) for n in names}
