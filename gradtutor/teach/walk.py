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

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..autodiff.reverse import Evaluation, backward, forward, require_scalar
from ..graph import CONST, Graph
from ..language.values import to_python
from .questions import JacobianQuestion, Question
from .steps import JacobianNote, Step, jacobian_bytes, make_steps

__all__ = ["JacobianNote", "Step", "Walk", "build_walk", "jacobian_bytes", "walk_of"]


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

    def questions_about(self, i: int) -> list[Question]:
        """The walk's questions about node i, in order, without making the other steps (a wrong
        df/dW is diagnosed by the walk's question about W, and most problems ask nothing else)."""
        steps = self.made(about=i) if callable(self.made) else self.made
        return [q for step in steps for q in step.questions if q.input == i]

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


def walk_of(
    evaluation: Evaluation, explain: bool = True, seed: Any = None, jacobians: tuple = (), swept: bool = False
) -> Walk:
    """The walk of an evaluated graph (its values in place; the gradients are computed here,
    unless `swept`: already, by a sweep back from the output seeded with 1)."""
    if not swept:
        backward(evaluation, seed=1.0 if seed is None else seed)
    return Walk(evaluation.graph, evaluation, partial(make_steps, evaluation, explain, jacobians))
