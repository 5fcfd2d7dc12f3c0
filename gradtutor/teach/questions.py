"""The kinds of question gradtutor asks, each a small type that knows how to teach itself.

A question carries its answer and, for the walk's questions, the numbers
that produce it (the upstream gradient, the local gradient, each branch's
share). Each kind says in words what it asks, gives its hints from a nudge
to the rule, explains a revealed answer with the numbers, and names the
mistakes typical of it; the session and the graders only ask the question,
never switch on its kind. `kind` is the stable name used in JSON output and
in the progress database.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..language.numbers import fmt_value
from ..mistakes import Mistake
from .gates import gate_flow, gate_label, gate_mistakes

Near = Callable[[Any], bool]  # is an answer close to this wrong value (and not to the right one)?


def _magnitude(value: Any) -> float:
    if isinstance(value, float):  # numbers (np.float64 too) without numpy's per-call cost
        return abs(value)
    if type(value) is np.ndarray and value.ndim == 0:  # a 0-d array: a value as a problem file gives it
        return abs(float(value))
    arr = np.asarray(value, dtype=float)
    return float(np.abs(arr).max()) if arr.size else 0.0


def walk_magnitude(walk, node: int) -> float:
    """The largest |entry| of a node's value, remembered per walk: a batch grades every question
    of a walk against the same few nodes."""
    cache = walk.__dict__.setdefault("_magnitudes", {})
    if node not in cache:
        cache[node] = _magnitude(walk.value(node))
    return cache[node]


@dataclass(eq=False)
class Question:
    ask: str  # ASCII lecture notation: 'dq/dx', 'df/da * da/dy', 'df/dy', 'p'
    node: int  # the gate being visited (targets: the output)
    input: int  # the node the question is about
    answer: Any
    rule: str = ""  # the answer as a formula in the graph's names ('grad' = upstream)
    working: str = ""  # the arithmetic that produces it
    upstream: Any = None  # what `grad` means in an answer: the gate's upstream gradient

    kind = "question"
    what = "answer"  # in words: 'type the local gradient dq/dx'
    noun = "gradient"  # what a generic diagnosis calls the answer

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.answer)

    def note(self, walk) -> str | None:
        """Something to say just before the question is asked."""
        return None

    def hidden_nodes(self) -> set[int]:
        """Nodes whose names an answer may not use."""
        return set()

    def refusal(self, walk, text: str) -> str | None:
        """Why this text is not an answer to this question at all (no try is used), or None."""
        return None

    def answer_in(self, other_walk) -> Any:
        """This question's answer in the same walk at another point (None if it has none there)."""
        same = next((q for q in other_walk.questions if q.ask == self.ask), None)
        return None if same is None else same.answer

    def value_scale(self, walk) -> float:
        """The size of the numbers this question is about (the answer, the node and the input
        it concerns, but not a seed of 1), which sets how much hand rounding is allowed."""
        # (walk, scale): a batch grades a question many times. The walk is held weakly: it holds
        # this question, and the cycle left every graded walk to the cyclic collector.
        known = self.__dict__.get("_scale")
        if known is None or known[0]() is not walk:
            nodes = [self.input, self.node, *walk.graph.nodes[self.node].inputs]
            known = self.__dict__["_scale"] = (
                weakref.ref(walk),
                max(_magnitude(self.answer), *(walk_magnitude(walk, j) for j in nodes)),
            )
        return known[1]

    def hints(self, walk) -> list[str]:
        """The question's own hints, before the problem's."""
        return []

    def closing_hints(self, walk) -> list[str]:
        """Hints that come after the problem's own."""
        return []

    def explain(self, walk) -> str:
        return f"{self.ask} = {fmt_value(self.answer)}"

    def mistakes(self, walk, near: Near) -> list[Mistake]:
        """Mistakes typical of this kind of question that explain a wrong answer."""
        return []


