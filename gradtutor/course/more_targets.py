"""Problem targets beyond gradients and values: a value after gradient descent, and a Jacobian.

Descent: a value after some steps of w := w - lr * dJ/dw.

Written in a problem file as `{ ask = "w", after = 1, lr = 0.1, wrt = ["w"] }`: the
value of `w` (an input or any named node, e.g. the loss) after one step of
gradient descent on the program's output, moving the inputs in `wrt` with the
rate `lr`. The question is keyed "w after 1 step at lr 0.1", so one problem can
ask for the same node at several steps or rates. With `wrt` naming data instead of weights, the
same target asks about backprop to the data.

Jacobian: `{ ask = "dh/dz", form = "jacobian" }` asks for the matrix of dh_i/dz_j
between any two nodes (h of size m, z of size n: an m × n matrix), such as
diag(f'(z)) for an elementwise layer, W for z = W x + b, I for the bias, or the
product of such matrices along a chain. It is computed by forward mode, one
column per entry of z.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autodiff.descent import descend
from ..errors import DomainError
from ..graph import Graph
from ..language.numbers import fmt_value
from ..mistakes import Mistake
from ..teach.targets import ValueQuestion
from .problem import Target

KEYS = {"ask", "after", "lr", "wrt"}


def special_target(item: dict, graph: Graph, fail: Callable[[str], Exception]) -> Target:
    """A descent or Jacobian target from its table in a problem file; `fail` makes the error for a bad field."""
    if item.get("form") == "jacobian":
        return _jacobian_target(item, graph, fail)
    ask = str(item["ask"]).replace(" ", "")
    after, lr, wrt = item.get("after"), item.get("lr"), item.get("wrt")
    if not set(item) <= KEYS or not {"after", "lr", "wrt"} <= set(item):
        raise fail('a descent target is { ask = "w", after = 1, lr = 0.1, wrt = ["w"] }')
    if ask not in graph.names:
        raise fail(f"'{ask}' is not a node of the program")
    if not isinstance(after, int) or isinstance(after, bool) or not 1 <= after <= 1000:
        raise fail("after should be a whole number of steps from 1 to 1000")
    if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not lr > 0:
        raise fail("lr should be a positive number")
    wrt = [wrt] if isinstance(wrt, str) else wrt
    if not isinstance(wrt, list) or not wrt or not all(isinstance(w, str) and w in graph.variables for w in wrt):
        raise fail(f"wrt should list inputs of the program ({', '.join(graph.variables)})")
    key = f"{ask} after {after} step{'s' if after > 1 else ''} at lr {float(lr):g}"
    return Target(key, "value", after, float(lr), tuple(wrt))


def _jacobian_target(item: dict, graph: Graph, fail: Callable[[str], Exception]) -> Target:
    ask = str(item["ask"]).replace(" ", "")
    top, _, wrt = ask.partition("/")
    if not set(item) <= {"ask", "form"} or not (top.startswith("d") and wrt.startswith("d")):
        raise fail('a Jacobian target is { ask = "dh/dz", form = "jacobian" }')
    for name in (top[1:], wrt[1:]):
        if name not in graph.names:
            raise fail(f"'{ask}': there is no node '{name}' in the program")
    return Target(ask, "jacobian")


def node_of(target: Target) -> str:
    return target.ask.split(" after ", 1)[0]


@dataclass(eq=False)
class DescentQuestion(ValueQuestion):
    """A node's value after some steps of gradient descent from the problem's values."""

    steps: int = 1
    lr: float = 0.1
    wrt: tuple[str, ...] = ()
    history: list = None  # the node's value at each step, for the reveal

    noun = "value"

    def hidden_nodes(self) -> set[int]:
        return set()  # the start value is given; the answer is where it goes

    def explain(self, walk) -> str:
        out = walk.graph.labels[walk.graph.output]
        moves = "; ".join(f"{w} := {w} - {self.lr:g}*d{out}/d{w}" for w in self.wrt)
        path = " → ".join(fmt_value(v) for v in self.history)
        return f"{self.ask}: {moves}, {self.steps} time{'s' if self.steps > 1 else ''}: {path}"

    def hints(self, walk) -> list[str]:
        out = walk.graph.labels[walk.graph.output]
        return [f"one step: find d{out}/d{w} at the current values, then move {w} against it" for w in self.wrt[:1]]

    def mistakes(self, walk, near) -> list[Mistake]:
        """Stepping up the gradient instead of down is the classic slip: the sign of the update."""
        if self.history and len(self.history) > 1 and self.input in walk.graph.variables.values():
            start = np.asarray(self.history[0])
            if near(2 * start - np.asarray(self.history[1])) and self.steps == 1:
                return [Mistake("sign", "that moves along the gradient; descent moves against it: w - lr*grad")]
        return []


@dataclass(eq=False)
class JacobianQuestion(ValueQuestion):
    """The Jacobian between two nodes, as an m × n matrix at this variant."""

    what = "Jacobian"
    noun = "Jacobian"

    def hidden_nodes(self) -> set[int]:
        return set()

    def explain(self, walk) -> str:
        m, n = np.shape(self.answer)
        entry = self.ask[1:].replace("/d", "_i/d")
        return f"{self.ask} = the {m} × {n} matrix of d{entry}_j, one column per input entry"

    def closing_hints(self, walk) -> list[str]:
        m, n = np.shape(self.answer)
        return [f"the Jacobian has one row per output entry and one column per input entry: {m} × {n}"]


def jacobian_question(walk, target: Target) -> JacobianQuestion:
    from ..autodiff.forward import tangents

    graph = walk.graph
    top, wrt = (graph.names[p[1:]] for p in target.ask.split("/"))
    shape = np.shape(walk.value(wrt))
    columns = []
    for idx in np.ndindex(*shape):
        seed = np.zeros(shape)
        seed[idx] = 1.0
        tangent = tangents(walk.evaluation, {wrt: seed}, upto=top)[top]
        columns.append(np.ravel(np.broadcast_to(0.0 if tangent is None else tangent, np.shape(walk.value(top)))))
    answer = np.array(columns, dtype=float).T.reshape(int(np.size(walk.value(top))), -1)
    return JacobianQuestion(target.ask, top, wrt, answer, upstream=np.float64(1.0))


def special_question(walk, target: Target) -> ValueQuestion:
    """The question for a descent or Jacobian target at this variant."""
    if target.form == "jacobian":
        return jacobian_question(walk, target)
    return descent_question(walk, target)


def descent_question(walk, target: Target) -> DescentQuestion:
    """The question for a descent target at this variant: the answer from running the steps."""
    graph = walk.graph
    name = node_of(target)
    node = graph.names[name]
    values = {n: walk.value(i) for n, i in graph.variables.items()}
    history: list[Any] = []

    def record(run, step) -> None:
        if name in graph.variables and step.params is not None and name in step.params:
            history.append(step.params[name])

    run = descend(graph, values, target.wrt, target.lr, target.after, keep_params=True, on_step=record)
    if run.diverged:
        raise DomainError(f"{target.ask}: the descent stops before it gets there: {run.diverged}")
    if name in graph.variables:
        answer = run.final[name] if name in run.final else values[name]
        history = history[: target.after] + [answer]
    else:
        answer = _node_value(graph, run, values, name)
        history = [*run.losses] if node == graph.output else [walk.value(node), answer]
    question = DescentQuestion(target.ask, node, node, np.asarray(answer, dtype=float), upstream=np.float64(1.0))
    question.steps, question.lr, question.wrt, question.history = target.after, target.lr, target.wrt, history
    return question


def _node_value(graph, run, values, name):
    from ..autodiff.reverse import forward

    return forward(graph, {**values, **run.final}).values[graph.names[name]]
