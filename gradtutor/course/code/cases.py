"""The cases a code problem runs on, the job for the child, and the engine's answers for each case.

Every reference comes from gradtutor's engine on the problem's program: forward values
and exact reverse-mode gradients. A layer's backward pass is a vector-Jacobian product,
so its reference is the gradient of `sum(out * dout)` for a random `dout`. On a kink
(a relu input of exactly 0, a tie of max) the derivative is not one number; the
one-sided slopes are kept next to the engine's convention, and any of them is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...autodiff.flatcode import python_names
from ...autodiff.numeric import branch_signature
from ...autodiff.reverse import Evaluation, backward, forward
from ...graph import CONST, VAR, Graph, shared
from ..problem import Problem

LOSS, DOUT = "gt_loss", "gt_dout"
NUDGE = 1e-9  # moves a kinked entry to one side; far below the checking tolerance


@dataclass
class Case:
    """One run of the student's code: the values, and the engine's evaluation at them."""

    label: str  # 'N=2, D=3' for the report
    values: dict[str, np.ndarray]
    evaluation: Evaluation | None = None  # filled by Plan.evaluate, while the child runs
    sides: list[Evaluation] = field(default_factory=list)  # one-sided evaluations at a kink

    def gradient(self, node: int) -> list[Any]:
        """The accepted gradients of node: the engine's, then one per side of a kink."""
        return [self.evaluation.gradient(node)] + [s.gradient(node) for s in self.sides]


@dataclass
class Plan:
    problem: Problem
    graph: Graph
    job: dict[str, Any]
    cases: list[Case]

    def evaluate(self) -> None:
        """The engine's answers for every case (the child does not need them, so this runs
        while the child starts: the two overlap on two cores)."""
        for case in self.cases:
            case.evaluation = _evaluate(self.graph, case.values)
            case.sides = _sides(self.graph, case.values, case.evaluation)


def encode(value: Any, integer: bool = False) -> dict[str, Any]:
    arr = np.asarray(value)
    return {"data": arr.tolist(), "scalar": arr.ndim == 0, "int": integer}


def plan(problem: Problem, seed: int = 0) -> Plan:
    spec = problem.code
    graph = _graph(problem)
    cases, job_cases = [], []
    for k, case in enumerate(spec.cases):
        values = spec.draw(problem.key, seed, k)
        rng = np.random.default_rng([seed, k, 99])
        label = ", ".join(f"{d}={n}" for d, n in case.dims.items()) or f"case {k + 1}"
        if spec.style == "layer":
            probe = forward(shared(problem.program), {n: values[n] for n in spec.inputs})
            values[DOUT] = rng.standard_normal(np.shape(probe.value))
        cases.append(Case(label, values))
        job_cases.append(_job_case(spec, graph, values))
    names = dict(spec.names)
    return Plan(problem, graph, {"style": spec.style, "names": names, "cases": job_cases}, cases)


def _graph(problem: Problem) -> Graph:
    if problem.code.style != "layer":
        return shared(problem.program)
    base = shared(problem.program)
    out = base.labels[base.output]
    return shared(f"{problem.program.rstrip()}\n{LOSS} = sum({out} * {DOUT})")


def _evaluate(graph: Graph, values: dict[str, Any], overrides: dict[int, Any] | None = None) -> Evaluation:
    evaluation = forward(graph, values, overrides)
    backward(evaluation, [i for i, n in enumerate(graph.nodes) if n.op is not CONST])
    return evaluation


def _sides(graph: Graph, values: dict[str, Any], evaluation: Evaluation) -> list[Evaluation]:
    """Where a node sits exactly on a kink, the evaluations with its first input nudged just
    above and just below: the two one-sided slopes (relu'(0) = 1 or 0, max routing to either)."""
    moved: dict[int, np.ndarray] = {}
    for node, sig in branch_signature(graph, evaluation):
        mask = np.asarray(sig) == 0
        j = graph.nodes[node].inputs[0]
        if mask.any() and np.shape(evaluation.values[j]) in (mask.shape, ()):
            moved[j] = mask
    if not moved:
        return []
    sides = []
    for sign in (1.0, -1.0):
        overrides = {j: evaluation.values[j] + sign * NUDGE * mask for j, mask in moved.items()}
        sides.append(_evaluate(graph, values, overrides))
    return sides


def _job_case(spec, graph: Graph, values: dict[str, Any]) -> dict[str, Any]:
    """What the harness needs for one case: arguments in the student's order (labels as
    integer class indices), and for gates the graph as a list of gate calls."""

    def arg(name: str) -> dict[str, Any]:
        program = spec.labels.get(name, name)
        if name in spec.labels:
            return encode(np.argmax(values[program], axis=1), integer=True)
        return encode(values[program])

    if spec.style == "flat":
        names, _ = python_names(graph)
        return {"kwargs": {names[i]: encode(values[n]) for n, i in graph.variables.items()}}
    if spec.style == "layer":
        return {"args": [arg(a) for a in spec.args], "dout": encode(values[DOUT]), "count": len(spec.grads)}
    if spec.style == "function":
        return {"args": [arg(a) for a in spec.args], "count": len(spec.grads)}
    return {"inputs": {n: encode(values[n]) for n in graph.variables}, "nodes": gate_nodes(spec, graph)}


def gate_nodes(spec, graph: Graph) -> list[dict[str, Any]]:
    """The program's operations as gate calls; one instance per class, so a gate used twice is reused."""
    position, nodes = {}, []
    classes = list(dict.fromkeys(spec.gates.values()))
    for i, node in enumerate(graph.nodes):
        if node.op in (VAR, CONST) or not node.inputs:
            continue
        inputs = []
        for j in node.inputs:
            if graph.nodes[j].op is VAR:
                inputs.append(["var", graph.nodes[j].name])
            elif graph.nodes[j].op is CONST:
                inputs.append(["const", float(graph.nodes[j].value)])
            else:
                inputs.append(["node", position[j]])
        position[i] = len(nodes)
        cls = spec.gates[node.op.name]
        nodes.append({"cls": cls, "instance": classes.index(cls), "inputs": inputs, "node": i})
    return nodes
