"""A walk's steps: its questions at each visited node, made from a plan and the values.

What a walk asks (which nodes it visits, which inputs are silent, who consumes what, which
gates are scalar, every question's name, kind and rule) follows from the graph and the
shapes alone; only the numbers differ between the variants of a problem. A batch makes the
walks of a thousand variants of each problem, so the plan is made once per graph and shapes
and kept on the graph; each variant then only fills in its numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autodiff.jacobian import local_jacobian
from ..autodiff.node_shapes import shape_of
from ..autodiff.reverse import Evaluation, requires_grad, unbroadcast, vjp
from ..graph import CONST, Graph
from ..graph.expr import const, from_text, sym
from ..graph.printing import to_text
from ..language.numbers import fmt_value as _num
from .questions import DownstreamQuestion, JacobianQuestion, LocalQuestion, Question, share_ask


@dataclass
class JacobianNote:
    input: int
    rows: int
    cols: int
    diagonal: bool
    vjp: str  # the vector-Jacobian product actually used


@dataclass
class Step:
    node: int
    upstream: Any
    questions: list[Question]
    jacobians: list[JacobianNote]

    @property
    def scalar(self) -> bool:
        return not self.jacobians


@dataclass(frozen=True)
class _Ask:
    """One input of a visited node: what is asked about it there."""

    j: int
    shape: tuple[int, ...]  # x's
    slots: tuple[int, ...]
    local_ask: str  # dn/dx
    local_asked: bool  # scalar gates, but not a branching input of the output gate
    jacobian_asked: bool  # a local Jacobian the problem wants written out
    note: tuple | None  # the JacobianNote's fields, for a vector or matrix gate
    share: str | None  # a branch's share asked here (not its last consumer): its name
    total: str | None  # df/dx asked here (None: at the output it is the local question)
    branching: bool  # x feeds several nodes: the total is the sum of the shares
    local_rule: str
    down_rule: str
    total_rule: str


@dataclass(frozen=True)
class _Node:
    i: int
    scalar: bool
    wanted: list[bool]  # which of the node's input slots need a gradient
    asks: tuple[_Ask, ...]


def make_steps(evaluation: Evaluation, explain: bool, jacobians: tuple, about: int | None = None) -> list[Step]:
    """The walk's steps; with `about`, only those at the consumers of that node (the steps that
    ask about it, with the same questions: its branch shares come from those steps alone)."""
    graph = evaluation.graph
    vals, grads = evaluation.values, evaluation.grads
    plans = graph.__dict__.setdefault("_walk_plans", {})
    key = (tuple(map(shape_of, vals)), tuple(g is None for g in grads), explain, jacobians)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _plan(graph, list(key[0]), grads, explain, jacobians)
    shares: dict[int, list[tuple[int, Any]]] = {}
    if about is not None:
        plan = [node for node in plan if about in graph.nodes[node.i].inputs]
    return [_step(evaluation, node, shares, explain) for node in plan]


def _step(evaluation: Evaluation, plan: _Node, shares: dict, explain: bool) -> Step:
    graph, vals = evaluation.graph, evaluation.values
    i = plan.i
    node = graph.nodes[i]
    upstream = evaluation.grads[i]
    ins = [vals[j] for j in node.inputs]
    if plan.scalar and node.op.local:
        # vjp() twice, at the upstream gradient and at 1.0 for the local gradients, would call
        # each local rule twice: once here, and both products from it, as vjp() forms them
        parts, locals_ = _scalar_parts(node.op.local, plan.wanted, upstream, ins, vals[i])
    else:
        parts = vjp(node.op, upstream, vals[i], ins, plan.wanted, node.params)
        locals_ = vjp(node.op, np.float64(1.0), vals[i], ins, plan.wanted, node.params) if plan.scalar else None
    questions: list[Question] = []
    notes: list[JacobianNote] = []
    for a in plan.asks:
        j = a.j
        if len(a.slots) == 1 and plan.scalar:  # one slot (most gates): the sums below, term for term
            k = a.slots[0]
            share = parts[k]
            local = 0.0 + float(locals_[k]) if locals_[k] is not None else 0.0  # sum() starts at 0: -0.0 -> 0.0
        elif plan.scalar:  # scalars all: nothing to un-broadcast
            share = _sum(parts[k] for k in a.slots if parts[k] is not None)
            local = float(sum(float(locals_[k]) for k in a.slots if locals_[k] is not None))
        else:
            share = _sum(unbroadcast(parts[k], a.shape) for k in a.slots if parts[k] is not None)
            local = None
        if share is None:
            share = np.zeros(a.shape)
        shares.setdefault(j, []).append((i, share))
        if plan.scalar:
            if a.local_asked:
                working = f"{a.local_rule} = {_num(local)}" if explain else ""
                questions.append(
                    LocalQuestion(
                        a.local_ask, i, j, local, a.local_rule, working, upstream, local=local, contribution=share
                    )
                )
        else:
            notes.append(JacobianNote(*a.note))
            if a.jacobian_asked:
                matrix = local_jacobian(node, vals, i, list(a.slots))
                questions.append(JacobianQuestion(a.local_ask, i, j, matrix, a.down_rule, "", upstream))
        if a.share is not None:
            working = _times(upstream, local, share) if explain else ""
            questions.append(
                DownstreamQuestion(
                    a.share, i, j, share, a.down_rule, working, upstream, local=local, contribution=share
                )
            )
        elif a.total is not None:
            branch_list = shares[j] if a.branching else []
            if not explain:
                working = ""
            else:
                working = _branch_sum(branch_list) if a.branching else _times(upstream, local, share)
            questions.append(
                DownstreamQuestion(
                    a.total,
                    i,
                    j,
                    evaluation.gradient(j),
                    a.total_rule,
                    working,
                    upstream,
                    local=local,
                    contribution=share,
                    branches=list(branch_list),
                    is_total=a.branching,
                )
            )
    return Step(i, upstream, questions, notes)


def _scalar_parts(rules: tuple, wanted: list[bool], g: Any, ins: list[Any], out: Any) -> tuple[list, list]:
    """(parts, locals): vjp() at the upstream gradient g and at 1.0, slot by slot."""
    one = np.float64(1.0)
    parts: list[Any] = []
    locals_: list[Any] = []
    for k, rule in enumerate(rules):
        if not wanted[k]:
            parts.append(None)
            locals_.append(None)
        elif rule == 1:
            parts.append(g)
            locals_.append(one)
        elif rule == -1:
            parts.append(-g)
            locals_.append(-one)
        else:
            slope = rule(*ins, out)
            parts.append(g * slope)
            locals_.append(one * slope)
    return parts, locals_


def _plan(graph: Graph, shapes: list[tuple], grads: list[Any], explain: bool, jacobians: tuple) -> list[_Node]:
    need = requires_grad(graph, graph.variables.values())
    out = graph.labels[graph.output]
    # which consumers a gradient actually reaches, in the order the walk visits them
    visited = [
        i for i in range(len(graph.nodes) - 1, -1, -1) if graph.nodes[i].inputs and need[i] and grads[i] is not None
    ]
    # Inputs a gate gives no gradient by its nature (the index in s[y], x in ones(x)) are not asked about.
    silent = {i: _silent_inputs(graph, shapes, i) for i in visited}
    consumers: dict[int, list[int]] = {}
    for i in visited:
        for j in dict.fromkeys(graph.nodes[i].inputs):
            if need[j] and j not in silent[i]:
                consumers.setdefault(j, []).append(i)
    plan = []
    for i in visited:
        node = graph.nodes[i]
        scalar = shapes[i] == () and all(shapes[j] == () for j in node.inputs)
        texts = _rules(graph, shapes, i, scalar) if explain else None
        asks = []
        for j in dict.fromkeys(node.inputs):
            if not need[j] or j in silent[i]:
                continue
            slots = tuple(k for k, jj in enumerate(node.inputs) if jj == j)
            local_rule = _combine([texts.local[k] for k in slots]) if scalar and texts else ""
            down_rule = _combine([texts.downstream[k] for k in slots]) if texts else ""
            local_ask = f"d{graph.labels[i]}/d{graph.labels[j]}"
            many = len(consumers[j]) > 1
            last = consumers[j][-1] == i
            total = f"d{out}/d{graph.labels[j]}"
            # At the output gate a local question on a branching input would be named like
            # that input's total (df/dx); its branch share df/df * df/dx is asked instead.
            # At the output df/df = 1: the local gradient is df/dx, and is asked only once.
            asks.append(
                _Ask(
                    j,
                    shapes[j],
                    slots,
                    local_ask,
                    local_asked=scalar and not (i == graph.output and many),
                    jacobian_asked=not scalar and local_ask in jacobians,
                    note=None if scalar else _jacobian(graph, shapes, i, j, down_rule),
                    share=share_ask(graph, i, j) if many and not last else None,
                    total=None if (many and not last) or (scalar and total == local_ask) else total,
                    branching=many,
                    local_rule=local_rule,
                    down_rule=down_rule,
                    total_rule=" + ".join(share_ask(graph, c, j) for c in consumers[j]) if many else down_rule,
                )
            )
        plan.append(_Node(i, scalar, [need[j] for j in node.inputs], tuple(asks)))
    return plan


@dataclass
class _Rules:
    local: list  # Exprs
    downstream: list


def _rules(graph: Graph, shapes: list[tuple], i: int, scalar: bool) -> _Rules:
    """The op's backward rule with the graph's names filled in, tidied: 'z', 'grad*z'."""
    node = graph.nodes[i]
    env = {"out": sym(graph.labels[i], shapes[i]), "grad": sym("grad", shapes[i])}
    for slot, name in zip(node.inputs, ("a", "b")):
        child = graph.nodes[slot]
        env[name] = const(child.value) if child.op is CONST else sym(graph.labels[slot], shapes[slot])
    templates = node.op.backward_text([shapes[j] for j in node.inputs], node.params)
    downstream = [from_text(t, env) for t in templates]
    if not scalar:  # for vectors and matrices the local gradient is a Jacobian: not written out
        return _Rules([], downstream)
    env["grad"] = const(1.0)
    local = [from_text(t, env) for t in templates]
    return _Rules(local, downstream)


def _silent_inputs(graph: Graph, shapes: list[tuple], i: int) -> set[int]:
    """The inputs whose every slot gets the op's rule "0": no gradient can flow to them."""
    node = graph.nodes[i]
    ins = tuple(shapes[j] for j in node.inputs)
    zero = tuple(t == "0" for t in node.op.backward_text(list(ins), node.params))
    return {j for j in node.inputs if all(zero[k] for k, jj in enumerate(node.inputs) if jj == j)}


def _combine(rules: list) -> str:
    """One input in several slots (x*x): its rule is the sum of the slots' rules."""
    return to_text(_sum(rules))


def _sum(items) -> Any:
    total = None
    for item in items:
        total = item if total is None else total + item
    return total


def _times(upstream: Any, local: Any, share: Any) -> str:
    if local is None:
        return _num(share)
    return f"({_num(upstream)}) × ({_num(local)}) = {_num(share)}"


def _branch_sum(branches: list[tuple[int, Any]]) -> str:
    shares = " + ".join(f"({_num(s)})" for _, s in branches)
    return f"{shares} = {_num(_sum(s for _, s in branches))}"


def _jacobian(graph: Graph, shapes: list[tuple], i: int, j: int, rule: str) -> tuple:
    rows = math.prod(shapes[i])
    cols = math.prod(shapes[j])
    elementwise = graph.nodes[i].op.elementwise and shapes[i] == shapes[j]
    return (j, rows, cols, elementwise, rule)


def jacobian_bytes(note: JacobianNote) -> int:
    return note.rows * note.cols * 8
