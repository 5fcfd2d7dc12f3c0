"""Grading one typed answer to one question of a walk.

An answer is a number, a matrix literal or a formula in the gradtutor language
using the graph's names and `grad` (the node's upstream gradient). It is
parsed and evaluated by gradtutor itself, compared with hand-rounding
tolerance, and when wrong, matched against the mistakes students make at that
kind of gate: the local gradient without the upstream, a missed branch, the
multiply gate's swap, routing at a max, a flipped sign, a transpose, a factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autodiff.compare import diagnose
from ..errors import GradtutorError
from ..graph import CONST
from ..graph.formula import compile_formula, evaluate
from ..mistakes import Mistake
from .walk import Question, Walk

RTOL = 1e-2
ATOL = 5e-3


@dataclass(frozen=True)
class Tolerance:
    rtol: float = RTOL
    atol: float = ATOL

    def close(self, given: Any, expected: Any) -> bool:
        a = np.asarray(given, dtype=float)
        b = np.asarray(expected, dtype=float)
        if a.shape != b.shape:
            return False
        diff = np.abs(a - b)
        return bool(np.all((diff <= self.atol) | (diff <= self.rtol * np.abs(b))))


@dataclass
class Verdict:
    correct: bool
    value: Any = None  # what the answer evaluated to
    mistakes: list[Mistake] = field(default_factory=list)
    unreadable: str | None = None  # why the answer could not be read (no try is used up)

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.mistakes]


def read_answer(walk: Walk, question: Question, text: str) -> Any:
    plain = _plain_number(text)
    if plain is not None:
        return plain
    env = walk.answer_env(question)
    formula = compile_formula(text, env, what="answer")
    return np.asarray(evaluate(formula, env, what="answer"), dtype=float)


def _plain_number(text: str) -> np.ndarray | None:
    """A number or a JSON matrix, read without the parser (most batch answers are these);
    anything else goes through the grammar. Nothing is evaluated as Python."""
    try:
        return np.asarray(float(text))
    except ValueError:
        pass
    if text.startswith("["):
        import json

        try:
            value = np.asarray(json.loads(text), dtype=float)
        except (ValueError, TypeError):
            return None
        return value if value.ndim <= 2 and value.size and np.all(np.isfinite(value)) else None
    return None


def grade(walk: Walk, question: Question, text: str, tolerance: Tolerance = Tolerance()) -> Verdict:
    text = text.strip()
    if not text:
        return Verdict(False, unreadable="type a number, a matrix such as [[1, 2], [3, 4]], or a formula")
    try:
        value = read_answer(walk, question, text)
    except GradtutorError as exc:
        return Verdict(False, unreadable=exc.render().removeprefix("error: "))
    expected = np.asarray(question.answer, dtype=float)
    if tolerance.close(value, expected):
        return Verdict(True, value)
    return Verdict(False, value, likely_mistakes(walk, question, value, tolerance))


def likely_mistakes(walk: Walk, question: Question, value: np.ndarray, tol: Tolerance) -> list[Mistake]:
    graph = walk.graph
    expected = np.asarray(question.answer, dtype=float)
    out = graph.labels[graph.output]
    gate = graph.labels[question.node]
    x = graph.labels[question.input]
    if value.shape != expected.shape:
        return diagnose(value, expected, name=x)

    found: list[Mistake] = []

    def near(candidate: Any) -> bool:
        c = np.asarray(candidate, dtype=float)
        return c.shape == expected.shape and not tol.close(c, expected) and tol.close(value, c)

    if question.kind == "tangent":
        if len(question.branches) > 1:
            for j, term in question.branches:
                if near(term):
                    found.append(
                        Mistake(
                            "missed-term",
                            f"that is only the term from {graph.labels[j]}; a tangent sums a "
                            f"term for every input (the product rule has two)",
                        )
                    )
                    break
        if question.local is not None and near(question.local):
            found.append(
                Mistake(
                    "forgot-upstream",
                    f"that is the local derivative of {gate}; multiply it by the tangent of its input",
                )
            )
    if question.kind == "local" and near(question.contribution) and not _is_one(question.upstream):
        found.append(
            Mistake(
                "local-not-downstream",
                f"that is the downstream gradient (upstream × local); the local gradient "
                f"d{gate}/d{x} is the gate's own slope, before multiplying by the upstream",
            )
        )
    if question.kind == "downstream":
        if question.is_total:
            for consumer, share in question.branches:
                if near(share):
                    others = [graph.labels[c] for c, _ in question.branches if c != consumer]
                    found.append(
                        Mistake(
                            "missed-branch",
                            f"that is only the branch through {graph.labels[consumer]}; {x} also "
                            f"feeds {', '.join(others)}, and gradients add at branches: "
                            f"sum the shares of all {len(question.branches)} branches",
                        )
                    )
                    break
        if question.local is not None and near(question.local):
            found.append(
                Mistake(
                    "forgot-upstream",
                    f"that is the local gradient d{gate}/d{x}; the downstream gradient is "
                    f"upstream × local, with upstream d{out}/d{gate} = {_short(question.upstream)}",
                )
            )
        elif near(question.upstream) and not _is_one(question.local):
            found.append(
                Mistake(
                    "forgot-local",
                    f"that is the upstream gradient d{out}/d{gate}; multiply it by the local gradient d{gate}/d{x}",
                )
            )
    found += _gate_mistakes(walk, question, value, near)
    if not found:
        found = diagnose(value, expected, rtol=tol.rtol, atol=tol.atol, name=x)
    return found


def _gate_mistakes(walk: Walk, question: Question, value: np.ndarray, near) -> list[Mistake]:
    """Mistakes typical of the gate's pattern (from the op table): swaps, routes, distributes."""
    if question.kind not in ("local", "downstream"):  # gate patterns belong to the backward walk
        return []
    graph = walk.graph
    node = graph.nodes[question.node]
    constant = any(graph.nodes[j].op is CONST for j in node.inputs)
    pattern = node.op.flow(constant)[0]
    x = graph.labels[question.input]
    scale = 1.0 if question.kind == "local" else question.upstream
    mistakes: list[Mistake] = []
    if pattern == "swaps" and len(set(node.inputs)) == 2:
        if near(np.multiply(scale, walk.value(question.input))):
            other = graph.labels[[j for j in node.inputs if j != question.input][0]]
            mistakes.append(
                Mistake(
                    "swap",
                    f"a multiply gate swaps: the gradient for {x} uses the *other* "
                    f"input's value ({other}), not {x}'s own",
                )
            )
    elif pattern == "routes" and len(set(node.inputs)) == 2:
        if near(scale) or near(np.zeros_like(np.asarray(question.answer, dtype=float))):
            mistakes.append(Mistake("route", f"a {node.op.name} gate routes: {node.op.rule}"))
    elif pattern == "distributes" and near(np.multiply(0.5, scale)):
        mistakes.append(Mistake("split", "an add gate does not split the gradient: each input gets all of it"))
    return mistakes


def _is_one(x: Any) -> bool:
    return x is not None and np.shape(x) == () and float(x) == 1.0


def _short(value: Any) -> str:
    from ..language.numbers import fmt_value

    return fmt_value(value)
