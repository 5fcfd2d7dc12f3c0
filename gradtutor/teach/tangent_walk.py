"""The forward-mode walk: each node's tangent with respect to one input, in topological order.

The lectures' tangent table for z = x1*x2 + sin(x1): seed dx1 = 1, dx2 = 0,
then dw3 = x2*dx1 + x1*dx2, dw4 = cos(x1)*dx1, dw5 = dw3 + dw4. Each rule is
the op's own forward rule (its Jacobian-vector product) from the op table,
written with the graph's names; a tangent is called d<name>.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autodiff.forward import tangents
from ..autodiff.reverse import check_names, forward, require_scalar
from ..graph import CONST, Graph
from ..graph.expr import const, from_text, sym
from ..graph.printing import to_text
from ..language.numbers import fmt_value as _num
from ..mistakes import Mistake
from .gates import gate_flow, gate_label
from .questions import Near, Question, forward_value
from .walk import Step, Walk


@dataclass(eq=False)
class TangentQuestion(Question):
    """Forward mode: a node's tangent, the sum over its inputs of local derivative × tangent."""

    terms: list[tuple[int, Any]] = field(default_factory=list)  # (input, its term)
    local: Any = None  # one-input scalar gates: the local derivative

    kind = "tangent"
    what = "tangent"

    def hints(self, walk) -> list[str]:
        graph = walk.graph
        return [
            f"{gate_label(graph, self.node)} gate: its tangent is the sum over its inputs of (local derivative) × "
            f"(that input's tangent); {gate_flow(graph, self.node)[1]}"
        ]

    def closing_hints(self, walk) -> list[str]:
        return [f"{self.ask} = {self.rule}, where d<name> is that node's tangent"]

    def explain(self, walk) -> str:
        return f"{self.ask} = {self.rule}: {self.working}"

    def mistakes(self, walk, near: Near) -> list[Mistake]:
        graph = walk.graph
        found = []
        if len(self.terms) > 1:
            for j, term in self.terms:
                if near(term):
                    found.append(
                        Mistake(
                            "missed-term",
                            f"that is only the term from {graph.labels[j]}; a tangent sums a term for "
                            f"every input (the product rule has two)",
                        )
                    )
                    break
        if self.local is not None and near(self.local):
            found.append(
                Mistake(
                    "forgot-upstream",
                    f"that is the local derivative of {graph.labels[self.node]}; multiply it by the "
                    f"tangent of its input",
                )
            )
        return found or forward_value(walk, self.node, near)


class TangentWalk(Walk):
    """A Walk whose steps go forward; `wrt` is the seeded input."""

    mode = "forward"

    def __init__(self, graph: Graph, evaluation, steps: list[Step], wrt: str, tangent_values: list[Any]):
        super().__init__(graph, evaluation, steps)
        self.wrt = wrt
        self.tangent_values = tangent_values

    def tangent(self, i: int) -> Any:
        t = self.tangent_values[i]
        return np.zeros(np.shape(self.value(i))) if t is None else t

    def tangent_name(self, i: int) -> str:
        return f"d{self.graph.labels[i]}"

    def answer_env(self, question: Question) -> dict[str, Any]:
        """Node values, and the tangents d<name> of the nodes before this one (program names win)."""
        env = {name: self.value(i) for name, i in self.graph.names.items()}
        for i in range(question.node):
            if self.graph.nodes[i].op is not CONST:
                env.setdefault(self.tangent_name(i), self.tangent(i))
        return env

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["mode"] = "forward"
        data["wrt"] = self.wrt
        return data


def build_tangent_walk(graph: Graph, values: Mapping[str, Any], wrt: str | None = None) -> TangentWalk:
    from ..errors import GradtutorError

    if not graph.variables:
        raise GradtutorError(
            "the program has no inputs, so there is nothing to differentiate with respect to",
            hint="use a name such as x in the program, e.g. sin(x)",
        )
    wrt = wrt or next(iter(graph.variables))
    check_names(graph, [wrt], what="--wrt")
    evaluation = forward(graph, values)
    require_scalar(evaluation)
    seed_node = graph.variables[wrt]
    if np.shape(evaluation.values[seed_node]) != ():
        raise GradtutorError(
            f"the forward walk seeds one scalar input, but '{wrt}' is not a scalar",
            hint="choose a scalar input with --wrt, or use gradtutor grad --mode forward",
        )
    seeds = {seed_node: np.float64(1.0)}
    for _name, i in graph.variables.items():
        if i != seed_node:
            seeds[i] = np.zeros(np.shape(evaluation.values[i]))
    values_ = evaluation.values
    tans = tangents(evaluation, seeds)
    steps = []
    for i, node in enumerate(graph.nodes):
        if not node.inputs:
            continue
        answer = np.zeros(np.shape(values_[i])) if tans[i] is None else tans[i]
        rule = _rule(graph, values_, i)
        terms = _terms(graph, values_, tans, i)
        working = (
            " + ".join(f"({_num(t)})" for _, t in terms) + f" = {_num(answer)}"
            if len(terms) > 1
            else f"{rule} = {_num(answer)}"
        )
        local = _local(graph, values_, i) if len(terms) == 1 else None
        q = TangentQuestion(f"d{graph.labels[i]}/d{wrt}", i, seed_node, answer, rule, working, terms=terms, local=local)
        steps.append(Step(i, None, [q], []))
    return TangentWalk(graph, evaluation, steps, wrt, tans)


def _rule(graph: Graph, values: list[Any], i: int) -> str:
    node = graph.nodes[i]
    env = {"out": sym(graph.labels[i], np.shape(values[i]))}
    for slot, j in zip(("a", "b"), node.inputs):
        child = graph.nodes[j]
        env[slot] = const(child.value) if child.op is CONST else sym(graph.labels[j], np.shape(values[j]))
        env[f"d{slot}"] = (
            const(np.zeros(np.shape(values[j])))
            if child.op is CONST
            else sym(f"d{graph.labels[j]}", np.shape(values[j]))
        )
    text = node.op.forward_text([np.shape(values[j]) for j in node.inputs], node.params)
    return to_text(from_text(text, env))


def _terms(graph: Graph, values: list[Any], tans: list[Any], i: int) -> list[tuple[int, Any]]:
    """Each input's contribution to the tangent: its local derivative times its tangent."""
    node = graph.nodes[i]
    ins = [values[j] for j in node.inputs]
    terms = []
    for k, j in enumerate(node.inputs):
        if tans[j] is None or graph.nodes[j].op is CONST:
            continue
        only = [tans[jj] if kk == k else None for kk, jj in enumerate(node.inputs)]
        part = node.op.tangent(only, values[i], ins, node.params)
        terms.append((j, np.zeros(np.shape(values[i])) if part is None else part))
    return terms


def _local(graph: Graph, values: list[Any], i: int) -> Any:
    """For a one-input scalar gate: the local derivative (to spot a forgotten input tangent)."""
    node = graph.nodes[i]
    if len(node.inputs) != 1 or np.shape(values[i]) != () or not node.op.local:
        return None
    local = node.op.local[0]
    return float(local) if isinstance(local, int) else float(local(values[node.inputs[0]], values[i]))
