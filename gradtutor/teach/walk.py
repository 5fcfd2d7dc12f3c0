"""The worked solution of a backward pass: what to ask at each node, and the answers.

Nodes are visited in reverse topological order, starting from df/df = 1 at the
output. At each node, for every input that carries a gradient:

* the local gradient d node / d input, if the node is scalar (scalar output and
  scalar inputs; for vectors and matrices the local gradient is a Jacobian);
* the downstream gradient: upstream x local. An input feeding several nodes
  gets its branch's share (df/dn * dn/dx) at every consumer but the last one
  visited, and at that last one the total df/dx, the sum over its branches.

`solve --show`, `solve --show --json`, the interactive session and the
graders all read the questions from here, so they always agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autodiff.jacobian import local_jacobian
from ..autodiff.reverse import Evaluation, backward, forward, require_scalar, requires_grad, unbroadcast, vjp
from ..graph import CONST, Graph
from ..graph.expr import const, from_text, sym
from ..graph.printing import to_text
from ..language.numbers import fmt_value as _num
from ..language.values import to_python
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


@dataclass
class Walk:
    graph: Graph
    evaluation: Evaluation
    made: Any  # the steps, or what makes them on first use (a problem that asks only df/dW never needs them)
    seed: Any = None  # the upstream gradient at a vector output (solve --seed-grad); None: a scalar, seeded with 1

    @property
    def steps(self) -> list[Step]:
        if callable(self.made):
            self.made = self.made()
        return self.made

    @property
    def output(self) -> str:
        return self.graph.labels[self.graph.output]

    @property
    def questions(self) -> list[Question]:
        return [q for step in self.steps for q in step.questions]

    mode = "backward"

    def value(self, i: int) -> Any:
        return self.evaluation.values[i]

    def answer_env(self, question: Question) -> dict[str, Any]:
        """Names an answer may use: every node's value, and `grad`, the node's upstream gradient."""
        hidden = question.hidden_nodes()
        env = {name: self.value(i) for name, i in self.graph.names.items() if i not in hidden}
        if question.upstream is not None:
            env["grad"] = question.upstream
        return env

    def gradient(self, i: int) -> Any:
        return self.evaluation.gradient(i)

    def forward_rows(self) -> list[tuple[int, str, Any]]:
        """(node, how it is computed, value) for every named or computed node."""
        rows = []
        for i, node in enumerate(self.graph.nodes):
            if node.op is CONST:
                continue
            how = "input" if not node.inputs else self.graph.describe(i)
            rows.append((i, how, self.value(i)))
        return rows

    def graph_json(self) -> dict[str, Any]:
        """The graph as data: each node's operation, inputs, value and gradient (gradtutor graph --json)."""
        graph = self.graph
        return {
            "program": graph.source,
            "output": graph.labels[graph.output],
            "nodes": [
                {
                    "node": graph.labels[i],
                    "operation": "input" if not node.inputs else graph.describe(i),
                    "inputs": [graph.labels[j] for j in node.inputs],
                    "value": to_python(self.value(i)),
                    "gradient": to_python(self.gradient(i)),
                }
                for i, node in enumerate(graph.nodes)
                if node.op is not CONST
            ],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.graph.source,
            "value": to_python(self.evaluation.value),
            "forward": [
                {"node": self.graph.labels[i], "operation": how, "value": to_python(v)}
                for i, how, v in self.forward_rows()
            ],
            "questions": [{"ask": q.ask, "kind": q.kind, "answer": to_python(q.answer)} for q in self.questions],
        }


