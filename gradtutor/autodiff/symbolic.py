"""Symbol-to-symbol differentiation: gradients as formulas in gradtutor's own language.

The program becomes a DAG of Exprs; reverse mode then runs over that DAG, but
each backward step *builds* a formula from the op's rule (the same rule text
the tutor shows) instead of computing numbers. The smart constructors of
`expr.py` tidy every node as it is made, so the result reads the way a student
would write it. Because the derivative is just another formula in the same
language, it can be differentiated again: that is how `--order 2` gets the
Hessian.

When a formula is printed, subexpressions that the program named (q = W @ x)
are printed by their names, and large subexpressions used more than once get
names of their own (u1, u2, ...), defined first as statements, so every
formula is a self-contained program that parses back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph import CONST, VAR, Graph
from ..graph.expr import Expr, apply, const, from_text, postorder, sym
from ..graph.printing import to_latex, to_text
from ..ops import TABLE, Shape

SHARED_MIN_CHARS = 16  # a repeated subexpression shorter than this is clearer written out


def program_exprs(graph: Graph, shapes: Mapping[str, Shape]) -> tuple[list[Expr], dict[int, str]]:
    """An Expr for every node, and the names the program gave them (id(expr) -> name)."""
    exprs: list[Expr] = []
    names: dict[int, str] = {}
    for i, node in enumerate(graph.nodes):
        if node.op is VAR:
            e = sym(node.name, tuple(shapes.get(node.name, ())))
        elif node.op is CONST:
            e = const(node.value)
        else:
            e = apply(node.op.name, *(exprs[j] for j in node.inputs), params=node.params)
            if (node.name is not None or i == graph.output) and not e.is_const and e.op is not VAR:
                names.setdefault(id(e), graph.labels[i])
        exprs.append(e)
    return exprs, names


def unbroadcast(g: Expr, shape: Shape) -> Expr:
    """Sum a gradient back to the shape of an input that numpy broadcast."""
    if g.shape == tuple(shape):
        return g
    if shape == ():
        return apply("sum", g)
    while len(g.shape) > len(shape):  # added leading axis: sum it away (numpy drops it)
        g = apply("sum_axis", g, params=(0, 0))
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = apply("sum_axis", g, params=(axis, 1))
    return g


def gradients(root: Expr, wrt: Iterable[Expr]) -> dict[int, Expr]:
    """Reverse mode over an Expr DAG: id(wrt) -> d root / d wrt, as formulas."""
    wrt = list(wrt)
    order = postorder(root)
    wanted = {id(w) for w in wrt}
    depends: set[int] = set()
    for e in order:  # children first: which nodes lie on a path from a wanted symbol
        if id(e) in wanted or any(id(a) in depends for a in e.args):
            depends.add(id(e))
    grads: dict[int, Expr] = {id(root): const(np.ones(root.shape)) if root.shape else const(1.0)}
    parents: dict[int, int] = {}
    for e in order:
        for a in e.args:
            parents[id(a)] = parents.get(id(a), 0) + 1
    skip: set[int] = set()
    for e in reversed(order):
        g = grads.get(id(e))
        if g is None or not e.args or id(e) not in depends or id(e) in skip:
            continue
        fused = _fused(e, g, parents)
        if fused is not None:  # log(softmax(s)[k]) as one step: softmax(s) - onehot(k, n), no 1/p
            x, part, between = fused
            previous = grads.get(id(x))
            grads[id(x)] = part if previous is None else apply("add", previous, part)
            skip.update(between)
            continue
        templates = e.op.backward_text([a.shape for a in e.args], e.params)
        env = {"out": e, "grad": g, "a": e.args[0]}
        if len(e.args) > 1:
            env["b"] = e.args[1]
        for arg, text in zip(e.args, templates):
            if id(arg) not in depends or text == "0":
                continue
            part = unbroadcast(from_text(text, env), arg.shape)
            previous = grads.get(id(arg))
            grads[id(arg)] = part if previous is None else apply("add", previous, part)
    return {id(w): grads.get(id(w), _zeros(w.shape)) for w in wrt}


def _fused(e: Expr, g: Expr, parents: dict[int, int]) -> tuple[Expr, Expr, list[int]] | None:
    """The op table's one-step rule for op(inner(x)) or op(inner(x)[k]) (autodiff/composed.py):
    (x, its gradient, the skipped intermediates), when nothing else uses the intermediates."""
    if not e.op.composed:
        return None
    inner, between, scatter = e.args[0], [id(e.args[0])], g
    if inner.op.name == "subscript":
        (text,) = TABLE["subscript"].backward_text([inner.args[0].shape], inner.params)
        scatter = from_text(text, {"grad": g, "a": inner.args[0]})
        inner = inner.args[0]
        between.append(id(inner))
    form = e.op.composed.get(inner.op.name)
    if form is None or any(parents.get(i, 0) != 1 for i in between):
        return None
    x = inner.args[0]
    return x, from_text(form[2](x.shape), {"x": x, "grad": scatter}), between


def _zeros(shape: Shape) -> Expr:
    return const(np.zeros(shape)) if shape else const(0.0)


@dataclass
class Formula:
    name: str  # the input it differentiates with respect to
    expr: Expr
    text: str  # self-contained: the shared definitions it needs, then the formula
    body: str  # the formula alone (uses the shared names)
    latex: str


@dataclass
class Symbolic:
    formulas: list[Formula]
    shared: list[tuple[str, str]]  # (name, definition) of repeated subexpressions

    def as_dict(self) -> dict[str, str]:
        return {f.name: f.text for f in self.formulas}


def symbolic_gradients(graph: Graph, shapes: Mapping[str, Shape], wrt: list[str] | None = None) -> Symbolic:
    exprs, names = program_exprs(graph, shapes)
    wanted = list(graph.variables) if wrt is None else wrt
    root = exprs[graph.output]
    found = gradients(root, [exprs[graph.variables[n]] for n in wanted])
    results = [found[id(exprs[graph.variables[n]])] for n in wanted]
    return render(wanted, results, names, taken=set(graph.names))


def render(labels: list[str], exprs: list[Expr], names: dict[int, str], taken: set[str]) -> Symbolic:
    """Print formulas with the program's names and named shared subexpressions."""
    names = dict(names)
    shared = _shared(exprs, names, taken)
    definitions: list[tuple[str, str, Expr]] = []
    for e, name in shared:
        body = to_text(e, {k: v for k, v in names.items() if k != id(e)})
        definitions.append((name, body, e))
        names[id(e)] = name
    formulas = []
    shared_ids = {id(d[2]) for d in definitions}
    for label, e in zip(labels, exprs):
        # A program's name for the whole formula reads well (dz = q); a shared name alone does not.
        own = {k: v for k, v in names.items() if not (k == id(e) and k in shared_ids)}
        body = to_text(e, own)
        used = _used_definitions(e, definitions)
        text = "\n".join([f"{n} = {d}" for n, d, _ in used] + [body])
        formulas.append(Formula(label, e, text, body, to_latex(e, own)))
    return Symbolic(formulas, [(n, d) for n, d, _ in definitions])