@dataclass(eq=False)
class GateQuestion(Question):
    """A question at one gate of the backward walk: upstream × local = downstream."""

    local: Any = None  # scalar gates: the local gradient of this input
    contribution: Any = None  # this branch's upstream × local

    @property
    def scale(self) -> Any:
        """What the gate's local gradient is multiplied by in this question's answer."""
        return self.upstream

    def hints(self, walk) -> list[str]:
        graph = walk.graph
        pattern, rule = gate_flow(graph, self.node)
        return [f"{gate_label(graph, self.node)} gate ({pattern}): {rule}"]

    def closing_hints(self, walk) -> list[str]:
        return [self.rule_hint(walk)]

    def rule_hint(self, walk) -> str:
        return f"{self.ask} = {self.rule}"

    def mistakes(self, walk, near: Near) -> list[Mistake]:
        return self.own_mistakes(walk, near) + gate_mistakes(walk, self, near) or forward_value(walk, self.node, near)

    def own_mistakes(self, walk, near: Near) -> list[Mistake]:
        return []


@dataclass(eq=False)
class LocalQuestion(GateQuestion):
    kind = "local"
    what = "local gradient"

    @property
    def scale(self) -> Any:
        return 1.0

    def explain(self, walk) -> str:
        rule = gate_flow(walk.graph, self.node)[1]
        return f"{self.ask} = {self.rule} = {fmt_value(self.answer)}: {rule}"

    def own_mistakes(self, walk, near: Near) -> list[Mistake]:
        if near(self.contribution) and not _is_one(self.upstream):
            gate, x = _names(walk, self)
            return [
                Mistake(
                    "local-not-downstream",
                    f"that is the downstream gradient (upstream × local); the local gradient "
                    f"d{gate}/d{x} is the gate's own slope, before multiplying by the upstream",
                )
            ]
        return []


@dataclass(eq=False)
class DownstreamQuestion(GateQuestion):
    """A branch's share (df/dn * dn/dx), or the input's gradient (df/dx): the total over
    its branches when it feeds several nodes."""

    branches: list[tuple[int, Any]] = field(default_factory=list)  # totals: (consumer, share)
    is_total: bool = False  # the sum over several branches

    kind = "downstream"
    what = "downstream gradient"

    def note(self, walk) -> str | None:
        graph = walk.graph
        x = graph.labels[self.input]
        consumers = list(dict.fromkeys(graph.consumers[self.input]))
        users = [graph.labels[c] for c in consumers]
        if len(users) < 2:
            return None
        if self.is_total:
            return (
                f"{x} feeds {len(users)} nodes ({', '.join(users)}) and this is its last branch: "
                f"d{walk.output}/d{x} is the sum of the shares from all of them."
            )
        k = sorted(consumers, reverse=True).index(self.node) + 1  # the walk visits them last to first
        return (
            f"{x} feeds {len(users)} nodes ({', '.join(users)}): its share through {graph.labels[self.node]} "
            f"(branch {k} of {len(users)})."
        )

    def hints(self, walk) -> list[str]:
        if not self.is_total:
            return super().hints(walk)
        shares = " + ".join(share_ask(walk.graph, c, self.input) for c, _ in self.branches)
        return ["gradients add at branches: " + shares]

    def closing_hints(self, walk) -> list[str]:
        if not self.is_total:
            return super().closing_hints(walk)
        return ["the shares were: " + " + ".join(fmt_value(s) for _, s in self.branches)]

    def rule_hint(self, walk) -> str:
        gate, x = _names(walk, self)
        if self.local is not None:
            return (
                f"downstream = upstream × local: d{walk.output}/d{gate} × d{gate}/d{x} = "
                f"{fmt_value(self.upstream)} × {fmt_value(self.local)}"
            )
        return f"{self.ask} = {self.rule}, with grad = {fmt_value(self.upstream)}"

    def explain(self, walk) -> str:
        gate, x = _names(walk, self)
        out = walk.output
        if self.is_total:
            return f"{self.ask} = {self.rule} = {self.working}: gradients add at branches"
        if self.local is not None:
            return f"{self.ask} = d{out}/d{gate} × d{gate}/d{x} = {self.working} (downstream = upstream × local)"
        rule = gate_flow(walk.graph, self.node)[1]
        return f"{self.ask} = {self.rule} with grad = d{out}/d{gate}, the upstream gradient; {rule}"

    def own_mistakes(self, walk, near: Near) -> list[Mistake]:
        graph = walk.graph
        gate, x = _names(walk, self)
        found = []
        if self.is_total:
            for consumer, share in self.branches:
                if near(share):
                    others = [graph.labels[c] for c, _ in self.branches if c != consumer]
                    found.append(
                        Mistake(
                            "missed-branch",
                            f"that is only the branch through {graph.labels[consumer]}; {x} also feeds "
                            f"{', '.join(others)}, and gradients add at branches: sum the shares of all "
                            f"{len(self.branches)} branches",
                        )
                    )
                    break
        if self.local is not None and near(self.local):
            found.append(
                Mistake(
                    "forgot-upstream",
                    f"that is the local gradient d{gate}/d{x}; the downstream gradient is upstream × local, with "
                    f"upstream d{walk.output}/d{gate} = {fmt_value(self.upstream)}",
                )
            )
        elif near(self.upstream) and not _is_one(self.local):
            found.append(
                Mistake(
                    "forgot-local",
                    f"that is the upstream gradient d{walk.output}/d{gate}; multiply it by the local "
                    f"gradient d{gate}/d{x}",
                )
            )
        return found