def build_walk(
    graph: Graph, values: Mapping[str, Any], explain: bool = True, seed: Any = None, jacobians: tuple = ()
) -> Walk:
    """The worked solution. Without `explain` the rules and the arithmetic are left out
    (batch grading needs only the answers, and the rules are the slow part). A vector or
    matrix output needs `seed`, the upstream gradient it is seeded with (one row of the
    Jacobian's transpose is walked: the vector-Jacobian product for that seed). `jacobians` names
    local Jacobians to ask for before their downstream questions ("dh/dz")."""
    evaluation = forward(graph, values)
    if seed is None:
        require_scalar(evaluation)
    else:
        seed = _check_seed(evaluation, seed)
    walk = walk_of(evaluation, explain, seed, jacobians)
    asked = {q.ask for q in walk.questions if isinstance(q, JacobianQuestion)} if jacobians else set()
    for name in jacobians:
        if name not in asked:
            from ..errors import GradtutorError

            raise GradtutorError(
                f"{name} is not a local Jacobian of this walk",
                hint="name a gate that computes a vector or matrix and one of its inputs, as dGATE/dINPUT "
                "(e.g. dh/dz for h = relu(z))",
            )
    walk.seed = seed
    return walk


def _check_seed(evaluation: Evaluation, seed: Any) -> Any:
    from ..errors import ShapeError
    from ..language.numbers import fmt_shape

    seed, shape = np.asarray(seed, dtype=float), np.shape(evaluation.value)
    if seed.shape != shape:
        raise ShapeError(
            f"the seed gradient has shape {fmt_shape(seed.shape)}, but the output has shape {fmt_shape(shape)}",
            hint="the upstream gradient at the output has the output's shape (the shape convention)",
        )
    return seed


def walk_of(evaluation: Evaluation, explain: bool = True, seed: Any = None, jacobians: tuple = ()) -> Walk:
    """The walk of an evaluated graph (its values in place; the gradients are computed here)."""
    backward(evaluation, seed=1.0 if seed is None else seed)
    return Walk(evaluation.graph, evaluation, lambda: _steps(evaluation, explain, jacobians))


def _steps(evaluation: Evaluation, explain: bool, jacobians: tuple) -> list[Step]:
    graph = evaluation.graph
    need = requires_grad(graph, graph.variables.values())
    vals = evaluation.values
    shapes = [np.shape(v) for v in vals]  # asked for again and again below
    out = graph.labels[graph.output]

    # which consumers a gradient actually reaches, in the order the walk visits them
    visited = [
        i
        for i in range(len(graph.nodes) - 1, -1, -1)
        if graph.nodes[i].inputs and need[i] and evaluation.grads[i] is not None
    ]
    # Inputs a gate gives no gradient by its nature (the index in s[y], x in ones(x)) are not asked about.
    silent = {i: _silent_inputs(graph, shapes, i) for i in visited}
    consumers: dict[int, list[int]] = {}
    for i in visited:
        for j in dict.fromkeys(graph.nodes[i].inputs):
            if need[j] and j not in silent[i]:
                consumers.setdefault(j, []).append(i)

    shares: dict[int, list[tuple[int, Any]]] = {}
    steps = []
    for i in visited:
        node = graph.nodes[i]
        upstream = evaluation.grads[i]
        scalar = shapes[i] == () and all(shapes[j] == () for j in node.inputs)
        ins = [vals[j] for j in node.inputs]
        parts = vjp(node.op, upstream, vals[i], ins, [need[j] for j in node.inputs], node.params)
        locals_ = (
            vjp(node.op, np.float64(1.0), vals[i], ins, [need[j] for j in node.inputs], node.params) if scalar else None
        )
        texts = _rules(graph, vals, i, scalar) if explain else None
        questions: list[Question] = []
        notes: list[JacobianNote] = []
        for j in dict.fromkeys(node.inputs):
            if not need[j] or j in silent[i]:
                continue
            slots = [k for k, jj in enumerate(node.inputs) if jj == j]
            share = _sum(unbroadcast(parts[k], shapes[j]) for k in slots if parts[k] is not None)
            if share is None:
                share = np.zeros(shapes[j])
            shares.setdefault(j, []).append((i, share))
            local_rule = _combine([texts.local[k] for k in slots]) if scalar and texts else ""
            down_rule = _combine([texts.downstream[k] for k in slots]) if texts else ""
            name_i, name_j = graph.labels[i], graph.labels[j]
            local_ask = f"d{name_i}/d{name_j}"
            many = len(consumers[j]) > 1
            last = consumers[j][-1] == i
            local = None
            if scalar:
                local = float(sum(float(locals_[k]) for k in slots if locals_[k] is not None))
                # At the output gate a local question on a branching input would be named like
                # that input's total (df/dx); its branch share df/df * df/dx is asked instead.
                if not (i == graph.output and many):
                    working = f"{local_rule} = {_num(local)}" if explain else ""
                    questions.append(
                        LocalQuestion(
                            local_ask, i, j, local, local_rule, working, upstream, local=local, contribution=share
                        )
                    )
            else:
                notes.append(_jacobian(graph, shapes, i, j, down_rule))
                if local_ask in jacobians:
                    matrix = local_jacobian(node, vals, i, slots)
                    questions.append(JacobianQuestion(local_ask, i, j, matrix, down_rule, "", upstream))
            if many and not last:
                ask = share_ask(graph, i, j)
                working = _times(upstream, local, share) if explain else ""
                questions.append(
                    DownstreamQuestion(ask, i, j, share, down_rule, working, upstream, local=local, contribution=share)
                )
            else:
                total = evaluation.gradient(j)
                ask = f"d{out}/d{name_j}"
                if scalar and ask == local_ask:  # at the output df/df = 1: the local gradient is df/dx
                    continue
                branch_list = shares[j] if many else []
                working = "" if not explain else _branch_sum(branch_list) if many else _times(upstream, local, share)
                rule = " + ".join(share_ask(graph, c, j) for c, _ in branch_list) if many else down_rule
                questions.append(
                    DownstreamQuestion(
                        ask,
                        i,
                        j,
                        total,
                        rule,
                        working,
                        upstream,
                        local=local,
                        contribution=share,
                        branches=list(branch_list),
                        is_total=many,
                    )
                )
        steps.append(Step(i, upstream, questions, notes))
    return steps