def _shared(roots: list[Expr], names: dict[int, str], taken: set[str]) -> list[tuple[Expr, str]]:
    """Large unnamed subexpressions printed more than once: they get names u1, u2, ...

    Largest first: once a shared expression is named, its insides are printed only in its
    definition, so (p - y)/N used by dW and dx is named whole rather than p and y/N apart."""
    nodes: dict[int, Expr] = {id(e): e for root in roots for e in postorder(root)}
    parents: dict[int, list[int]] = {}
    for e in nodes.values():
        for a in e.args:
            parents.setdefault(id(a), []).append(id(e))
    # How often a node would be printed: once per root it is, plus once per printed copy of each
    # parent (a parent the program named is printed as its name, so its insides never are; a
    # parent picked here is printed once, in its definition).
    order = _topological(nodes)
    copies: dict[int, int] = {}
    chosen: set[int] = set()
    for e in reversed(order):
        copies[id(e)] = sum(1 for r in roots if r is e) + sum(
            0 if p in names else 1 if p in chosen else copies[p] for p in parents.get(id(e), [])
        )
        if id(e) in names or not e.args or e.is_const or copies[id(e)] < 2:
            continue
        if len(to_text(e, names)) >= SHARED_MIN_CHARS:
            chosen.add(id(e))
    picked = []
    counter = 0
    for e in order:  # numbered in the order they are defined: u1 may be used by u2
        if id(e) in chosen:
            counter += 1
            while f"u{counter}" in taken:
                counter += 1
            picked.append((e, f"u{counter}"))
    return picked


def _topological(nodes: dict[int, Expr]) -> list[Expr]:
    """Children before parents, over every node of several DAGs."""
    order: list[Expr] = []
    done: set[int] = set()
    for e in nodes.values():
        if id(e) in done:
            continue
        for x in postorder(e):
            if id(x) not in done:
                done.add(id(x))
                order.append(x)
    return order


def _used_definitions(e: Expr, definitions: list[tuple[str, str, Expr]]) -> list[tuple[str, str, Expr]]:
    """The shared definitions a formula needs, in definition order (they may use each other)."""
    by_id = {id(d[2]): d for d in definitions}
    needed: set[int] = set()
    stack = [e]
    seen: set[int] = set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if id(x) in by_id and x is not e:
            needed.add(id(x))
        stack.extend(x.args)
    return [d for d in definitions if id(d[2]) in needed]


def hessian(graph: Graph, values: Mapping[str, Any]) -> tuple[list[str], np.ndarray]:
    """Second derivatives of a scalar program, by differentiating the symbolic gradient again.

    Entries are ordered input by input (row-major within each); returns their labels and the matrix.
    """
    from ..graph.expr import evaluate
    from .cost import require_hessian

    shapes = {n: np.shape(v) for n, v in values.items()}
    require_hessian(graph, shapes)  # n x n entries, and a symbolic gradient per row
    exprs, _ = program_exprs(graph, shapes)
    root = exprs[graph.output]
    inputs = [exprs[graph.variables[n]] for n in graph.variables]
    first = gradients(root, inputs)
    labels = [f"{n}{list(idx) if idx else ''}" for n in graph.variables for idx in np.ndindex(*shapes.get(n, ()))]
    env = {n: np.asarray(v, dtype=float) for n, v in values.items()}
    rows = []
    for x in inputs:
        g = first[id(x)]
        for idx in np.ndindex(*g.shape):
            entry = apply("subscript", g, params=tuple(idx)) if idx else g
            second = gradients(entry, inputs)
            rows.append(
                np.concatenate(
                    [np.ravel(np.asarray(evaluate(second[id(y)], env), dtype=float) * np.ones(y.shape)) for y in inputs]
                )
            )
    return labels, np.array(rows)