@dataclass(eq=False)
class JacobianQuestion(GateQuestion):
    """A gate's local Jacobian, asked where a problem wants it written out: diag(f'(z)) for an
    elementwise gate, W for W@z, I for a bias. Its downstream question follows: the upstream
    gradient times this matrix, which gradtutor computes without ever building it."""

    kind = "jacobian"
    what = "local Jacobian"
    noun = "Jacobian"

    def hints(self, walk) -> list[str]:
        gate, x = _names(walk, self)
        rows, cols = np.shape(self.answer)
        return [
            f"d{gate}/d{x} is {rows} × {cols}: row i holds the gradient of {gate}[i] with respect to every "
            f"entry of {x}; an elementwise gate only touches the diagonal"
        ]

    def closing_hints(self, walk) -> list[str]:
        return [
            f"row i is the gate's vector-Jacobian product {self.rule} with grad = onehot(i, {np.shape(self.answer)[0]})"
        ]

    def explain(self, walk) -> str:
        gate, x = _names(walk, self)
        return (
            f"d{gate}/d{x}[i, j] = d{gate}[i]/d{x}[j]; each row is the VJP {self.rule} with grad one-hot, "
            f"and the downstream gradient that follows is grad @ d{gate}/d{x}"
        )

    def own_mistakes(self, walk, near: Near) -> list[Mistake]:
        gate, x = _names(walk, self)
        if near(np.asarray(self.answer).T):
            return [
                Mistake(
                    "transposed",
                    f"transposed: d{gate}/d{x} has a row for each entry of {gate} and a column for each entry of {x}",
                )
            ]
        return []


def share_ask(graph, consumer: int, x: int) -> str:
    """How one branch's share of an input's gradient is named: df/da * da/dx through the node a,
    and df/dx (via f) when the output f uses x itself (df/df * df/dx would say nothing)."""
    out = graph.labels[graph.output]
    gate, name = graph.labels[consumer], graph.labels[x]
    if consumer == graph.output:
        return f"d{out}/d{name} (via {out})"
    return f"d{out}/d{gate} * d{gate}/d{name}"


def forward_value(walk, node: int, near: Near) -> list[Mistake]:
    """The node's own value typed where its derivative was asked: sigmoid(s) for dL/ds."""
    if near(walk.value(node)):
        return [
            Mistake(
                "forward-value",
                f"that is the value of {walk.graph.labels[node]} in the forward pass, not its derivative",
            )
        ]
    return []


def _names(walk, q: Question) -> tuple[str, str]:
    return walk.graph.labels[q.node], walk.graph.labels[q.input]


def _is_one(x: Any) -> bool:
    return x is not None and np.shape(x) == () and float(x) == 1.0