@dataclass
class _Rules:
    local: list  # Exprs
    downstream: list


def _rules(graph: Graph, values: list[Any], i: int, scalar: bool) -> _Rules:
    """The op's backward rule with the graph's names filled in, tidied: 'z', 'grad*z'."""
    node = graph.nodes[i]
    env = {"out": sym(graph.labels[i], np.shape(values[i])), "grad": sym("grad", np.shape(values[i]))}
    for slot, name in zip(node.inputs, ("a", "b")):
        child = graph.nodes[slot]
        env[name] = const(child.value) if child.op is CONST else sym(graph.labels[slot], np.shape(values[slot]))
    shapes = [np.shape(values[j]) for j in node.inputs]
    templates = node.op.backward_text(shapes, node.params)
    downstream = [from_text(t, env) for t in templates]
    if not scalar:  # for vectors and matrices the local gradient is a Jacobian: not written out
        return _Rules([], downstream)
    env["grad"] = const(1.0)
    local = [from_text(t, env) for t in templates]
    return _Rules(local, downstream)


def _silent_inputs(graph: Graph, shapes: list[tuple], i: int) -> set[int]:
    """The inputs whose every slot gets the op's rule "0": no gradient can flow to them."""
    node = graph.nodes[i]
    key = (node.op, tuple(shapes[j] for j in node.inputs), node.params)
    zero = _ZERO_SLOTS.get(key)
    if zero is None:
        zero = _ZERO_SLOTS[key] = tuple(t == "0" for t in node.op.backward_text(list(key[1]), node.params))
    return {j for j in node.inputs if all(zero[k] for k, jj in enumerate(node.inputs) if jj == j)}


_ZERO_SLOTS: dict = {}  # (op, input shapes, params) -> which slots' rules are "0": the same for every variant


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


def _jacobian(graph: Graph, shapes: list[tuple], i: int, j: int, rule: str) -> JacobianNote:
    rows = math.prod(shapes[i])
    cols = math.prod(shapes[j])
    elementwise = graph.nodes[i].op.elementwise and shapes[i] == shapes[j]
    return JacobianNote(j, rows, cols, elementwise, rule)


def jacobian_bytes(note: JacobianNote) -> int:
    return note.rows * note.cols * 8
